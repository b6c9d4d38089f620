#include "common/ascii.h"

#include <gtest/gtest.h>

namespace s3pull {
namespace {

TEST(AsciiTest, LowerTouchesOnlyAsciiLetters) {
  EXPECT_EQ(AsciiLower("X-Amz-Date: Ä1Z"), "x-amz-date: Ä1z");
  EXPECT_EQ(AsciiLower('@'), '@');
  EXPECT_EQ(AsciiLower('['), '[');
}

TEST(AsciiTest, CaseInsensitiveComparison) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-LENGTH"));
  EXPECT_FALSE(EqualsIgnoreCase("Content-Length", "Content-Lengt"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
  EXPECT_TRUE(StartsWithIgnoreCase("S3://bucket", "s3://"));
  EXPECT_FALSE(StartsWithIgnoreCase("s3:", "s3://"));
}

TEST(AsciiTest, TrimRemovesBlanksAndLineEnds) {
  EXPECT_EQ(TrimAsciiSpace(" \t value with  inner \r\n"), "value with  inner");
  EXPECT_EQ(TrimAsciiSpace(" \t\r\n"), "");
  EXPECT_EQ(TrimAsciiSpace(""), "");
}

TEST(AsciiTest, IpLiteralsNeedNoResolving) {
  EXPECT_TRUE(IsIpLiteral("127.0.0.1"));
  EXPECT_TRUE(IsIpLiteral("[::1]"));
  EXPECT_FALSE(IsIpLiteral("localhost"));
  EXPECT_FALSE(IsIpLiteral("s3.amazonaws.com"));
  EXPECT_FALSE(IsIpLiteral("1.2.3"));
  EXPECT_FALSE(IsIpLiteral("999.1.1.1"));
}

}  // namespace
}  // namespace s3pull
