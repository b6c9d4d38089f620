#include "s3/uri_encode.h"

#include <gtest/gtest.h>

namespace s3pull::s3 {
namespace {

TEST(UriEncodeTest, KeepsUnreservedCharacters) {
  const std::string unreserved =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  EXPECT_EQ(UriEncode(unreserved, true), unreserved);
  EXPECT_EQ(UriEncode(unreserved, false), unreserved);
}

TEST(UriEncodeTest, EncodesEverythingElseWithUpperCaseHex) {
  EXPECT_EQ(UriEncode(" ", true), "%20");
  EXPECT_EQ(UriEncode("+", true), "%2B");
  EXPECT_EQ(UriEncode("*", true), "%2A");
  EXPECT_EQ(UriEncode("=&?#%", true), "%3D%26%3F%23%25");
  EXPECT_EQ(UriEncode("!'()", true), "%21%27%28%29");
  EXPECT_EQ(UriEncode(std::string("\0\x1f\x7f\xff", 4), true), "%00%1F%7F%FF");
  EXPECT_EQ(UriEncode("\xc3\xa9t\xc3\xa9", true), "%C3%A9t%C3%A9");  // "été"
}

TEST(UriEncodeTest, SlashKeptInPathsAndEncodedInQueries) {
  EXPECT_EQ(UriEncode("a/b c/", false), "a/b%20c/");
  EXPECT_EQ(UriEncode("a/b c/", true), "a%2Fb%20c%2F");
  // A key is encoded once and never normalised.
  EXPECT_EQ(UriEncode("a//b/../c/./", false), "a//b/../c/./");
  EXPECT_EQ(UriEncode("100%", false), "100%25");
}

TEST(UriEncodeTest, Empty) {
  EXPECT_EQ(UriEncode("", true), "");
  Result<std::string> decoded = UriDecode("");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "");
}

TEST(UriDecodeTest, DecodesEscapesInEitherCase) {
  Result<std::string> decoded = UriDecode("photos%2F2026%2fa%20b%C3%A9");
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, "photos/2026/a b\xc3\xa9");
}

TEST(UriDecodeTest, PlusIsASpaceAndAnEscapedPlusIsAPlus) {
  Result<std::string> decoded = UriDecode("a+b%2Bc%20d");
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, "a b+c d");
}

TEST(UriDecodeTest, MalformedEscapesAreProtocolErrors) {
  for (const char* bad : {"%", "%4", "abc%", "abc%4", "%G1", "%1G", "%%41", "% 1"}) {
    Result<std::string> decoded = UriDecode(bad);
    ASSERT_FALSE(decoded.ok()) << bad;
    EXPECT_EQ(decoded.status().code(), StatusCode::kProtocolError) << bad;
  }
}

TEST(UriDecodeTest, RoundTripsEveryByte) {
  std::string all;
  for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
  for (bool encode_slash : {true, false}) {
    Result<std::string> decoded = UriDecode(UriEncode(all, encode_slash));
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, all);
  }
}

}  // namespace
}  // namespace s3pull::s3
