// Hashers: known answers, CRCs against their definition, streaming and
// combining, parts hashers.
#include "checksum/hashers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "common/base64.h"
#include "common/hex.h"
#include "random_bytes.h"

namespace s3pull::checksum {
namespace {

using enum HashAlgorithm;

constexpr HashAlgorithm kAllAlgorithms[] = {kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256, kMd5};
constexpr HashAlgorithm kCrcs[] = {kCrc32, kCrc32c, kCrc64Nvme};

using testing::RandomBytes;

uint64_t Crc(HashAlgorithm algorithm, std::string_view bytes) {
  return CrcValue(HashBytes(algorithm, bytes));
}

// The CRC catalogue's definition, one bit at a time (reflected; init and
// xorout all ones), independent of the code under test.
uint64_t ReferenceCrc(HashAlgorithm algorithm, std::string_view bytes) {
  const int width = algorithm == kCrc64Nvme ? 64 : 32;
  const uint64_t normal = algorithm == kCrc32    ? 0x04C11DB7
                          : algorithm == kCrc32c ? 0x1EDC6F41
                                                 : 0xAD93D23594C93659;
  uint64_t poly = 0;
  for (int i = 0; i < width; ++i) poly |= ((normal >> i) & 1) << (width - 1 - i);
  const uint64_t ones = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  uint64_t reg = ones;
  for (unsigned char c : bytes) {
    reg ^= c;
    for (int b = 0; b < 8; ++b) reg = (reg & 1) ? (reg >> 1) ^ poly : reg >> 1;
  }
  return reg ^ ones;
}

TEST(HashersTest, KnownAnswers) {
  const std::string million_a(1000000, 'a');
  struct Case {
    HashAlgorithm algorithm;
    std::string_view input;
    std::string_view hex;
  } cases[] = {
      // The CRC catalogue's check values ("123456789") and the empty input.
      {kCrc32, "123456789", "cbf43926"},
      {kCrc32c, "123456789", "e3069283"},
      {kCrc64Nvme, "123456789", "ae8b14860a799888"},
      {kCrc32, "", "00000000"},
      {kCrc32c, "", "00000000"},
      {kCrc64Nvme, "", "0000000000000000"},
      {kCrc32, million_a, "dc25bfbc"},
      {kCrc32c, million_a, "436fe240"},
      {kCrc64Nvme, million_a, "38b0ef50419e0b4c"},
      // FIPS 180 and RFC 1321 examples.
      {kMd5, "", "d41d8cd98f00b204e9800998ecf8427e"},
      {kMd5, "abc", "900150983cd24fb0d6963f7d28e17f72"},
      {kMd5, million_a, "7707d6ae4e027c70eea2a935c2296f21"},
      {kSha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
      {kSha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"},
      {kSha1, million_a, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
      {kSha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {kSha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {kSha256, million_a, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(AlgorithmName(c.algorithm)) + " of " + std::to_string(c.input.size()) +
                 " bytes");
    Digest digest = HashBytes(c.algorithm, c.input);
    EXPECT_EQ(HexEncode(digest), c.hex);
    EXPECT_EQ(digest.size(), DigestSize(c.algorithm));
  }
}

TEST(HashersTest, HeaderValuesMatchTheAwsSdks) {
  // crc32, sha1 and sha256 as botocore computes them, crc32c as awscrt does;
  // crc64nvme from the catalogue's definition.
  struct Case {
    HashAlgorithm algorithm;
    std::string_view input;
    std::string_view base64;
  } cases[] = {
      {kCrc32, "Hello world", "i9aeUg=="},
      {kCrc32c, "Hello world", "crUfeA=="},
      {kCrc64Nvme, "Hello world", "OOJZ0D8xKts="},
      {kCrc64Nvme, "hello world!", "2RYNH6jkGOM="},
      {kSha1, "Hello world", "e1AsOh9IyGCa4hLN+2Od7jlnP14="},
      {kSha256, "Hello world", "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw="},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Base64Encode(HashBytes(c.algorithm, c.input)), c.base64)
        << AlgorithmName(c.algorithm) << " of " << c.input;
  }
}

TEST(HashersTest, CrcsMatchTheBitwiseDefinitionAtEveryLengthAndAlignment) {
  // Lengths around the 16- and 64-byte blocks of the vector code, at every
  // alignment of the start.
  const std::string data = RandomBytes(600, 1);
  for (HashAlgorithm algorithm : kCrcs) {
    for (size_t offset = 0; offset < 16; ++offset) {
      for (size_t length = 0; offset + length <= data.size(); length += offset < 2 ? 1 : 7) {
        std::string_view bytes = std::string_view(data).substr(offset, length);
        ASSERT_EQ(Crc(algorithm, bytes), ReferenceCrc(algorithm, bytes))
            << AlgorithmName(algorithm) << " offset " << offset << " length " << length;
      }
    }
  }
}

TEST(HashersTest, StreamingInAnyChunksEqualsOneShot) {
  const std::string data = RandomBytes(1024 * 1024 + 13, 2);
  for (HashAlgorithm algorithm : kAllAlgorithms) {
    const Digest whole = HashBytes(algorithm, data);
    for (size_t chunk : {1, 3, 7, 15, 16, 17, 63, 64, 65, 129, 4095, 65537, 0}) {
      std::mt19937_64 rng(chunk);
      std::unique_ptr<Hasher> hasher = NewHasher(algorithm);
      for (size_t at = 0; at < data.size();) {
        // Chunk 0 stands for random sizes, empty pieces included.
        size_t size = chunk > 0 ? chunk : rng() % 300;
        size = std::min(size, data.size() - at);
        hasher->Update(std::string_view(data).substr(at, size));
        at += size;
      }
      EXPECT_EQ(hasher->Finish(), whole) << AlgorithmName(algorithm) << " chunk " << chunk;
    }
  }
}

TEST(HashersTest, CombinedPartCrcsEqualTheCrcOfTheWhole) {
  std::mt19937_64 rng(3);
  for (size_t size :
       {size_t{0}, size_t{1}, size_t{2}, size_t{17}, size_t{4096}, size_t{3 * 1024 * 1024 + 5}}) {
    const std::string data = RandomBytes(size, size);
    for (int trial = 0; trial < 4; ++trial) {
      // Random cuts, repeated ones making empty parts, plus 1-byte parts.
      std::vector<size_t> cuts = {0, size};
      for (int i = 0; i < 6; ++i) cuts.push_back(size == 0 ? 0 : rng() % (size + 1));
      if (size > 2) cuts.insert(cuts.end(), {1, size - 1, size / 2, size / 2 + 1, size / 2});
      std::sort(cuts.begin(), cuts.end());
      for (HashAlgorithm algorithm : kCrcs) {
        uint64_t combined = 0;  // the CRC of no bytes
        for (size_t i = 0; i + 1 < cuts.size(); ++i) {
          std::string_view part = std::string_view(data).substr(cuts[i], cuts[i + 1] - cuts[i]);
          combined = CombineCrc(algorithm, combined, Crc(algorithm, part), part.size());
        }
        EXPECT_EQ(combined, Crc(algorithm, data)) << AlgorithmName(algorithm) << " size " << size;
      }
    }
  }
}

TEST(HashersTest, CombiningIsAssociativeForHugeLengths) {
  // CRC(A||B||C) two ways, with |B| = 5 TiB and |C| = 2^62 bytes.
  const uint64_t length_b = uint64_t{5} << 40;
  const uint64_t length_c = uint64_t{1} << 62;
  std::mt19937_64 rng(4);
  for (HashAlgorithm algorithm : kCrcs) {
    const uint64_t mask = algorithm == kCrc64Nvme ? ~uint64_t{0} : 0xffffffff;
    const uint64_t a = rng() & mask, b = rng() & mask, c = rng() & mask;
    EXPECT_EQ(CombineCrc(algorithm, CombineCrc(algorithm, a, b, length_b), c, length_c),
              CombineCrc(algorithm, a, CombineCrc(algorithm, b, c, length_c), length_b + length_c))
        << AlgorithmName(algorithm);
    EXPECT_EQ(CombineCrc(algorithm, a, b, 0), a ^ b);
    EXPECT_EQ(CombineCrc(algorithm, 0, b, length_b), b);
  }
}

TEST(HashersTest, CrcDigestsAreBigEndian) {
  EXPECT_EQ(CrcDigest(kCrc32, 0xcbf43926), (Digest{0xcb, 0xf4, 0x39, 0x26}));
  EXPECT_EQ(CrcDigest(kCrc64Nvme, 0xae8b14860a799888),
            (Digest{0xae, 0x8b, 0x14, 0x86, 0x0a, 0x79, 0x98, 0x88}));
  EXPECT_EQ(CrcValue(Digest{0xe3, 0x06, 0x92, 0x83}), 0xe3069283u);
  EXPECT_EQ(CrcValue(HashBytes(kCrc64Nvme, "123456789")), 0xae8b14860a799888u);
}

TEST(HashersTest, PartsHasherGivesEachStoredPartsDigestInAnyPieces) {
  const std::string body = "part one|part two is longer|3";
  const std::vector<uint64_t> sizes = {9, 19, 1};
  for (HashAlgorithm algorithm : {kCrc32, kCrc32c, kCrc64Nvme, kSha1, kSha256}) {
    Digest expected;
    for (uint64_t first = 0; uint64_t size : sizes) {
      Digest part = HashBytes(algorithm, std::string_view(body).substr(first, size));
      expected.insert(expected.end(), part.begin(), part.end());
      first += size;
    }
    for (size_t piece : {1, 2, 5, 9, 10, 29, 64}) {
      SCOPED_TRACE(std::string(AlgorithmName(algorithm)) + " in pieces of " +
                   std::to_string(piece));
      std::unique_ptr<Hasher> hasher = NewPartsHasher(algorithm, sizes);
      for (size_t i = 0; i < body.size(); i += piece)
        hasher->Update(std::string_view(body).substr(i, piece));
      EXPECT_EQ(hasher->Finish(), expected);
    }
  }
}

TEST(HashersTest, PartsHasherDiffersWhenTheBytesDoNotFitTheParts) {
  const std::vector<uint64_t> sizes = {4, 4};
  auto hash = [&](std::string_view bytes) {
    std::unique_ptr<Hasher> hasher = NewPartsHasher(kCrc32, sizes);
    hasher->Update(bytes);
    return hasher->Finish();
  };
  Digest exact = hash("abcdefgh");
  EXPECT_EQ(exact.size(), 8u);
  EXPECT_NE(hash("abcdefghi"), exact);  // a byte too many
  EXPECT_NE(hash("abcdefg"), exact);    // a byte short
  EXPECT_EQ(hash("abcdefg").size(), 8u);
  // Empty parts (an empty object uploaded as one part) have the empty digest.
  std::unique_ptr<Hasher> empty = NewPartsHasher(kSha256, {0});
  EXPECT_EQ(empty->Finish(), HashBytes(kSha256, ""));
}

TEST(HashersTest, AlgorithmProperties) {
  for (HashAlgorithm algorithm : kAllAlgorithms) {
    EXPECT_EQ(NewHasher(algorithm)->Finish().size(), DigestSize(algorithm));
    EXPECT_EQ(IsCrc(algorithm),
              std::find(std::begin(kCrcs), std::end(kCrcs), algorithm) != std::end(kCrcs));
  }
  EXPECT_EQ(AlgorithmName(kCrc64Nvme), "CRC64NVME");
  EXPECT_EQ(AlgorithmName(kCrc32c), "CRC32C");
  EXPECT_EQ(AlgorithmName(kSha256), "SHA256");
}

}  // namespace
}  // namespace s3pull::checksum
