// Checksums as S3 states them: the x-amz-checksum-* headers and values,
// composite checksums, and the MD5 that a single-part ETag is.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "checksum/hashers.h"
#include "http/http_client.h"
#include "s3pull/status.h"

namespace s3pull::s3 {

using checksum::Digest;
using checksum::HashAlgorithm;

// A checksum S3 stores with an object (x-amz-checksum-*).
enum class ChecksumType { kFullObject, kComposite };
struct S3Checksum {
  checksum::HashAlgorithm algorithm = checksum::HashAlgorithm::kCrc64Nvme;
  checksum::Digest digest;  // DigestSize(algorithm) bytes
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
std::optional<checksum::HashAlgorithm> ChecksumAlgorithmNamed(std::string_view name);

// A checksum value as S3 writes it ("BASE64", or "BASE64-N" for a composite
// one) with its type ("FULL_OBJECT", "COMPOSITE", or "" when not said: a
// "-N" then means composite). kProtocolError saying why it is malformed.
Result<S3Checksum> ParseChecksumValue(checksum::HashAlgorithm algorithm, std::string_view value,
                                      std::string_view type);

// The composite checksum of an object whose stored parts have these digests
// (in part order): the digest of their concatenated bytes, with part_count =
// the number of parts. Compare it to the parsed header with ==.
S3Checksum CompositeChecksum(checksum::HashAlgorithm algorithm,
                             std::span<const checksum::Digest> part_digests);

// True when `etag` (quoted or not) is 32 hex digits: the form of a
// single-part upload's ETag, which is then usually the object's MD5.
bool IsMd5Etag(std::string_view etag);

// The MD5 an ETag carries, or nullopt when it carries none: not of that form
// (multipart "-N"), or the object is encrypted with SSE-KMS
// (`x-amz-server-side-encryption: aws:kms` or `aws:kms:dsse`) or SSE-C
// (`x-amz-server-side-encryption-customer-algorithm` present), whose ETags
// are not the MD5 of the data. `headers` are the object's response headers.
std::optional<checksum::Digest> EtagMd5(std::string_view etag, const http::Headers& headers);
inline bool EtagIsMd5(std::string_view etag, const http::Headers& headers) {
  return EtagMd5(etag, headers).has_value();
}

}  // namespace s3pull::s3
