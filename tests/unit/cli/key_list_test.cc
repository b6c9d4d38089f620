#include "cli/key_list.h"

#include <gtest/gtest.h>

namespace s3pull::cli {
namespace {

TEST(KeyListTest, TakesKeysByteForByteAndSkipsBlanksAndComments) {
  Result<std::vector<KeyListEntry>> entries = ParseKeyList(
      "# a comment\n"
      "plain.txt\n"
      "\n"
      "with space .txt\n"
      "  leading and trailing  \n"
      "plus+percent%20tilde~\n"
      "unicode/\xc3\xa9t\xc3\xa9.bin\r\n"
      "last-line-without-newline");
  ASSERT_TRUE(entries.ok()) << entries.status().ToString();
  std::vector<std::string> keys;
  for (const auto& e : *entries) {
    EXPECT_EQ(e.bucket, "");
    EXPECT_FALSE(e.from_url);
    keys.push_back(e.key);
  }
  EXPECT_EQ(keys,
            (std::vector<std::string>{"plain.txt", "with space .txt", "  leading and trailing  ",
                                      "plus+percent%20tilde~", "unicode/\xc3\xa9t\xc3\xa9.bin",
                                      "last-line-without-newline"}));
}

TEST(KeyListTest, UrlLinesNameTheirBucket) {
  Result<std::vector<KeyListEntry>> entries =
      ParseKeyList("s3://other-bucket/a/b.txt\ns3://bk2/#hash-key\nrel\n");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].bucket, "other-bucket");
  EXPECT_EQ((*entries)[0].key, "a/b.txt");
  EXPECT_TRUE((*entries)[0].from_url);
  EXPECT_EQ((*entries)[1].key, "#hash-key");
  EXPECT_EQ((*entries)[2].bucket, "");
}

TEST(KeyListTest, MalformedUrlNamesTheLine) {
  Result<std::vector<KeyListEntry>> entries = ParseKeyList("ok\n\ns3://\n");
  ASSERT_FALSE(entries.ok());
  EXPECT_EQ(entries.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(entries.status().message().find("line 3"), std::string::npos);
}

TEST(KeyListTest, UrlWithoutKeyIsRefused) { EXPECT_FALSE(ParseKeyList("s3://bucket/\n").ok()); }

TEST(KeyListTest, EmptyListIsEmpty) {
  Result<std::vector<KeyListEntry>> entries = ParseKeyList("\n# only comments\n\n");
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE(entries->empty());
}

}  // namespace
}  // namespace s3pull::cli
