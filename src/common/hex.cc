// Hex encoding; see hex.h.
#include "common/hex.h"

namespace s3pull {

void AppendHex(std::string& out, std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out.reserve(out.size() + bytes.size() * 2);
  for (uint8_t byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
}

std::string HexEncode(std::span<const uint8_t> bytes) {
  std::string out;
  AppendHex(out, bytes);
  return out;
}

}  // namespace s3pull
