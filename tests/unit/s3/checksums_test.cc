// S3's checksums: headers and values parsed strictly, composite checksums,
// the MD5 an ETag is.
#include "s3/checksums.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "common/base64.h"
#include "common/hex.h"

namespace s3pull::s3 {
namespace {

using enum HashAlgorithm;

std::string_view AsText(const Digest& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

struct ParseCase {
  http::Headers headers;
  std::optional<S3Checksum> expected;  // when parsing succeeds
  bool ok = true;
};

TEST(ChecksumsTest, ParseChecksumHeaders) {
  const Digest hello_crc32 = HashBytes(kCrc32, "Hello world");
  const Digest hello_crc32c = HashBytes(kCrc32c, "Hello world");
  const Digest hello_crc64 = HashBytes(kCrc64Nvme, "Hello world");
  const Digest hello_sha256 = HashBytes(kSha256, "Hello world");
  const std::string sha256 = "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw=";
  const ParseCase cases[] = {
      {{}, std::nullopt},
      {{{"etag", "\"x\""}, {"x-amz-checksum-type", "FULL_OBJECT"}}, std::nullopt},
      {{{"x-amz-checksum-crc32", "i9aeUg=="}},
       S3Checksum{kCrc32, hello_crc32, ChecksumType::kFullObject, 0}},
      {{{"x-amz-checksum-crc32c", "crUfeA=="}, {"x-amz-checksum-type", "FULL_OBJECT"}},
       S3Checksum{kCrc32c, hello_crc32c, ChecksumType::kFullObject, 0}},
      {{{"X-Amz-Checksum-CRC64NVME", "OOJZ0D8xKts="}},
       S3Checksum{kCrc64Nvme, hello_crc64, ChecksumType::kFullObject, 0}},
      // Composite: "-N" alone, or with its type.
      {{{"x-amz-checksum-sha256", sha256 + "-3"}},
       S3Checksum{kSha256, hello_sha256, ChecksumType::kComposite, 3}},
      {{{"x-amz-checksum-crc32", "i9aeUg==-10000"}, {"x-amz-checksum-type", "COMPOSITE"}},
       S3Checksum{kCrc32, hello_crc32, ChecksumType::kComposite, 10000}},
      // One part of a composite object (a GET with partNumber): its own digest.
      {{{"x-amz-checksum-sha256", sha256}, {"x-amz-checksum-type", "COMPOSITE"}},
       S3Checksum{kSha256, hello_sha256, ChecksumType::kComposite, 0}},
      // Several: the CRCs first, CRC64NVME before CRC32C before CRC32.
      {{{"x-amz-checksum-sha256", sha256}, {"x-amz-checksum-crc32", "i9aeUg=="}},
       S3Checksum{kCrc32, hello_crc32, ChecksumType::kFullObject, 0}},
      {{{"x-amz-checksum-crc32", "i9aeUg=="},
        {"x-amz-checksum-crc64nvme", "OOJZ0D8xKts="},
        {"x-amz-checksum-crc32c", "crUfeA=="}},
       S3Checksum{kCrc64Nvme, hello_crc64, ChecksumType::kFullObject, 0}},
      // Malformed: an error, never "no checksum".
      {{{"x-amz-checksum-crc32", "i9aeUg==-0"}}, std::nullopt, false},
      {{{"x-amz-checksum-crc32", "i9aeUg==-"}}, std::nullopt, false},
      {{{"x-amz-checksum-crc32", "i9aeUg==-3x"}}, std::nullopt, false},
      {{{"x-amz-checksum-crc32", "i9aeUg==-+3"}}, std::nullopt, false},
      {{{"x-amz-checksum-crc32", "-3"}}, std::nullopt, false},
      {{{"x-amz-checksum-crc32", ""}}, std::nullopt, false},
      {{{"x-amz-checksum-crc32", "OOJZ0D8xKts="}}, std::nullopt, false},  // 8 bytes
      {{{"x-amz-checksum-crc64nvme", "i9aeUg=="}}, std::nullopt, false},  // 4 bytes
      {{{"x-amz-checksum-crc32", "i9aeUg"}}, std::nullopt, false},
      {{{"x-amz-checksum-crc32", "i9ae Ug=="}}, std::nullopt, false},
      {{{"x-amz-checksum-crc32", "i9aeUg==-3"}, {"x-amz-checksum-type", "FULL_OBJECT"}},
       std::nullopt,
       false},
      {{{"x-amz-checksum-crc32", "i9aeUg=="}, {"x-amz-checksum-type", "full_object"}},
       std::nullopt,
       false},
  };
  for (const ParseCase& c : cases) {
    std::string trace;
    for (const auto& [name, value] : c.headers) trace += name + ": " + value + "; ";
    SCOPED_TRACE(trace);
    Result<std::optional<S3Checksum>> parsed = ParseChecksumHeaders(c.headers);
    ASSERT_EQ(parsed.ok(), c.ok) << parsed.status().ToString();
    if (!c.ok) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kProtocolError);
      continue;
    }
    EXPECT_EQ(*parsed, c.expected);
  }
}

TEST(ChecksumsTest, HeaderValuesRoundTrip) {
  for (std::string_view value : {"i9aeUg==", "i9aeUg==-3", "AAAAAA==-10000"}) {
    Result<std::optional<S3Checksum>> parsed =
        ParseChecksumHeaders({{"x-amz-checksum-crc32", std::string(value)}});
    ASSERT_TRUE(parsed.ok() && parsed->has_value()) << value;
    EXPECT_EQ(ChecksumHeaderValue(**parsed), value);
  }
}

TEST(ChecksumsTest, CompositeChecksumsAreTheDigestOfThePartDigests) {
  // Expected values: Python's hashlib and zlib over the concatenated part
  // digests (CRCs big-endian), as S3 computes a multipart upload's checksum.
  const std::string_view parts[] = {"part one", "part two", "part three"};
  struct Case {
    HashAlgorithm algorithm;
    std::string_view header;
  } cases[] = {
      {kSha256, "OpFzsc2fegv8KOfoeP35Fyw6HLg6cLlgX33ISIuIl4I=-3"},
      {kCrc32, "HjvSlQ==-3"},
  };
  for (const Case& c : cases) {
    std::vector<Digest> digests;
    for (std::string_view part : parts) digests.push_back(HashBytes(c.algorithm, part));
    S3Checksum composite = CompositeChecksum(c.algorithm, digests);
    EXPECT_EQ(ChecksumHeaderValue(composite), c.header);
    Result<std::optional<S3Checksum>> parsed = ParseChecksumHeaders(
        {{"x-amz-checksum-" + std::string(c.algorithm == kSha256 ? "sha256" : "crc32"),
          std::string(c.header)},
         {"x-amz-checksum-type", "COMPOSITE"}});
    ASSERT_TRUE(parsed.ok() && parsed->has_value());
    EXPECT_EQ(**parsed, composite);
    // One part fewer, or a part changed: no match.
    EXPECT_NE(**parsed, CompositeChecksum(c.algorithm, std::span(digests).first(2)));
    digests[1] = HashBytes(c.algorithm, "part 2");
    EXPECT_NE(**parsed, CompositeChecksum(c.algorithm, digests));
  }
  // A CRC64NVME composite is the CRC of the 8-byte big-endian part CRCs.
  std::vector<Digest> crcs = {HashBytes(kCrc64Nvme, "a"), HashBytes(kCrc64Nvme, "b")};
  std::string concatenated = std::string(AsText(crcs[0])) + std::string(AsText(crcs[1]));
  EXPECT_EQ(CompositeChecksum(kCrc64Nvme, crcs).digest, HashBytes(kCrc64Nvme, concatenated));
}

TEST(ChecksumsTest, ChecksumValuesAndAlgorithmNames) {
  EXPECT_EQ(ChecksumAlgorithmNamed("CRC64NVME"), kCrc64Nvme);
  EXPECT_EQ(ChecksumAlgorithmNamed("SHA1"), kSha1);
  EXPECT_EQ(ChecksumAlgorithmNamed("MD5"), std::nullopt);
  EXPECT_EQ(ChecksumAlgorithmNamed("crc32"), std::nullopt);
  Result<S3Checksum> composite = ParseChecksumValue(kCrc32, "i9aeUg==-3", "");
  ASSERT_TRUE(composite.ok());
  EXPECT_EQ(composite->type, ChecksumType::kComposite);
  EXPECT_EQ(composite->part_count, 3u);
  // A composite value without its "-N" (GetObjectAttributes may write it so).
  Result<S3Checksum> unsuffixed = ParseChecksumValue(kCrc32, "i9aeUg==", "COMPOSITE");
  ASSERT_TRUE(unsuffixed.ok());
  EXPECT_EQ(unsuffixed->type, ChecksumType::kComposite);
  EXPECT_EQ(unsuffixed->part_count, 0u);
  EXPECT_FALSE(ParseChecksumValue(kCrc32, "i9aeUg==", "PARTIAL").ok());
  EXPECT_FALSE(ParseChecksumValue(kSha256, "i9aeUg==", "").ok());
}

TEST(ChecksumsTest, IsMd5Etag) {
  const std::pair<std::string_view, bool> cases[] = {
      {"\"9b2cf535f27731c974343645a3985328\"", true},
      {"9b2cf535f27731c974343645a3985328", true},
      {"9B2CF535F27731C974343645A3985328", true},
      {"\"9b2cf535f27731c974343645a3985328-2\"", false},
      {"9b2cf535f27731c974343645a398532", false},    // 31 digits
      {"9b2cf535f27731c974343645a39853288", false},  // 33
      {"9b2cf535f27731c974343645a398532g", false},
      {"\"9b2cf535f27731c974343645a3985328", false},  // unbalanced quote
      {"W/\"9b2cf535f27731c974343645a3985328\"", false},
      {"", false},
      {"\"\"", false},
  };
  for (const auto& [etag, is_md5] : cases) EXPECT_EQ(IsMd5Etag(etag), is_md5) << etag;
}

TEST(ChecksumsTest, EtagIsMd5UnlessKmsOrCustomerKeys) {
  const std::string etag = "\"9b2cf535f27731c974343645a3985328\"";
  const Digest md5 = {0x9b, 0x2c, 0xf5, 0x35, 0xf2, 0x77, 0x31, 0xc9,
                      0x74, 0x34, 0x36, 0x45, 0xa3, 0x98, 0x53, 0x28};
  const std::pair<http::Headers, bool> cases[] = {
      {{}, true},
      {{{"x-amz-server-side-encryption", "AES256"}}, true},  // SSE-S3 keeps the MD5
      {{{"x-amz-server-side-encryption", "aws:kms"}}, false},
      {{{"x-amz-server-side-encryption", "aws:kms:dsse"}}, false},
      {{{"X-Amz-Server-Side-Encryption", "AWS:KMS"}}, false},
      {{{"x-amz-server-side-encryption-customer-algorithm", "AES256"},
        {"x-amz-server-side-encryption-customer-key-md5", "ZjQrne1X/iTcskbY2m3tFg=="}},
       false},
  };
  for (const auto& [headers, is_md5] : cases) {
    EXPECT_EQ(EtagIsMd5(etag, headers), is_md5) << (headers.empty() ? "" : headers[0].second);
    EXPECT_EQ(EtagMd5(etag, headers), is_md5 ? std::optional(md5) : std::nullopt);
  }
  EXPECT_EQ(EtagMd5("9B2CF535F27731C974343645A3985328", {}), md5);
  EXPECT_FALSE(EtagIsMd5("\"9b2cf535f27731c974343645a3985328-4\"", {}));
  EXPECT_EQ(EtagMd5("\"d41d8cd98f00b204e9800998ecf8427e\"", {}), HashBytes(kMd5, ""));
}

}  // namespace
}  // namespace s3pull::s3
