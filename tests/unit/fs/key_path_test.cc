#include "fs/key_path.h"

#include <gtest/gtest.h>

#include <string>

namespace s3pull::fs {
namespace {

TEST(KeyPathTest, SafeKeysMapToThemselves) {
  for (const char* key : {"a", "a/b/c.txt", "my photos/2026 trip/IMG 0001.JPG",
                          "\xc3\xa9t\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac.txt", "a\\b", "...",
                          "..a/b..", ".hidden/.x", "a b ", " lead", "%2F+&=?#~", "\xff\xfe"}) {
    Result<std::string> path = SafeRelativePath(key);
    ASSERT_TRUE(path.ok()) << key << ": " << path.status().ToString();
    EXPECT_EQ(*path, key);
  }
}

TEST(KeyPathTest, SegmentsUpTo255BytesAreFine) {
  std::string key = "dir/" + std::string(255, 'x');
  EXPECT_TRUE(SafeRelativePath(key).ok());
}

TEST(KeyPathTest, EveryRefusalNamesItsReason) {
  struct Case {
    std::string key;
    const char* reason;
  };
  const Case cases[] = {
      {"", "empty"},
      {"/etc/passwd", "absolute"},
      {"/", "absolute"},
      {"..", "'..' segment"},
      {"../x", "'..' segment"},
      {"a/../../x", "'..' segment"},
      {"a/..", "'..' segment"},
      {".", "'.' segment"},
      {"./x", "'.' segment"},
      {"a/./b", "'.' segment"},
      {"a//b", "empty segment"},
      {"a/b/", "folder marker"},
      {std::string("a\0b", 3), "control character"},
      {"a\nb", "control character"},
      {"a\rb", "control character"},
      {"a\tb", "control character"},
      {"\x1b[31mred", "control character"},
      {"a\x7f", "control character"},
      {"dir/" + std::string(256, 'x'), "longer than 255 bytes"},
      {std::string(256, 'x') + "/f", "longer than 255 bytes"},
  };
  for (const Case& c : cases) {
    Result<std::string> path = SafeRelativePath(c.key);
    ASSERT_FALSE(path.ok()) << c.key;
    EXPECT_EQ(path.status().code(), StatusCode::kUnsafePath) << c.key;
    EXPECT_NE(path.status().message().find(c.reason), std::string::npos)
        << c.key << ": " << path.status().message();
  }
}

TEST(KeyPathTest, MessagesDoNotRepeatTheKey) {
  Result<std::string> path = SafeRelativePath("\x1b]0;owned\x07/../x");
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().message().find("owned"), std::string::npos);
}

TEST(KeyPathTest, FolderMarkers) {
  EXPECT_TRUE(IsFolderMarker("a/"));
  EXPECT_TRUE(IsFolderMarker("a/b/"));
  EXPECT_TRUE(IsFolderMarker("/"));
  EXPECT_FALSE(IsFolderMarker("a"));
  EXPECT_FALSE(IsFolderMarker("a/b"));
  EXPECT_FALSE(IsFolderMarker(""));
}

TEST(KeyPathTest, DestinationPathJoinsWithOneSlash) {
  struct Case {
    const char* dir;
    const char* key;
    const char* path;
  };
  const Case cases[] = {
      {"out", "a/b.txt", "out/a/b.txt"},
      {"out/", "a/b.txt", "out/a/b.txt"},
      {"out//", "a/b.txt", "out/a/b.txt"},
      {"/data/out", "x", "/data/out/x"},
      {"/data/out/", "x y/\xc3\xa9", "/data/out/x y/\xc3\xa9"},
      {"/", "x", "/x"},
      {"//", "x", "/x"},
      {".", "x", "./x"},
      {"..", "x", "../x"},  // the destination itself may be anywhere
      {"", "a/b", "a/b"},
  };
  for (const Case& c : cases) {
    Result<std::string> path = DestinationPath(c.dir, c.key);
    ASSERT_TRUE(path.ok()) << c.dir << " + " << c.key << ": " << path.status().ToString();
    EXPECT_EQ(*path, c.path) << c.dir << " + " << c.key;
  }
}

TEST(KeyPathTest, DestinationPathRefusesUnsafeKeys) {
  for (const char* key : {"", "/abs", "../x", "a//b", "a/"}) {
    Result<std::string> path = DestinationPath("out", key);
    ASSERT_FALSE(path.ok()) << key;
    EXPECT_EQ(path.status().code(), StatusCode::kUnsafePath);
  }
}

}  // namespace
}  // namespace s3pull::fs
