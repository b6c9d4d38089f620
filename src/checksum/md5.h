// MD5, with many messages hashed side by side.
//
// MD5 is a chain: each 64-byte block needs the result of the one before, so
// one message hashes no faster than one core's latency allows (about
// 1 GB/s). Verifying thousands of single-part objects (whose ETag is their
// MD5) needs more than that, and different messages are independent:
// Md5Hasher::UpdateMany runs up to 16 of them at once in the lanes of AVX-512
// registers, several times the rate of hashing them one after another. On a
// CPU without AVX-512 it hashes them one by one.
//
// Threading: one hasher is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "checksum/hashers.h"

namespace s3pull::checksum {

class Md5Hasher final : public Hasher {
 public:
  void Update(std::string_view bytes) override;
  Digest Finish() override;

  // As if hashers[i]->Update(inputs[i]) were called for each i (the spans
  // have equal sizes; each hasher appears once), with the messages' blocks
  // hashed side by side where the CPU allows.
  static void UpdateMany(std::span<Md5Hasher* const> hashers,
                         std::span<const std::string_view> inputs);
  // How many messages this CPU hashes side by side: 16 or 1.
  static int Lanes();

 private:
  // Absorbs `bytes` into the partial block; returns the rest, which starts
  // on a block boundary.
  std::string_view FillTail(std::string_view bytes);
  void KeepTail(std::string_view bytes);

  uint32_t state_[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  uint64_t length_ = 0;  // bytes given to Update
  uint8_t tail_[64] = {};
  size_t tail_size_ = 0;
};

}  // namespace s3pull::checksum
