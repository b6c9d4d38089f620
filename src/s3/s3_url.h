// s3://BUCKET/KEY locations as the user writes them.
#pragma once

#include <string>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull::s3 {

struct S3Location {
  std::string bucket;
  std::string key;  // byte for byte after "s3://BUCKET/"; may be empty or end in '/'
};

// "s3://bucket", "s3://bucket/", "s3://bucket/a/b" (the scheme in any case).
// The key is not decoded or normalised. Errors (kInvalidArgument): another scheme, an empty or
// invalid bucket name (S3 allows 3-63 characters of a-z 0-9 . - _ and upper case for legacy
// buckets; anything with '/' or control characters is refused).
Result<S3Location> ParseS3Url(std::string_view url);

}  // namespace s3pull::s3
