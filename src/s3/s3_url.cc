// Parsing s3://BUCKET/KEY; see include/s3pull/location.h.
#include "common/ascii.h"
#include "s3pull/location.h"

namespace s3pull {
namespace {

bool IsBucketChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == '_';
}

}  // namespace

Status CheckBucketName(std::string_view bucket) {
  if (bucket.empty()) return Status(StatusCode::kInvalidArgument, "the bucket name is empty");
  for (char c : bucket) {
    if (!IsBucketChar(c)) {
      return Status(StatusCode::kInvalidArgument,
                    "a bucket name has only letters, digits, '.', '-' and '_'");
    }
  }
  return Status::Ok();
}

Result<S3Url> ParseS3Url(std::string_view url) {
  constexpr std::string_view kScheme = "s3://";
  if (!StartsWithIgnoreCase(url, kScheme)) {
    return Status(StatusCode::kInvalidArgument, "not an s3:// URL");
  }
  std::string_view rest = url.substr(kScheme.size());
  size_t slash = rest.find('/');
  std::string_view bucket = rest.substr(0, slash);
  if (bucket.empty()) return Status(StatusCode::kInvalidArgument, "the s3:// URL has no bucket");
  if (Status valid = CheckBucketName(bucket); !valid.ok()) return valid;
  if (bucket.size() < 3 || bucket.size() > 63) {
    return Status(StatusCode::kInvalidArgument, "a bucket name has 3 to 63 characters");
  }
  S3Url location;
  location.bucket = std::string(bucket);
  if (slash != std::string_view::npos) location.key = std::string(rest.substr(slash + 1));
  return location;
}

}  // namespace s3pull
