// Hashers: the digests that prove bytes are what was stored. Pure
// functions and in-memory hashers; no I/O.
//
// Hashers stream: Update() as pieces arrive, Finish() once. CRC32, CRC32C
// and CRC64NVME can also be combined: pieces hashed on their own (in any
// order, on any thread) fold, in offset order, into the CRC of the whole
// (CombineCrc). NewPartsHasher gives the digests of consecutive parts, what
// a composite checksum is the digest of.
//
// A CRC's digest is its value big-endian, as S3 base64-encodes it.
//
// Threading: a Hasher is used by one thread at a time; different hashers on
// different threads are independent. Everything else is a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace s3pull::checksum {

enum class HashAlgorithm { kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256, kMd5 };

// S3's name: "CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256", "MD5".
std::string_view AlgorithmName(HashAlgorithm algorithm);
// Bytes in a digest: 4, 4, 8, 20, 32, 16.
size_t DigestSize(HashAlgorithm algorithm);
// True for the CRCs, which CombineCrc accepts.
bool IsCrc(HashAlgorithm algorithm);

using Digest = std::vector<uint8_t>;

class Hasher {
 public:
  virtual ~Hasher() = default;
  virtual void Update(std::string_view bytes) = 0;
  // The digest of all bytes given to Update (DigestSize bytes). Call it
  // once: the hasher is spent after it.
  virtual Digest Finish() = 0;
};

// Never null. CRC32 and CRC32C run on ISA-L; CRC64NVME on carry-less
// multiplication (PCLMULQDQ) when the CPU has it, else slicing-by-8 tables;
// SHA1 and SHA256 on OpenSSL (aborting if OpenSSL cannot provide them: a
// check that cannot run must not pass silently); MD5 is an Md5Hasher
// (md5.h), which can hash many objects side by side.
std::unique_ptr<Hasher> NewHasher(HashAlgorithm algorithm);

// As if hashers[i]->Update(inputs[i]) were called for each i (the spans have
// equal sizes; each hasher appears once). MD5 hashers go side by side
// (Md5Hasher::UpdateMany); the others one by one.
void UpdateEach(std::span<Hasher* const> hashers, std::span<const std::string_view> inputs);

// The digest of `bytes` in one call.
Digest HashBytes(HashAlgorithm algorithm, std::string_view bytes);

// The CRC of A||B from crc(A), crc(B) and len(B) in bytes, for a CRC
// algorithm (IsCrc). The CRC of no bytes is 0, so folding a list of parts may
// start from 0. Costs O(log len_b) multiplications modulo the polynomial.
uint64_t CombineCrc(HashAlgorithm algorithm, uint64_t crc_a, uint64_t crc_b, uint64_t length_b);
// A CRC digest as a number (its bytes big-endian; at most 8 bytes).
uint64_t CrcValue(std::span<const uint8_t> digest);
// A CRC as a digest of DigestSize(algorithm) bytes.
Digest CrcDigest(HashAlgorithm algorithm, uint64_t crc);

// Hashes an object uploaded in parts of `part_sizes` bytes part by part:
// Finish() gives the parts' digests one after another (what a composite
// checksum is the digest of). Bytes past the parts' total are hashed into
// the last part, and parts that got fewer bytes than their size are hashed
// as they are, so the result then differs from the stored parts' digests.
std::unique_ptr<Hasher> NewPartsHasher(HashAlgorithm algorithm, std::vector<uint64_t> part_sizes);

}  // namespace s3pull::checksum
