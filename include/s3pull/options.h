// Options of an s3pull client: where S3 is, who we are, how hard to push.
//
// Every field has a default that works against AWS S3 with the standard
// credential chain; empty strings mean "resolve as the AWS CLI does".
#pragma once

#include <cstdint>
#include <string>

namespace s3pull {

struct ClientOptions {
  // "" = AWS S3 in `region`. Otherwise "http[s]://host[:port]": requests use
  // path-style addressing unless `virtual_hosted` is set.
  std::string endpoint_url;
  bool virtual_hosted = false;
  // "" = AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region,
  // then "us-east-1".
  std::string region;
  // "" = AWS_PROFILE, then "default". When named here, credentials come from
  // the profile even if AWS_ACCESS_KEY_ID is set.
  std::string profile;
  // false = anonymous requests (public buckets): no credentials are read.
  bool sign_requests = true;
  // Requests in flight at once (and connections kept open).
  int concurrency = 64;
  // Objects larger than this are fetched in ranged GETs of this many bytes
  // (aligned to the stored parts of multipart uploads when the ETag says so).
  uint64_t part_size = 8 * 1024 * 1024;
  // TLS: verify the server certificate (always, unless the user opts out).
  bool verify_tls = true;
  std::string ca_bundle;  // "" = the system's trust store
};

}  // namespace s3pull
