// Lower-case hexadecimal, two digits per byte: how SigV4 writes its hashes
// and signatures and how ETags write an MD5. Shared by the layers above.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace s3pull {

// Appends the hex of `bytes` to `out`.
void AppendHex(std::string& out, std::span<const uint8_t> bytes);
// The hex of `bytes`.
std::string HexEncode(std::span<const uint8_t> bytes);

}  // namespace s3pull
