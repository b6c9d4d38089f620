// GetObject header helpers; see get_object.h.
#include "s3/get_object.h"

#include <charconv>

namespace s3pull::s3 {
namespace {

// Parses all of `text` as a decimal number; nullopt on anything else.
std::optional<uint64_t> ParseDecimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

std::string RangeHeader(uint64_t first, uint64_t length) {
  return "bytes=" + std::to_string(first) + "-" + std::to_string(first + length - 1);
}

std::optional<ContentRange> ParseContentRange(std::string_view value) {
  constexpr std::string_view kUnit = "bytes ";
  if (!value.starts_with(kUnit)) return std::nullopt;
  value.remove_prefix(kUnit.size());
  size_t dash = value.find('-');
  size_t slash = value.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) {
    return std::nullopt;
  }
  std::optional<uint64_t> first = ParseDecimal(value.substr(0, dash));
  std::optional<uint64_t> last = ParseDecimal(value.substr(dash + 1, slash - dash - 1));
  std::optional<uint64_t> total = ParseDecimal(value.substr(slash + 1));
  if (!first || !last || !total || *first > *last || *last >= *total) return std::nullopt;
  return ContentRange{*first, *last, *total};
}

std::optional<uint64_t> ParseContentLength(std::string_view value) { return ParseDecimal(value); }

std::string QuotedEtag(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return std::string(etag);
  return "\"" + std::string(etag) + "\"";
}

uint64_t MultipartCount(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  size_t dash = etag.rfind('-');
  if (dash == std::string_view::npos) return 0;
  std::optional<uint64_t> count = ParseDecimal(etag.substr(dash + 1));
  return count.value_or(0);
}

}  // namespace s3pull::s3
