// Glob patterns on object keys.
//
// Rules (documented in README.md):
//   *      any run of characters except '/'
//   **     any run of characters including '/' (any depth); as a whole
//          segment followed by '/' ("**/x", "a/**/x") it also matches no
//          folder at all, so "a/**/x" matches "a/x" and "a/b/c/x"
//   ?      one character except '/'
//   [abc] [a-z] [!a-z] [^a-z]   one character from (not from) the set; never
//          '/'; a ']' right after '[' or '[!' is literal; '\' escapes inside
//   \x     the character x literally
// Matching is on bytes; the whole key must match. A key has a wildcard when
// it contains an unescaped '*', '?' or '[' (IsGlob, include/s3pull/location.h).
//
// Matching simulates the pattern as an NFA over bytes: time is linear in the
// key times the pattern length, whatever the pattern ("*a*a*a*b" included).
// A compiled pattern is immutable; Matches() may be called from any thread.
#pragma once

#include <bitset>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "s3pull/status.h"

namespace s3pull::s3 {

class GlobPattern {
 public:
  // kInvalidArgument for an unclosed '[', a reversed range ("[z-a]") or a
  // trailing '\'.
  static Result<GlobPattern> Compile(std::string_view pattern);

  bool Matches(std::string_view key) const;

  // The literal text before the first wildcard, unescaped: the prefix to list.
  const std::string& ListPrefix() const { return list_prefix_; }
  // ListPrefix() cut after its last '/': the part of each key that is not
  // reproduced under the destination ("logs/2026-*/*.gz" -> "logs/").
  std::string BaseDir() const;

 private:
  // One NFA position. Literals, '?' and classes all become kByte with the set
  // of bytes they accept; star runs are never adjacent (Compile merges them).
  struct Token {
    enum class Kind : unsigned char { kByte, kStar, kDoubleStar };
    Kind kind = Kind::kByte;
    bool or_no_folder = false;  // a whole-segment "**" before '/': may skip itself and the '/'
    std::bitset<256> bytes;     // kByte only
  };

  static Result<Token> ParseClass(std::string_view pattern, size_t& at);
  static std::vector<Token> MergeDoubleStars(const std::vector<Token>& tokens);
  // Sets `position` in `states`, and what it reaches without a byte.
  void Enter(uint64_t* states, size_t position) const;
  // One key byte: the positions live after it, from those live before;
  // false when none is.
  bool Advance(const uint64_t* current, uint64_t* next, size_t words, unsigned char byte) const;

  std::vector<Token> tokens_;
  std::string list_prefix_;
  GlobPattern() = default;
};

}  // namespace s3pull::s3
