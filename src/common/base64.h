// Standard base64 (RFC 4648 section 4) with padding: how S3 writes
// checksums.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace s3pull {

std::string Base64Encode(std::span<const uint8_t> bytes);
// Strict: nullopt unless `text` is padded canonical base64 (length a multiple
// of 4, no whitespace, unused bits zero).
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);

}  // namespace s3pull
