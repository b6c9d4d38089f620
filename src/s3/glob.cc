// Glob compilation and matching; see glob.h.
//
// The pattern becomes a list of NFA positions (one per byte it consumes, plus
// one per star run). Matching keeps the set of live positions as a bitset and
// advances it one key byte at a time, so no input can make it backtrack.
#include "s3/glob.h"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>

#include "s3pull/location.h"

namespace s3pull::s3 {
namespace {

Status InvalidPattern(std::string why) {
  return Status(StatusCode::kInvalidArgument, "bad wildcard pattern: " + std::move(why));
}

}  // namespace

namespace {

// One byte of a class at pattern[at], or '\\' and a byte; moves `at` past it.
bool ClassByte(std::string_view pattern, size_t& at, unsigned char& out) {
  if (pattern[at] == '\\' && ++at == pattern.size()) return false;
  out = static_cast<unsigned char>(pattern[at++]);
  return true;
}

// One member of a class at pattern[at]: a byte or a range "a-z", added to
// `bytes`; moves `at` past it.
Status ClassMember(std::string_view pattern, size_t& at, std::bitset<256>& bytes) {
  unsigned char low = 0;
  if (!ClassByte(pattern, at, low)) return InvalidPattern("unclosed '['");
  unsigned char high = low;
  if (at + 1 < pattern.size() && pattern[at] == '-' && pattern[at + 1] != ']') {
    ++at;
    if (!ClassByte(pattern, at, high)) return InvalidPattern("unclosed '['");
    if (high < low) return InvalidPattern("reversed range in '[...]'");
  }
  for (int b = low; b <= high; ++b) bytes.set(b);
  return Status::Ok();
}

}  // namespace

// "[...]" starting at pattern[at] (just after the '['): the token, and `at`
// moved past the ']'.
Result<GlobPattern::Token> GlobPattern::ParseClass(std::string_view pattern, size_t& at) {
  bool negate = at < pattern.size() && (pattern[at] == '!' || pattern[at] == '^');
  if (negate) ++at;
  Token token;
  for (bool first = true;; first = false) {
    if (at >= pattern.size()) return InvalidPattern("unclosed '['");
    if (pattern[at] == ']' && !first) break;
    if (Status member = ClassMember(pattern, at, token.bytes); !member.ok()) return member;
  }
  ++at;  // the ']'
  if (negate) token.bytes.flip();
  token.bytes.reset('/');
  return token;
}

// Marks whole-segment "**/" (it may match no folder), and merges "**/**/"
// into one: the pair matches the same keys, and Matches() relies on a
// skipped "**/" never landing on another.
std::vector<GlobPattern::Token> GlobPattern::MergeDoubleStars(const std::vector<Token>& tokens) {
  auto is_slash = [](const Token& t) {
    return t.kind == Token::Kind::kByte && t.bytes.count() == 1 && t.bytes.test('/');
  };
  std::vector<Token> merged;
  for (size_t k = 0; k < tokens.size(); ++k) {
    Token token = tokens[k];
    if (token.kind == Token::Kind::kDoubleStar) {
      token.or_no_folder =
          (k == 0 || is_slash(tokens[k - 1])) && k + 1 < tokens.size() && is_slash(tokens[k + 1]);
      size_t out = merged.size();
      if (token.or_no_folder && out >= 2 && merged[out - 2].or_no_folder) {
        ++k;  // also drop the '/' after it
        continue;
      }
    }
    merged.push_back(token);
  }
  return merged;
}

Result<GlobPattern> GlobPattern::Compile(std::string_view pattern) {
  GlobPattern glob;
  std::vector<Token> tokens;
  bool in_prefix = true;  // no wildcard yet: literal bytes also go to list_prefix_
  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    Token token;
    if (c == '*') {
      size_t end = std::min(pattern.find_first_not_of('*', i), pattern.size());
      token.kind = end - i == 1 ? Token::Kind::kStar : Token::Kind::kDoubleStar;
      i = end;
    } else if (c == '?') {
      token.bytes.set().reset('/');
      ++i;
    } else if (c == '[') {
      ++i;
      Result<Token> parsed = ParseClass(pattern, i);
      if (!parsed.ok()) return parsed.status();
      token = *parsed;
    } else {
      if (c == '\\') {
        if (++i == pattern.size()) return InvalidPattern("trailing '\\'");
        c = pattern[i];
      }
      token.bytes.set(static_cast<unsigned char>(c));
      if (in_prefix) glob.list_prefix_.push_back(c);
      ++i;
      tokens.push_back(token);
      continue;
    }
    in_prefix = false;
    tokens.push_back(token);
  }
  glob.tokens_ = MergeDoubleStars(tokens);
  return glob;
}

