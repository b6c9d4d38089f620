// ASCII text helpers: case and blanks as protocols define them (HTTP header
// names, SigV4, INI files, URLs), independent of the C locale.
#pragma once

#include <string>
#include <string_view>

namespace s3pull {

// 'A'..'Z' to 'a'..'z'; every other byte unchanged.
constexpr char AsciiLower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
std::string AsciiLower(std::string_view text);

// Equal when lower-cased byte by byte.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view text, std::string_view prefix);

// Space, tab, CR, LF, vertical tab, form feed.
constexpr bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
// `text` without leading and trailing IsAsciiSpace bytes.
std::string_view TrimAsciiSpace(std::string_view text);

// A numeric IPv4 address ("10.0.0.1") or a bracketed IPv6 one ("[::1]"),
// as a URL's host writes them; a name otherwise.
bool IsIpLiteral(std::string_view host);

}  // namespace s3pull
