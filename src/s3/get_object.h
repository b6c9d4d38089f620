// The headers of a ranged GetObject: what is asked (Range, If-Match) and what
// the answer says (Content-Range, Content-Length, ETag). Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace s3pull::s3 {

// "bytes=FIRST-LAST" for `length` bytes from `first` (length > 0).
std::string RangeHeader(uint64_t first, uint64_t length);

// "bytes FIRST-LAST/TOTAL" of a 206 response. nullopt when malformed, when
// the total is "*", or when FIRST > LAST or LAST >= TOTAL.
struct ContentRange {
  uint64_t first = 0;
  uint64_t last = 0;
  uint64_t total = 0;
};
std::optional<ContentRange> ParseContentRange(std::string_view value);

// A decimal Content-Length (no sign, no spaces, no overflow), else nullopt.
std::optional<uint64_t> ParseContentLength(std::string_view value);

// The ETag as If-Match wants it: quoted ("\"abc\""), whether `etag` came
// quoted (a header) or bare (a listing).
std::string QuotedEtag(std::string_view etag);

// The part count N of a multipart upload's ETag ("...-N"), or 0 when the ETag
// is not of that form (single-part uploads carry the MD5 of the object).
uint64_t MultipartCount(std::string_view etag);

}  // namespace s3pull::s3
