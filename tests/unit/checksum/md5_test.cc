// Md5Hasher against RFC 1321's test suite and OpenSSL, one message at a time
// and many side by side.
#include "checksum/md5.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/hex.h"

namespace s3pull::checksum {
namespace {

Digest OpenSslMd5(const std::string& bytes) {
  Digest digest(16);
  unsigned int size = 0;
  EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_md5(), nullptr), 1);
  return digest;
}

std::string RandomBytes(std::mt19937& random, size_t size) {
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(random());
  return bytes;
}

TEST(Md5Test, Rfc1321TestSuite) {
  const std::pair<std::string, std::string> kCases[] = {
      {"", "d41d8cd98f00b204e9800998ecf8427e"},
      {"a", "0cc175b9c0f1b6a831c399e269772661"},
      {"abc", "900150983cd24fb0d6963f7d28e17f72"},
      {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
      {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
      {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
       "d174ab98d277d9f5a5611c2c9f419d9f"},
      {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
       "57edf4a22be3c955ac49da2e2107b67a"},
  };
  for (const auto& [input, md5] : kCases) {
    Md5Hasher hasher;
    hasher.Update(input);
    EXPECT_EQ(HexEncode(hasher.Finish()), md5) << input;
  }
}

TEST(Md5Test, MatchesOpenSslAtEveryLengthAroundTheBlockAndPaddingBoundaries) {
  std::mt19937 random(1);
  std::string bytes = RandomBytes(random, 300);
  for (size_t size = 0; size <= bytes.size(); ++size) {
    std::string input = bytes.substr(0, size);
    // Whole, and in two pieces split at every third byte.
    Md5Hasher whole;
    whole.Update(input);
    EXPECT_EQ(whole.Finish(), OpenSslMd5(input)) << size;
    for (size_t cut = 0; cut <= size; cut += 3) {
      Md5Hasher split;
      split.Update(input.substr(0, cut));
      split.Update(input.substr(cut));
      ASSERT_EQ(split.Finish(), OpenSslMd5(input)) << size << " cut at " << cut;
    }
  }
}

TEST(Md5Test, ManyMessagesSideBySideMatchOpenSsl) {
  std::mt19937 random(2);
  // Counts below, at and above the 16 lanes; lengths from none to many
  // blocks, so lanes finish at different times; each message fed in random
  // pieces, by UpdateMany and by Update in turn.
  for (size_t count : {1u, 2u, 15u, 16u, 17u, 40u}) {
    std::vector<std::string> messages;
    for (size_t i = 0; i < count; ++i) {
      size_t size = random() % 3 == 0 ? random() % 70 : random() % 20000;
      messages.push_back(RandomBytes(random, size));
    }
    std::vector<std::unique_ptr<Md5Hasher>> hashers;
    for (size_t i = 0; i < count; ++i) hashers.push_back(std::make_unique<Md5Hasher>());
    std::vector<size_t> fed(count, 0);
    for (int round = 0; round < 50; ++round) {
      std::vector<Md5Hasher*> batch;
      std::vector<std::string_view> pieces;
      for (size_t i = 0; i < count; ++i) {
        size_t piece = std::min<size_t>(random() % 3000, messages[i].size() - fed[i]);
        std::string_view bytes = std::string_view(messages[i]).substr(fed[i], piece);
        fed[i] += piece;
        if (round % 5 == 4) {
          hashers[i]->Update(bytes);
        } else {
          batch.push_back(hashers[i].get());
          pieces.push_back(bytes);
        }
      }
      Md5Hasher::UpdateMany(batch, pieces);
    }
    for (size_t i = 0; i < count; ++i) {
      hashers[i]->Update(std::string_view(messages[i]).substr(fed[i]));
      EXPECT_EQ(hashers[i]->Finish(), OpenSslMd5(messages[i]))
          << "message " << i << " of " << count << ", " << messages[i].size() << " bytes";
    }
  }
}

}  // namespace
}  // namespace s3pull::checksum
