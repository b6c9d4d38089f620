// Base64 as RFC 4648 defines it, strictly decoded.
#include "common/base64.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "random_bytes.h"

namespace s3pull {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes AsBytes(std::string_view text) { return Bytes(text.begin(), text.end()); }

using testing::RandomBytes;

TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
      {"\xff\xfe\xfd", "//79"},
  };
  for (const auto& [plain, encoded] : cases) {
    EXPECT_EQ(Base64Encode(AsBytes(plain)), encoded);
    EXPECT_EQ(Base64Decode(encoded), AsBytes(plain)) << encoded;
  }
}

TEST(Base64Test, RoundTrips) {
  for (size_t size = 0; size < 70; ++size) {
    const Bytes bytes = AsBytes(RandomBytes(size, size));
    const std::string encoded = Base64Encode(bytes);
    EXPECT_EQ(encoded.size() % 4, 0u);
    EXPECT_EQ(Base64Decode(encoded), bytes) << encoded;
  }
}

TEST(Base64Test, RejectsAnythingNotCanonical) {
  for (std::string_view bad : {"Zg", "Zg=", "Z===", "====", "Zm9v====", "Zg==Zg==", "Zm=v",
                               "Zh==", "Zm9=", "Zm9v\n", " Zm9v", "Zm9-", "Zm9_", "Zm9v YmFy"}) {
    EXPECT_EQ(Base64Decode(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace s3pull
