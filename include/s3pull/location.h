// s3://BUCKET/KEY as users write it, and what kind of source a key names.
#pragma once

#include <string>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull {

struct S3Url {
  std::string bucket;
  std::string key;  // byte for byte after "s3://BUCKET/"; may be empty or end in '/'
};

// "s3://bucket", "s3://bucket/", "s3://bucket/a/b" (the scheme in any case).
// The key is not decoded or normalised. kInvalidArgument for another scheme,
// or an empty or invalid bucket name (CheckBucketName).
Result<S3Url> ParseS3Url(std::string_view url);

// kInvalidArgument unless `bucket` is made of a-z 0-9 . - _ (and upper
// case, for legacy buckets). S3 wants 3 to 63 of them, which ParseS3Url
// checks too; stores that allow fewer or more are served as they are.
Status CheckBucketName(std::string_view bucket);

// Whether `key` holds an unescaped '*', '?' or '[': a glob, not one key.
// Keys are matched whole: '*' any run of characters but '/', '**' any run
// including '/', '?' one character but '/', [abc] [a-z] [!a] one of a set
// (never '/'); a backslash makes the next character literal.
bool IsGlob(std::string_view key);

// One key as written in a SOURCE that is not a glob: "\\*", "\\?", "\\[",
// "\\]" and "\\\\" stand for the character after the backslash (so that a key
// holding a wildcard character can be named); every other byte, other
// backslashes included, is kept as it is.
std::string UnescapeKey(std::string_view key);

}  // namespace s3pull
