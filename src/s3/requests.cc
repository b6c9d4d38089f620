// Endpoints and request builders; see requests.h.
//
// Every string built here is sent as is and signed as is: the URL's path and
// query are exactly canonical_uri and canonical_query, so SigV4 and the wire
// can never disagree about encoding.
#include "s3/requests.h"

#include "common/ascii.h"
#include "s3/uri_encode.h"

namespace s3pull::s3 {
namespace {

Status BadEndpoint(std::string why) {
  // The URL itself is never echoed: it may carry a user:password.
  return Status(StatusCode::kInvalidArgument, "endpoint URL: " + std::move(why));
}

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// Region names become part of a host name and of the signing scope.
bool IsValidRegion(std::string_view region) {
  if (region.empty() || region.size() > 64) return false;
  for (char c : region) {
    if (!IsAsciiAlnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

// A name that works as a DNS label under a TLS wildcard certificate.
bool IsDnsSafeBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  for (char c : bucket) {
    if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-') return false;
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

// "[v6]" and what follows it: the host with its brackets, and the text after ':'.
Status ParseIpv6Authority(std::string_view authority, std::string& host,
                          std::string_view& port_text) {
  size_t close = authority.find(']');
  if (close == std::string_view::npos) return BadEndpoint("unclosed '[' in the host");
  std::string_view inside = authority.substr(1, close - 1);
  if (inside.find(':') == std::string_view::npos) return BadEndpoint("bad IPv6 address");
  for (char c : inside) {
    bool hex = (c >= '0' && c <= '9') || (AsciiLower(c) >= 'a' && AsciiLower(c) <= 'f');
    if (!hex && c != ':' && c != '.') return BadEndpoint("bad IPv6 address");
  }
  host = AsciiLower(authority.substr(0, close + 1));
  std::string_view after = authority.substr(close + 1);
  if (after.empty()) return Status::Ok();
  if (after[0] != ':') return BadEndpoint("unexpected text after the IPv6 address");
  port_text = after.substr(1);
  return port_text.empty() ? BadEndpoint("empty port") : Status::Ok();
}

// "name[:port]": the host lower-cased, and the text after ':'.
Status ParseNameAuthority(std::string_view authority, std::string& host,
                          std::string_view& port_text) {
  size_t colon = authority.find(':');
  if (colon != authority.rfind(':')) {
    return BadEndpoint("an IPv6 address needs brackets: http://[::1]:9000");
  }
  std::string_view name = authority.substr(0, colon);
  if (name.empty()) return BadEndpoint("no host");
  for (char c : name) {
    if (!IsAsciiAlnum(c) && c != '-' && c != '.' && c != '_') {
      return BadEndpoint("bad character in the host name");
    }
  }
  host = AsciiLower(name);
  if (colon == std::string_view::npos) return Status::Ok();
  port_text = authority.substr(colon + 1);
  return port_text.empty() ? BadEndpoint("empty port") : Status::Ok();
}

// Splits "host[:port]" or "[v6]:port"; host keeps the IPv6 brackets.
Status ParseAuthority(std::string_view authority, std::string& host, int& port) {
  std::string_view port_text;
  Status parsed = authority.starts_with('[') ? ParseIpv6Authority(authority, host, port_text)
                                             : ParseNameAuthority(authority, host, port_text);
  if (!parsed.ok()) return parsed;
  port = 0;
  if (port_text.empty()) return Status::Ok();
  if (port_text.size() > 5) return BadEndpoint("bad port");
  for (char c : port_text) {
    if (c < '0' || c > '9') return BadEndpoint("bad port");
    port = port * 10 + (c - '0');
  }
  return port < 1 || port > 65535 ? BadEndpoint("port out of range") : Status::Ok();
}

bool UseVirtualHost(const Endpoint& endpoint, std::string_view bucket) {
  return !endpoint.path_style && IsDnsSafeBucket(bucket);
}

std::string HostHeader(const Endpoint& endpoint, std::string_view bucket, bool virtual_host) {
  std::string host;
  if (virtual_host) {
    host.append(bucket);
    host.push_back('.');
  }
  host += endpoint.host;
  if (endpoint.port != 0) {
    host.push_back(':');
    host += std::to_string(endpoint.port);
  }
  return host;
}

// The path up to and including the bucket: "" (virtual-hosted) or "/BUCKET".
std::string BucketPath(const Endpoint& endpoint, std::string_view bucket, bool virtual_host) {
  std::string path = endpoint.base_path;
  if (!virtual_host) {
    path.push_back('/');
    path += UriEncode(bucket, /*encode_slash=*/true);
  }
  return path;
}

void FinishUrl(const Endpoint& endpoint, S3Request& request) {
  request.url.reserve(endpoint.scheme.size() + 3 + request.host.size() +
                      request.canonical_uri.size() + 1 + request.canonical_query.size());
  request.url += endpoint.scheme;
  request.url += "://";
  request.url += request.host;
  request.url += request.canonical_uri;
  if (!request.canonical_query.empty()) {
    request.url.push_back('?');
    request.url += request.canonical_query;
  }
}

void AppendParam(std::string& query, std::string_view name, std::string_view encoded_value) {
  if (!query.empty()) query.push_back('&');
  query += name;
  query.push_back('=');
  query += encoded_value;
}

// An object's request with `query` (sorted, encoded; "" = none) before its
// versionId.
S3Request ObjectRequest(const Endpoint& endpoint, std::string_view bucket, std::string_view key,
                        std::string query, std::string_view version_id) {
  bool virtual_host = UseVirtualHost(endpoint, bucket);
  S3Request request;
  request.host = HostHeader(endpoint, bucket, virtual_host);
  request.canonical_uri = BucketPath(endpoint, bucket, virtual_host);
  request.canonical_uri.push_back('/');
  request.canonical_uri += UriEncode(key, /*encode_slash=*/false);
  request.canonical_query = std::move(query);
  if (!version_id.empty()) {
    AppendParam(request.canonical_query, "versionId", UriEncode(version_id, true));
  }
  FinishUrl(endpoint, request);
  return request;
}

}  // namespace

Result<Endpoint> ResolveEndpoint(std::string_view endpoint_url, std::string_view region,
                                 AddressingStyle style) {
  if (!IsValidRegion(region)) {
    return Status(StatusCode::kInvalidArgument,
                  "region must be non-empty letters, digits, '-' and '_'");
  }
  Endpoint endpoint;
  endpoint.region = std::string(region);
  if (endpoint_url.empty()) {
    endpoint.scheme = "https";
    endpoint.host = "s3." + endpoint.region + ".amazonaws.com";
    endpoint.path_style = style == AddressingStyle::kPath;
    return endpoint;
  }

  size_t scheme_end = endpoint_url.find("://");
  std::string scheme =
      AsciiLower(endpoint_url.substr(0, scheme_end == std::string_view::npos ? 0 : scheme_end));
  if (scheme != "http" && scheme != "https") {
    return BadEndpoint("must start with http:// or https://");
  }
  std::string_view rest = endpoint_url.substr(scheme_end + 3);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return BadEndpoint("must not have a query or a fragment");
  }
  size_t path_start = rest.find('/');
  std::string_view authority = rest.substr(0, path_start);
  if (authority.find('@') != std::string_view::npos) {
    return BadEndpoint("must not contain user:password@ (credentials come from the usual places)");
  }
  if (authority.empty()) return BadEndpoint("no host");
  endpoint.scheme = std::move(scheme);
  if (Status status = ParseAuthority(authority, endpoint.host, endpoint.port); !status.ok()) {
    return status;
  }
  if (endpoint.port == (endpoint.scheme == "https" ? 443 : 80)) endpoint.port = 0;

  std::string_view path = path_start == std::string_view::npos ? "" : rest.substr(path_start);
  while (path.ends_with('/')) path.remove_suffix(1);
  for (char c : path) {
    if (c <= ' ' || c >= 0x7f) return BadEndpoint("the path must be URL-encoded");
  }
  endpoint.base_path = std::string(path);

  bool virtual_hosted = style == AddressingStyle::kVirtual;
  if (virtual_hosted && IsIpLiteral(endpoint.host)) {
    return BadEndpoint("virtual-hosted style needs a DNS name, not an IP address");
  }
  endpoint.path_style = !virtual_hosted;
  return endpoint;
}

S3Request BuildGetObject(const Endpoint& endpoint, std::string_view bucket, std::string_view key,
                         std::string_view version_id) {
  return ObjectRequest(endpoint, bucket, key, "", version_id);
}

S3Request BuildGetObjectAttributes(const Endpoint& endpoint, std::string_view bucket,
                                   std::string_view key, uint64_t part_number_marker,
                                   std::string_view version_id) {
  S3Request request = ObjectRequest(endpoint, bucket, key, "attributes=", version_id);
  request.headers = {{"x-amz-max-parts", "1000"},
                     {"x-amz-object-attributes", "ETag,Checksum,ObjectParts,ObjectSize"}};
  if (part_number_marker > 0) {
    request.headers.emplace_back("x-amz-part-number-marker", std::to_string(part_number_marker));
  }
  return request;
}

S3Request BuildListObjectsV2(const Endpoint& endpoint, std::string_view bucket,
                             const ListParams& params) {
  bool virtual_host = UseVirtualHost(endpoint, bucket);
  S3Request request;
  request.host = HostHeader(endpoint, bucket, virtual_host);
  request.canonical_uri = BucketPath(endpoint, bucket, virtual_host);
  if (virtual_host) request.canonical_uri.push_back('/');

  // Appended in sorted order, so the query sent is already canonical.
  std::string& query = request.canonical_query;
  if (!params.continuation_token.empty()) {
    AppendParam(query, "continuation-token", UriEncode(params.continuation_token, true));
  }
  if (!params.delimiter.empty()) AppendParam(query, "delimiter", UriEncode(params.delimiter, true));
  AppendParam(query, "encoding-type", "url");
  AppendParam(query, "list-type", "2");
  if (params.max_keys > 0) AppendParam(query, "max-keys", std::to_string(params.max_keys));
  if (!params.prefix.empty()) AppendParam(query, "prefix", UriEncode(params.prefix, true));
  FinishUrl(endpoint, request);
  return request;
}

}  // namespace s3pull::s3
