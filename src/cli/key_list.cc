// Key list parsing; see key_list.h.
#include "cli/key_list.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "s3pull/location.h"

namespace s3pull::cli {

Result<std::vector<KeyListEntry>> ParseKeyList(std::string_view text) {
  std::vector<KeyListEntry> entries;
  size_t line_number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("s3://")) {
      Result<S3Url> location = ParseS3Url(line);
      if (!location.ok()) {
        return Status(StatusCode::kInvalidArgument, "key list line " + std::to_string(line_number) +
                                                        ": " + location.status().message());
      }
      if (location->key.empty()) {
        return Status(StatusCode::kInvalidArgument,
                      "key list line " + std::to_string(line_number) + ": the URL names no key");
      }
      entries.push_back({std::move(location->bucket), std::move(location->key), true});
    } else {
      entries.push_back({"", std::string(line), false});
    }
  }
  return entries;
}

Result<std::string> ReadKeyListFile(const std::string& path) {
  if (path == "-") {
    std::ostringstream buffer;
    buffer << std::cin.rdbuf();
    return buffer.str();
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status(StatusCode::kInvalidArgument,
                  "cannot read key list " + path + ": " + std::strerror(errno));
  }
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace s3pull::cli
