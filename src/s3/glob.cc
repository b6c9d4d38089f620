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

namespace s3pull::s3 {
namespace {

Status InvalidPattern(std::string why) {
  return Status(StatusCode::kInvalidArgument, "bad wildcard pattern: " + std::move(why));
}

}  // namespace

bool HasWildcard(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\') {
      ++i;
    } else if (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '[') {
      return true;
    }
  }
  return false;
}

Result<GlobPattern> GlobPattern::Compile(std::string_view pattern) {
  GlobPattern glob;
  std::vector<Token> tokens;
  bool in_prefix = true;
  auto push_byte = [&](char c) {
    Token token;
    token.bytes.set(static_cast<unsigned char>(c));
    tokens.push_back(token);
    if (in_prefix) glob.list_prefix_.push_back(c);
  };
  // One class member, or the end of a range: a byte, or '\' and a byte.
  auto class_byte = [&](size_t& at, unsigned char& out) {
    if (pattern[at] == '\\') {
      if (++at == pattern.size()) return false;
    }
    out = static_cast<unsigned char>(pattern[at++]);
    return true;
  };

  for (size_t i = 0; i < pattern.size();) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 == pattern.size()) return InvalidPattern("trailing '\\'");
      push_byte(pattern[i + 1]);
      i += 2;
    } else if (c == '*') {
      in_prefix = false;
      size_t end = std::min(pattern.find_first_not_of('*', i), pattern.size());
      Token token;
      token.kind = end - i == 1 ? Token::Kind::kStar : Token::Kind::kDoubleStar;
      tokens.push_back(token);
      i = end;
    } else if (c == '?') {
      in_prefix = false;
      Token token;
      token.bytes.set().reset('/');
      tokens.push_back(token);
      ++i;
    } else if (c == '[') {
      in_prefix = false;
      size_t at = i + 1;
      bool negate = at < pattern.size() && (pattern[at] == '!' || pattern[at] == '^');
      if (negate) ++at;
      Token token;
      for (bool first = true;; first = false) {
        if (at >= pattern.size()) return InvalidPattern("unclosed '['");
        if (pattern[at] == ']' && !first) break;
        unsigned char low = 0;
        if (!class_byte(at, low)) return InvalidPattern("unclosed '['");
        unsigned char high = low;
        if (at + 1 < pattern.size() && pattern[at] == '-' && pattern[at + 1] != ']') {
          ++at;
          if (!class_byte(at, high)) return InvalidPattern("unclosed '['");
          if (high < low) return InvalidPattern("reversed range in '[...]'");
        }
        for (int b = low; b <= high; ++b) token.bytes.set(b);
      }
      if (negate) token.bytes.flip();
      token.bytes.reset('/');
      tokens.push_back(token);
      i = at + 1;
    } else {
      push_byte(c);
      ++i;
    }
  }

  // Mark whole-segment "**/" (it may match no folder), and merge "**/**/"
  // into one: the pair matches the same keys, and Matches() relies on a
  // skipped "**/" never landing on another.
  auto is_slash = [](const Token& t) {
    return t.kind == Token::Kind::kByte && t.bytes.count() == 1 && t.bytes.test('/');
  };
  for (size_t k = 0; k < tokens.size(); ++k) {
    Token token = tokens[k];
    if (token.kind == Token::Kind::kDoubleStar) {
      token.or_no_folder =
          (k == 0 || is_slash(tokens[k - 1])) && k + 1 < tokens.size() && is_slash(tokens[k + 1]);
      size_t out = glob.tokens_.size();
      if (token.or_no_folder && out >= 2 && glob.tokens_[out - 2].or_no_folder) {
        ++k;  // also drop the '/' after it
        continue;
      }
    }
    glob.tokens_.push_back(token);
  }
  return glob;
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

  auto set = [](uint64_t* states, size_t position) {
    states[position / 64] |= uint64_t{1} << (position % 64);
  };
  // Enters `position` and what it reaches without consuming a byte. Star
  // runs are never adjacent and "**/**/" was merged, so this never chains.
  auto enter = [&](uint64_t* states, size_t position) {
    set(states, position);
    if (position == end || tokens_[position].kind == Token::Kind::kByte) return;
    set(states, position + 1);
    if (tokens_[position].or_no_folder) {
      size_t after_slash = position + 2;
      set(states, after_slash);
      if (after_slash < end && tokens_[after_slash].kind != Token::Kind::kByte) {
        set(states, after_slash + 1);
      }
    }
  };

  std::fill(current, current + words, 0);
  enter(current, list_prefix_.size());
  for (size_t at = list_prefix_.size(); at < key.size(); ++at) {
    const auto byte = static_cast<unsigned char>(key[at]);
    std::fill(next, next + words, 0);
    bool alive = false;
    for (size_t w = 0; w < words; ++w) {
      for (uint64_t bits = current[w]; bits != 0; bits &= bits - 1) {
        size_t position = w * 64 + static_cast<size_t>(std::countr_zero(bits));
        if (position == end) continue;
        const Token& token = tokens_[position];
        if (token.kind == Token::Kind::kByte) {
          if (!token.bytes.test(byte)) continue;
          enter(next, position + 1);
        } else {
          if (token.kind == Token::Kind::kStar && byte == '/') continue;
          // The star consumed the byte: it may go on, or stop here (but a
          // "**/" that consumed something can no longer skip its '/').
          set(next, position);
          set(next, position + 1);
        }
        alive = true;
      }
    }
    if (!alive) return false;
    std::swap(current, next);
  }
  return (current[end / 64] >> (end % 64)) & 1;
}

std::string GlobPattern::BaseDir() const {
  size_t slash = list_prefix_.rfind('/');
  return slash == std::string::npos ? std::string() : list_prefix_.substr(0, slash + 1);
}

}  // namespace s3pull::s3
