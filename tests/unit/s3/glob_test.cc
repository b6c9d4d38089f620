#include "s3/glob.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "s3pull/location.h"

namespace s3pull::s3 {
namespace {

GlobPattern MustCompile(std::string_view pattern) {
  Result<GlobPattern> glob = GlobPattern::Compile(pattern);
  EXPECT_TRUE(glob.ok()) << pattern << ": " << glob.status().ToString();
  return *std::move(glob);
}

struct MatchCase {
  const char* pattern;
  const char* key;
  bool matches;
};

const MatchCase kMatchCases[] = {
    // Literals: the whole key must match.
    {"a/b.txt", "a/b.txt", true},
    {"a/b.txt", "a/b.txt2", false},
    {"a/b.txt", "a/b.tx", false},
    {"a/b.txt", "A/b.txt", false},
    {"", "", true},
    {"", "a", false},
    // '*': any run except '/'.
    {"*", "", true},
    {"*", "abc", true},
    {"*", "a/b", false},
    {"*.gz", "x.gz", true},
    {"*.gz", ".gz", true},
    {"*.gz", "dir/x.gz", false},
    {"logs/*.gz", "logs/a.gz", true},
    {"logs/*.gz", "logs/a/b.gz", false},
    {"logs/*", "logs/", true},
    {"logs/2026-*/*.gz", "logs/2026-01/app.gz", true},
    {"logs/2026-*/*.gz", "logs/2026-01/x/app.gz", false},
    {"logs/2026-*/*.gz", "logs/2025-01/app.gz", false},
    {"a*b*c", "abc", true},
    {"a*b*c", "aXXbYYc", true},
    {"a*b*c", "aXXbYYcZ", false},
    {"a*b*c", "aXX/bYYc", false},
    {"*a*a*b", "aaaab", true},
    {"*a*a*b", "ab", false},
    // '**': any run, '/' included.
    {"**", "", true},
    {"**", "a/b/c", true},
    {"logs/**", "logs/", true},
    {"logs/**", "logs/a/b/c.gz", true},
    {"logs/**", "logs", false},
    {"logs/**.gz", "logs/a/b/c.gz", true},
    {"logs/**.gz", "logs/a/b/c.txt", false},
    {"a**b", "a/x/y/b", true},
    {"a**b", "ab", true},
    {"a***b", "a/x/b", true},
    {"**/*.gz", "a/b/c.gz", true},
    {"**/*.gz", "a/b/c/d.txt", false},
    // A whole-segment "**/" also matches no folder at all.
    {"**/*.gz", "c.gz", true},
    {"**/c.gz", "c.gz", true},
    {"**/c.gz", "xc.gz", false},
    {"**/c.gz", "x/c.gz", true},
    {"a/**/b", "a/b", true},
    {"a/**/b", "a/x/b", true},
    {"a/**/b", "a/x/y/b", true},
    {"a/**/b", "a/xb", false},
    {"a/**/b", "ab", false},
    {"a/**/**/b", "a/b", true},
    {"a/**/**/b", "a/x/y/b", true},
    {"a/**/**/*.gz", "a/x.gz", true},
    {"a/**/", "a/", true},
    {"a/**/", "a/x/", true},
    {"a/**/", "a/x", false},
    {"**/**", "anything/at/all", true},
    {"x**/b", "x/b", true},  // not a whole segment: needs the '/'
    {"x**/b", "xb", false},
    {"a/**b", "a/b", true},
    {"a/**b", "a/x/yb", true},
    // '?': one character except '/'.
    {"?", "a", true},
    {"?", "", false},
    {"?", "ab", false},
    {"?", "/", false},
    {"a?c", "abc", true},
    {"a?c", "a/c", false},
    {"file-??.txt", "file-01.txt", true},
    {"file-??.txt", "file-1.txt", false},
    {"?", "\xc3", true},  // matching is on bytes
    {"?", "\xc3\xa9", false},
    {"??", "\xc3\xa9", true},
    // Classes.
    {"[abc]", "b", true},
    {"[abc]", "d", false},
    {"[a-c]x", "cx", true},
    {"[a-c]x", "dx", false},
    {"[!a-c]", "d", true},
    {"[!a-c]", "b", false},
    {"[^a-c]", "d", true},
    {"[^a-c]", "a", false},
    {"[!a]", "/", false},  // never '/'
    {"[/]", "/", false},
    {"a[/]b", "a/b", false},
    {"[]]", "]", true},  // ']' first is literal
    {"[!]]", "]", false},
    {"[!]]", "a", true},
    {"[]a]", "a", true},
    {"[-a]", "-", true},  // '-' first or last is literal
    {"[a-]", "-", true},
    {"[a-]", "b", false},
    {"[\\]]", "]", true},  // escapes inside a class
    {"[\\!a]", "!", true},
    {"[a\\-c]", "-", true},
    {"[a\\-c]", "b", false},
    {"[*?]", "*", true},
    {"[*?]", "x", false},
    {"[0-9][0-9]", "42", true},
    {"[0-9][0-9]", "4a", false},
    {"[\x80-\xff]", "\xc3", true},
    {"[a-z0-9_]*.log", "app_1.log", true},
    {"[a-z0-9_]*.log", "App.log", false},
    // Escapes.
    {"a\\*b", "a*b", true},
    {"a\\*b", "aXb", false},
    {"\\?", "?", true},
    {"\\?", "a", false},
    {"\\[ab]", "[ab]", true},
    {"\\\\", "\\", true},
    {"\\a", "a", true},
    // Keys with spaces, '%', '+', UTF-8 are plain bytes.
    {"my photos/*.jpg", "my photos/\xc3\xa9t\xc3\xa9 1.jpg", true},
    {"100%/*+*", "100%/a+b", true},
    {"a.b", "aXb", false},
};

TEST(GlobPatternTest, MatchTable) {
  for (const MatchCase& c : kMatchCases) {
    GlobPattern glob = MustCompile(c.pattern);
    EXPECT_EQ(glob.Matches(c.key), c.matches)
        << "pattern '" << c.pattern << "' key '" << c.key << "'";
  }
}

TEST(GlobPatternTest, ListPrefixAndBaseDir) {
  struct Case {
    const char* pattern;
    const char* list_prefix;
    const char* base_dir;
  };
  const Case cases[] = {
      {"logs/2026-*/*.gz", "logs/2026-", "logs/"},
      {"logs/*", "logs/", "logs/"},
      {"*.gz", "", ""},
      {"abc*", "abc", ""},
      {"a/b/c?d", "a/b/c", "a/b/"},
      {"a/[bc]/d", "a/", "a/"},
      {"a\\*b/*", "a*b/", "a*b/"},
      {"a\\/b*", "a/b", "a/"},
      {"a/**/b", "a/", "a/"},
      {"no/wildcard.txt", "no/wildcard.txt", "no/"},
      {"", "", ""},
  };
  for (const Case& c : cases) {
    GlobPattern glob = MustCompile(c.pattern);
    EXPECT_EQ(glob.ListPrefix(), c.list_prefix) << c.pattern;
    EXPECT_EQ(glob.BaseDir(), c.base_dir) << c.pattern;
  }
}

TEST(GlobPatternTest, InvalidPatterns) {
  for (const char* bad :
       {"[", "a[bc", "a[!", "[]", "[!]", "a\\", "[a\\", "[a-\\", "[z-a]", "x/[9-0]"}) {
    Result<GlobPattern> glob = GlobPattern::Compile(bad);
    ASSERT_FALSE(glob.ok()) << bad;
    EXPECT_EQ(glob.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(GlobPatternTest, UnescapeKeyDropsOnlyTheBackslashesOfWildcards) {
  EXPECT_EQ(UnescapeKey("report\\[1\\].csv"), "report[1].csv");
  EXPECT_EQ(UnescapeKey("a\\*b\\?c"), "a*b?c");
  EXPECT_EQ(UnescapeKey("a\\\\*"), "a\\*");                  // an escaped backslash, then a star
  EXPECT_EQ(UnescapeKey("dir\\file.txt"), "dir\\file.txt");  // not an escape: kept
  EXPECT_EQ(UnescapeKey("trailing\\"), "trailing\\");
  EXPECT_FALSE(IsGlob("report\\[1\\].csv"));
}

TEST(GlobPatternTest, IsGlobFindsUnescapedWildcards) {
  EXPECT_TRUE(IsGlob("*.gz"));
  EXPECT_TRUE(IsGlob("a?b"));
  EXPECT_TRUE(IsGlob("a[b]"));
  EXPECT_TRUE(IsGlob("a\\*b*"));
  EXPECT_FALSE(IsGlob("a/b.txt"));
  EXPECT_FALSE(IsGlob("a\\*b"));
  EXPECT_FALSE(IsGlob("a\\?\\["));
  EXPECT_FALSE(IsGlob("a]b-c!"));
  EXPECT_FALSE(IsGlob("trailing\\"));
  EXPECT_FALSE(IsGlob(""));
}

TEST(GlobPatternTest, LongPatternsBeyondOneStateWord) {
  std::string pattern, key;
  for (int i = 0; i < 100; ++i) {
    pattern += "d" + std::to_string(i) + "*/";
    key += "d" + std::to_string(i) + "x/";
  }
  pattern += "**.gz";
  key += "deep/er/file.gz";
  GlobPattern glob = MustCompile(pattern);
  EXPECT_TRUE(glob.Matches(key));
  EXPECT_FALSE(glob.Matches(key + "2"));
}

TEST(GlobPatternTest, PathologicalPatternsRunFast) {
  const std::string long_a(20000, 'a');
  const std::string long_slashes = [] {
    std::string s;
    for (int i = 0; i < 5000; ++i) s += "a/";
    return s;
  }();
  struct Case {
    std::string pattern;
    std::string key;
    bool matches;
  };
  const Case cases[] = {
      {"*a*a*a*a*a*a*a*a*a*a*b", long_a, false},
      {"*a*a*a*a*a*a*a*a*a*a*b", long_a + "b", true},
      {"**a**a**a**a**a**a**a**b", long_slashes, false},
      {"**/**/**/**/**/**/**/**/b", long_slashes, false},
      {"**/**/**/**/**/**/**/**/b", long_slashes + "b", true},
      {"*?*?*?*?*?*?*?*?*?*?*!", long_a, false},
      {"[a]*[a]*[a]*[a]*[a]*c", long_a, false},
  };
  auto start = std::chrono::steady_clock::now();
  for (const Case& c : cases) {
    GlobPattern glob = MustCompile(c.pattern);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(glob.Matches(c.key), c.matches) << c.pattern;
  }
  // Exponential backtracking would take hours here; the NFA takes milliseconds.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(GlobPatternTest, CopiesMatchTheSame) {
  GlobPattern original = MustCompile("a/*/[0-9]?.log");
  GlobPattern copy = original;
  EXPECT_TRUE(copy.Matches("a/b/1x.log"));
  EXPECT_FALSE(copy.Matches("a/b/c/1x.log"));
  EXPECT_EQ(copy.ListPrefix(), "a/");
}

}  // namespace
}  // namespace s3pull::s3
