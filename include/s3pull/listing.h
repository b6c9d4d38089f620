// Listing: what Downloader::List() asks for and reports, entry by entry.
#pragma once

#include <cstdint>
#include <string>

namespace s3pull {

struct ListRequest {
  std::string bucket;
  // "" = the whole bucket. A glob (IsGlob, location.h) lists the keys it
  // matches; anything else, the keys that start with it.
  std::string prefix_or_glob;
  // false: keys below the next '/' after the prefix come grouped, one
  // common prefix each (a folder view, like `aws s3 ls`). Ignored for a glob.
  bool recursive = true;
};

// One entry of a listing, in the server's order (keys sorted by their bytes).
struct ListedEntry {
  std::string bucket;
  std::string key;  // the object's key, or the common prefix (ending in '/')
  uint64_t size = 0;
  bool is_prefix = false;
  std::string etag = {};           // without quotes; "" for a prefix
  std::string last_modified = {};  // as S3 says it, "2026-12-05T20:30:17.000Z"; "" for a prefix
};

}  // namespace s3pull
