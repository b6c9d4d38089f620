// MemorySink: where an object kept in memory is written (ObjectSource::to_memory).
//
// The bytes go into the caller's buffer or into a string of the sink's own.
// Once Reserve() has fixed the object's size, the memory never moves: parts
// may be written at their offsets while workers hash the bytes before them.
// Without Reserve() (a reply of unknown length, read in order and hashed as
// it streams) the string grows as bytes arrive.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull::transfer {

class MemorySink {
 public:
  // `buffer` empty: the sink's own memory.
  explicit MemorySink(std::span<char> buffer) : buffer_(buffer) {}

  // The object has `size` bytes: kInvalidArgument when the caller's buffer
  // is smaller (or the sink's own memory cannot hold them).
  Status Reserve(uint64_t size);
  // `data` at `offset`: within the reserved size once there is one.
  Status WriteAt(uint64_t offset, std::string_view data);
  // The bytes from `offset` on (valid while the sink lives and is not written past its size).
  const char* At(uint64_t offset) const;
  // The object's first `size` bytes, taken out of the sink's own memory
  // ("" for a caller's buffer, which already holds them).
  std::string Take(uint64_t size);

 private:
  Status TooLarge(uint64_t size) const;
  // The sink's own memory holds `size` bytes (kIoError when out of memory).
  Status Resize(uint64_t size);

  std::span<char> buffer_;
  std::string owned_;
  bool reserved_ = false;
};

}  // namespace s3pull::transfer
