// Integrity: the digests that prove a download holds what S3 stored. Pure
// functions and in-memory hashers; no I/O.
//
// Hashers stream: Update() as body pieces arrive, Finish() once. CRC32,
// CRC32C and CRC64NVME can also be combined: each ranged part is hashed on
// its own as it arrives (in any order, on any thread), and CombineCrc() folds
// the part CRCs in offset order into the CRC of the whole object, so S3's
// full-object checksum is checked without reading the file again. An object
// uploaded in N parts may instead carry a composite checksum: the digest of
// its N part digests (CompositeChecksum), checked from the stored parts'
// sizes and digests (NewPartsHasher), whatever ranges were fetched.
//
// A CRC's digest is its value big-endian, as S3 base64-encodes it.
//
// Threading: a Hasher is used by one thread at a time; different hashers on
// different threads are independent. Everything else is a pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/http_client.h"
#include "s3pull/status.h"

namespace s3pull::transfer {

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

// Standard base64 (RFC 4648 section 4) with padding.
std::string Base64Encode(std::span<const uint8_t> bytes);
// Strict: nullopt unless `text` is padded canonical base64 (length a multiple
// of 4, no whitespace, unused bits zero).
std::optional<Digest> Base64Decode(std::string_view text);

// A checksum S3 stores with an object (x-amz-checksum-*).
enum class ChecksumType { kFullObject, kComposite };
struct S3Checksum {
  HashAlgorithm algorithm = HashAlgorithm::kCrc64Nvme;
  Digest digest;  // DigestSize(algorithm) bytes
  ChecksumType type = ChecksumType::kFullObject;
  uint64_t part_count = 0;  // N of a composite "BASE64-N"; 0 for a full-object one
  bool operator==(const S3Checksum&) const = default;
};

// The checksum of a response, from `x-amz-checksum-{crc64nvme,crc32c,crc32,
// sha256,sha1}` and `x-amz-checksum-type` (FULL_OBJECT or COMPOSITE; when
// absent, a "-N" suffix means composite). When several are present the first
// in that order wins: CRCs first, as they combine across parallel parts.
// nullopt when the response carries none; kProtocolError when the chosen one
// is malformed (bad base64, wrong length, bad "-N", unknown or contradictory
// type): a checksum that cannot be read must not count as checked.
Result<std::optional<S3Checksum>> ParseChecksumHeaders(const http::Headers& headers);

// The header value S3 would send: base64 of the digest, then "-N" when
// composite. For messages ("expected X, got Y") and tests.
std::string ChecksumHeaderValue(const S3Checksum& checksum);

// S3's name of a checksum algorithm back to it ("CRC32" ... "SHA256"; not
// MD5, which S3 offers as no checksum): nullopt for any other name.
std::optional<HashAlgorithm> ChecksumAlgorithmNamed(std::string_view name);

// A checksum value as S3 writes it ("BASE64", or "BASE64-N" for a composite
// one) with its type ("FULL_OBJECT", "COMPOSITE", or "" when not said: a
// "-N" then means composite). kProtocolError saying why it is malformed.
Result<S3Checksum> ParseChecksumValue(HashAlgorithm algorithm, std::string_view value,
                                      std::string_view type);

// The composite checksum of an object whose stored parts have these digests
// (in part order): the digest of their concatenated bytes, with part_count =
// the number of parts. Compare it to the parsed header with ==.
S3Checksum CompositeChecksum(HashAlgorithm algorithm, std::span<const Digest> part_digests);

// Hashes an object uploaded in parts of `part_sizes` bytes part by part:
// Finish() gives the parts' digests one after another (what a composite
// checksum is the digest of). Bytes past the parts' total are hashed into
// the last part, and parts that got fewer bytes than their size are hashed
// as they are, so the result then differs from the stored parts' digests.
std::unique_ptr<Hasher> NewPartsHasher(HashAlgorithm algorithm, std::vector<uint64_t> part_sizes);

// True when `etag` (quoted or not) is 32 hex digits: the form of a
// single-part upload's ETag, which is then usually the object's MD5.
bool IsMd5Etag(std::string_view etag);

// The MD5 an ETag carries, or nullopt when it carries none: not of that form
// (multipart "-N"), or the object is encrypted with SSE-KMS
// (`x-amz-server-side-encryption: aws:kms` or `aws:kms:dsse`) or SSE-C
// (`x-amz-server-side-encryption-customer-algorithm` present), whose ETags
// are not the MD5 of the data. `headers` are the object's response headers.
std::optional<Digest> EtagMd5(std::string_view etag, const http::Headers& headers);
inline bool EtagIsMd5(std::string_view etag, const http::Headers& headers) {
  return EtagMd5(etag, headers).has_value();
}

}  // namespace s3pull::transfer
