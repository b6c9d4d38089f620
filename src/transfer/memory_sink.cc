// MemorySink implementation; see memory_sink.h.
#include "transfer/memory_sink.h"

#include <new>

namespace s3pull::transfer {

Status MemorySink::TooLarge(uint64_t size) const {
  return Status(StatusCode::kInvalidArgument, "the object (" + std::to_string(size) +
                                                  " bytes) does not fit the buffer of " +
                                                  std::to_string(buffer_.size()) + " bytes");
}

Status MemorySink::Reserve(uint64_t size) {
  reserved_ = true;
  if (!buffer_.empty()) return size <= buffer_.size() ? Status::Ok() : TooLarge(size);
  return Resize(size);
}

Status MemorySink::Resize(uint64_t size) {
  if (size > owned_.max_size()) return TooLarge(size);
  try {
    owned_.resize(size);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kIoError,
                  "out of memory for an object of " + std::to_string(size) + " bytes");
  }
  return Status::Ok();
}

Status MemorySink::WriteAt(uint64_t offset, std::string_view data) {
  uint64_t end = offset + data.size();
  if (!buffer_.empty()) {
    if (end > buffer_.size()) return TooLarge(end);
    data.copy(buffer_.data() + offset, data.size());
    return Status::Ok();
  }
  if (end > owned_.size()) {
    if (reserved_) return Status(StatusCode::kProtocolError, "bytes past the object's end");
    if (Status grown = Resize(end); !grown.ok()) return grown;  // growing as the reply streams
  }
  data.copy(owned_.data() + offset, data.size());
  return Status::Ok();
}

const char* MemorySink::At(uint64_t offset) const {
  return (buffer_.empty() ? owned_.data() : buffer_.data()) + offset;
}

std::string MemorySink::Take(uint64_t size) {
  if (!buffer_.empty()) return {};
  owned_.resize(size);
  return std::move(owned_);
}

}  // namespace s3pull::transfer
