// S3's checksums; see checksums.h.
#include "s3/checksums.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>

#include "common/ascii.h"
#include "common/base64.h"

namespace s3pull::s3 {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view Unquoted(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    return etag.substr(1, etag.size() - 2);
  }
  return etag;
}

Status Malformed(std::string_view header, std::string_view value, std::string_view why) {
  return Status(StatusCode::kProtocolError,
                std::string(header) + ": " + std::string(why) + ": \"" + std::string(value) + "\"");
}

}  // namespace

std::optional<checksum::HashAlgorithm> ChecksumAlgorithmNamed(std::string_view name) {
  for (checksum::HashAlgorithm algorithm :
       {checksum::HashAlgorithm::kCrc32, checksum::HashAlgorithm::kCrc32c,
        checksum::HashAlgorithm::kCrc64Nvme, checksum::HashAlgorithm::kSha1,
        checksum::HashAlgorithm::kSha256}) {
    if (checksum::AlgorithmName(algorithm) == name) return algorithm;
  }
  return std::nullopt;
}

Result<S3Checksum> ParseChecksumValue(checksum::HashAlgorithm algorithm, std::string_view value,
                                      std::string_view type) {
  S3Checksum checksum;
  checksum.algorithm = algorithm;
  // Base64 has no '-', so a '-' starts the part count.
  std::string_view text = value;
  size_t dash = text.find('-');
  if (dash != std::string_view::npos) {
    std::string_view count = text.substr(dash + 1);
    auto [end, error] =
        std::from_chars(count.data(), count.data() + count.size(), checksum.part_count);
    if (error != std::errc() || end != count.data() + count.size() || count.empty() ||
        checksum.part_count == 0) {
      return Status(StatusCode::kProtocolError, "bad part count");
    }
    text = text.substr(0, dash);
  }
  std::optional<checksum::Digest> digest = Base64Decode(text);
  if (!digest || digest->size() != checksum::DigestSize(algorithm)) {
    return Status(StatusCode::kProtocolError, "not a base64 digest of the right length");
  }
  checksum.digest = std::move(*digest);
  if (type.empty()) {
    checksum.type = checksum.part_count > 0 ? ChecksumType::kComposite : ChecksumType::kFullObject;
  } else if (type == "COMPOSITE") {
    checksum.type = ChecksumType::kComposite;
  } else if (type == "FULL_OBJECT" && checksum.part_count == 0) {
    checksum.type = ChecksumType::kFullObject;
  } else {
    return Status(StatusCode::kProtocolError,
                  "checksum type " + std::string(type) + " unknown, or contradicts the value");
  }
  return checksum;
}

Result<std::optional<S3Checksum>> ParseChecksumHeaders(const http::Headers& headers) {
  struct Source {
    std::string_view header;
    checksum::HashAlgorithm algorithm;
  };
  static constexpr Source kSources[] = {
      {"x-amz-checksum-crc64nvme", checksum::HashAlgorithm::kCrc64Nvme},
      {"x-amz-checksum-crc32c", checksum::HashAlgorithm::kCrc32c},
      {"x-amz-checksum-crc32", checksum::HashAlgorithm::kCrc32},
      {"x-amz-checksum-sha256", checksum::HashAlgorithm::kSha256},
      {"x-amz-checksum-sha1", checksum::HashAlgorithm::kSha1},
  };
  for (const Source& source : kSources) {
    const std::string* value = http::FindHeader(headers, source.header);
    if (value == nullptr) continue;
    const std::string* type = http::FindHeader(headers, "x-amz-checksum-type");
    Result<S3Checksum> checksum =
        ParseChecksumValue(source.algorithm, *value, type ? std::string_view(*type) : "");
    if (!checksum.ok()) return Malformed(source.header, *value, checksum.status().message());
    return std::optional<S3Checksum>(std::move(*checksum));
  }
  return std::optional<S3Checksum>();
}

std::string ChecksumHeaderValue(const S3Checksum& checksum) {
  std::string value = Base64Encode(checksum.digest);
  if (checksum.part_count > 0) value += "-" + std::to_string(checksum.part_count);
  return value;
}

S3Checksum CompositeChecksum(checksum::HashAlgorithm algorithm,
                             std::span<const checksum::Digest> part_digests) {
  std::unique_ptr<checksum::Hasher> hasher = checksum::NewHasher(algorithm);
  for (const checksum::Digest& part : part_digests) {
    hasher->Update(std::string_view(reinterpret_cast<const char*>(part.data()), part.size()));
  }
  return {algorithm, hasher->Finish(), ChecksumType::kComposite, part_digests.size()};
}

bool IsMd5Etag(std::string_view etag) {
  std::string_view hex = Unquoted(etag);
  return hex.size() == 32 &&
         std::all_of(hex.begin(), hex.end(), [](char c) { return HexValue(c) >= 0; });
}

std::optional<checksum::Digest> EtagMd5(std::string_view etag, const http::Headers& headers) {
  if (!IsMd5Etag(etag)) return std::nullopt;
  if (const std::string* sse = http::FindHeader(headers, "x-amz-server-side-encryption")) {
    if (EqualsIgnoreCase(*sse, "aws:kms") || EqualsIgnoreCase(*sse, "aws:kms:dsse")) {
      return std::nullopt;
    }
  }
  if (http::FindHeader(headers, "x-amz-server-side-encryption-customer-algorithm") != nullptr) {
    return std::nullopt;
  }
  std::string_view hex = Unquoted(etag);
  checksum::Digest md5(16);
  for (size_t i = 0; i < md5.size(); ++i) {
    md5[i] = static_cast<uint8_t>(HexValue(hex[2 * i]) << 4 | HexValue(hex[2 * i + 1]));
  }
  return md5;
}

}  // namespace s3pull::s3