void GlobPattern::Enter(uint64_t* states, size_t position) const {
  auto set = [states](size_t at) { states[at / 64] |= uint64_t{1} << (at % 64); };
  set(position);
  // Star runs are never adjacent and "**/**/" was merged: this never chains.
  const size_t end = tokens_.size();
  if (position == end || tokens_[position].kind == Token::Kind::kByte) return;
  set(position + 1);
  if (tokens_[position].or_no_folder) {
    size_t after_slash = position + 2;
    set(after_slash);
    if (after_slash < end && tokens_[after_slash].kind != Token::Kind::kByte) {
      set(after_slash + 1);
    }
  }
}

bool GlobPattern::Advance(const uint64_t* current, uint64_t* next, size_t words,
                          unsigned char byte) const {
  std::fill(next, next + words, 0);
  bool alive = false;
  for (size_t w = 0; w < words; ++w) {
    for (uint64_t bits = current[w]; bits != 0; bits &= bits - 1) {
      size_t position = w * 64 + static_cast<size_t>(std::countr_zero(bits));
      if (position == tokens_.size()) continue;
      const Token& token = tokens_[position];
      if (token.kind == Token::Kind::kByte) {
        if (!token.bytes.test(byte)) continue;
        Enter(next, position + 1);
      } else {
        if (token.kind == Token::Kind::kStar && byte == '/') continue;
        // The star consumed the byte: it may go on, or stop here (but a
        // "**/" that consumed something can no longer skip its '/').
        next[position / 64] |= uint64_t{1} << (position % 64);
        size_t after = position + 1;
        next[after / 64] |= uint64_t{1} << (after % 64);
      }
      alive = true;
    }
  }
  return alive;
}

bool GlobPattern::Matches(std::string_view key) const {
  // The prefix tokens are single literal bytes: compare them directly.
  if (!key.starts_with(list_prefix_)) return false;

  const size_t end = tokens_.size();  // the accepting position
  const size_t words = end / 64 + 1;
  uint64_t inline_states[8];
  std::vector<uint64_t> heap_states;
  uint64_t* current = inline_states;
  if (2 * words > std::size(inline_states)) {
    heap_states.resize(2 * words);
    current = heap_states.data();
  }
  uint64_t* next = current + words;

  std::fill(current, current + words, 0);
  Enter(current, list_prefix_.size());
  for (size_t at = list_prefix_.size(); at < key.size(); ++at) {
    if (!Advance(current, next, words, static_cast<unsigned char>(key[at]))) return false;
    std::swap(current, next);
  }
  return (current[end / 64] >> (end % 64)) & 1;
}

std::string GlobPattern::BaseDir() const {
  size_t slash = list_prefix_.rfind('/');
  return slash == std::string::npos ? std::string() : list_prefix_.substr(0, slash + 1);
}

}  // namespace s3pull::s3

namespace s3pull {

bool IsGlob(std::string_view key) {
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '\\') {
      ++i;
    } else if (key[i] == '*' || key[i] == '?' || key[i] == '[') {
      return true;
    }
  }
  return false;
}

std::string UnescapeKey(std::string_view key) {
  std::string out;
  out.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    bool escape = key[i] == '\\' && i + 1 < key.size() &&
                  std::string_view("*?[]\\").find(key[i + 1]) != std::string_view::npos;
    out += key[escape ? ++i : i];
  }
  return out;
}

}  // namespace s3pull
