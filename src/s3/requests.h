// Endpoints, addressing and request builders for the S3 calls s3pull makes.
//
// Addressing: with the default AWS endpoint, buckets whose names are DNS-safe
// (lower case, no dots, no '_', 3-63 characters) use virtual-hosted style
// (https://BUCKET.s3.REGION.amazonaws.com/KEY); other buckets, and every
// request to a custom --endpoint-url, use path style (ENDPOINT/BUCKET/KEY).
// Builders are pure: they produce the URL and the pieces SigV4 signs, so the
// same strings are sent and signed.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3pull/options.h"
#include "s3pull/status.h"

namespace s3pull::s3 {

struct Endpoint {
  std::string scheme;     // "https" or "http"
  std::string host;       // "s3.us-east-1.amazonaws.com", "127.0.0.1", "[::1]" (lower case)
  int port = 0;           // 0 = scheme default (an explicit :443 / :80 is stored as 0)
  std::string base_path;  // path prefix of a custom endpoint, without trailing '/'; usually ""
  bool path_style = false;
  std::string region;
};

// An empty `endpoint_url` means AWS S3 in `region`. A custom endpoint is
// "http[s]://host[:port][/path]" (host a DNS name, IPv4, or "[IPv6]"; the
// path already URL-encoded); user:password@, a query, a fragment or another
// scheme are kInvalidArgument, as is a `region` that is empty or not made of
// letters, digits, '-' and '_'. Errors never repeat the URL (it may hold a
// password). `style` kPath forces path style everywhere; kVirtual forces
// virtual-hosted style for a custom endpoint too (for servers configured with
// a DNS name, e.g. radosgw's rgw_dns_name), and is refused for an IP address.
// Even then, buckets that are not DNS-safe stay path style.
Result<Endpoint> ResolveEndpoint(std::string_view endpoint_url, std::string_view region,
                                 AddressingStyle style = AddressingStyle::kAuto);

// One HTTP request, ready to sign and send.
struct S3Request {
  std::string method = "GET";
  std::string url;              // full URL as sent
  std::string host;             // Host header: host[:port] (port only when not default)
  std::string canonical_uri;    // path as sent, encoded once
  std::string canonical_query;  // query as sent, sorted, encoded
  // x-amz-* headers that belong to the call: sent and signed (S3 refuses
  // unsigned ones).
  std::vector<std::pair<std::string, std::string>> headers;
};

// GetObject (also sent as HEAD). `version_id` "" = the current version.
S3Request BuildGetObject(const Endpoint& endpoint, std::string_view bucket, std::string_view key,
                         std::string_view version_id = {});

// GetObjectAttributes (KEY?attributes) asking for the object's ETag, size,
// checksum and parts, up to 1,000 parts from the one after
// `part_number_marker` (0 = from the first).
S3Request BuildGetObjectAttributes(const Endpoint& endpoint, std::string_view bucket,
                                   std::string_view key, uint64_t part_number_marker,
                                   std::string_view version_id = {});

struct ListParams {
  std::string prefix;
  std::string delimiter;           // "" = none
  std::string continuation_token;  // "" on the first page
  int max_keys = 1000;             // <= 0: not sent, the server's default
};
// ListObjectsV2 with encoding-type=url (so keys with any bytes survive XML).
S3Request BuildListObjectsV2(const Endpoint& endpoint, std::string_view bucket,
                             const ListParams& params);

}  // namespace s3pull::s3
