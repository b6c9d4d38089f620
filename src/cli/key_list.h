// Key lists for "cp --from-file": one key, or one s3://bucket/key URL, a line.
//
// Lines end at LF; a CR before the LF is dropped (lists written on Windows).
// Blank lines and lines whose first byte is '#' are skipped. Everything else
// is taken byte for byte: spaces, '+', '%', unicode are part of the key. A
// key that itself starts with '#' is written as a URL: s3://bucket/#key.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "s3pull/status.h"

namespace s3pull::cli {

struct KeyListEntry {
  std::string bucket;  // "" = the bucket of the command's SOURCE
  std::string key;     // a plain line: as written; a URL line: the URL's key
  bool from_url = false;
};

// Parses the whole list. A malformed URL line is kInvalidArgument naming the
// line number.
Result<std::vector<KeyListEntry>> ParseKeyList(std::string_view text);

// Reads a key list file ("-" = standard input).
Result<std::string> ReadKeyListFile(const std::string& path);

}  // namespace s3pull::cli
