// URI encoding for request paths and query values; see uri_encode.h.
//
// This runs for every request and every listed key, so it is table-driven and
// sizes its output before writing it: one allocation per call at most.
#include "s3/uri_encode.h"

#include <array>
#include <cstdint>

namespace s3pull::s3 {
namespace {

constexpr std::array<bool, 256> kUnreserved = [] {
  std::array<bool, 256> table{};
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (unsigned char c : {'-', '.', '_', '~'}) table[c] = true;
  return table;
}();

// The value of a hex digit, or -1.
constexpr std::array<int8_t, 256> kHexValue = [] {
  std::array<int8_t, 256> table{};
  table.fill(-1);
  for (int c = '0'; c <= '9'; ++c) table[c] = static_cast<int8_t>(c - '0');
  for (int c = 'A'; c <= 'F'; ++c) table[c] = static_cast<int8_t>(c - 'A' + 10);
  for (int c = 'a'; c <= 'f'; ++c) table[c] = static_cast<int8_t>(c - 'a' + 10);
  return table;
}();

constexpr char kHexDigits[] = "0123456789ABCDEF";

}  // namespace

std::string UriEncode(std::string_view bytes, bool encode_slash) {
  auto kept = [encode_slash](unsigned char c) {
    return kUnreserved[c] || (c == '/' && !encode_slash);
  };
  size_t size = bytes.size();
  for (unsigned char c : bytes) {
    if (!kept(c)) size += 2;
  }
  std::string out(size, '\0');
  char* p = out.data();
  for (unsigned char c : bytes) {
    if (kept(c)) {
      *p++ = static_cast<char>(c);
    } else {
      *p++ = '%';
      *p++ = kHexDigits[c >> 4];
      *p++ = kHexDigits[c & 0xF];
    }
  }
  return out;
}

Result<std::string> UriDecode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    if (encoded[i] != '%') {
      out.push_back(encoded[i] == '+' ? ' ' : encoded[i]);
      continue;
    }
    int high = i + 2 < encoded.size() ? kHexValue[static_cast<unsigned char>(encoded[i + 1])] : -1;
    int low = high >= 0 ? kHexValue[static_cast<unsigned char>(encoded[i + 2])] : -1;
    if (low < 0) {
      return Status(StatusCode::kProtocolError,
                    "malformed %-escape at byte " + std::to_string(i) + " of an encoded key");
    }
    out.push_back(static_cast<char>(high << 4 | low));
    i += 2;
  }
  return out;
}

}  // namespace s3pull::s3
