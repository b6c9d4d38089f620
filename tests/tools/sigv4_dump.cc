// sigv4_dump: signs requests described on stdin and prints what SigV4
// produced, so that a reference signer (botocore, in
// tests/integration/test_sigv4_differential.py) can be compared against ours.
//
// One JSON object per input line, one JSON object per output line. Common
// fields: "access_key", "secret_key", "session_token" (optional), "region",
// "time" (Unix seconds), "headers" (optional [[name, value], ...]). Then
// either the signing input itself:
//   {"method", "host", "canonical_uri", "canonical_query", ...}
// or a request for the real builders to make, on "endpoint" and "bucket":
//   {"key_hex": HEX, ...}                         GetObject
//   {"list": {"prefix_hex", "delimiter", "continuation_token", "max_keys"}}
// Byte strings that may not be valid UTF-8 travel as hex ("key_hex",
// "prefix_hex"; "key" and "prefix" are accepted for text).
// Output: {"canonical_request", "string_to_sign", "signature",
// "authorization"}, plus "url" and "host" when the builders made the request,
// or {"error": MESSAGE}.
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "auth/sigv4.h"
#include "s3/requests.h"

namespace {

using nlohmann::json;
using s3pull::auth::SigningRequest;

std::string FromHex(const std::string& hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("bad hex digit");
  };
  if (hex.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out += static_cast<char>(nibble(hex[i]) << 4 | nibble(hex[i + 1]));
  }
  return out;
}

// `name`_hex decoded, else `name` as text, else "".
std::string Bytes(const json& object, const std::string& name) {
  if (object.contains(name + "_hex")) return FromHex(object.at(name + "_hex").get<std::string>());
  return object.value(name, "");
}

json Process(const json& in) {
  SigningRequest request;
  json out;
  if (in.contains("bucket")) {
    s3pull::Result<s3pull::s3::Endpoint> endpoint =
        s3pull::s3::ResolveEndpoint(in.at("endpoint").get<std::string>(), in.value("region", ""));
    if (!endpoint.ok()) return {{"error", endpoint.status().ToString()}};
    const std::string bucket = in.at("bucket").get<std::string>();
    s3pull::s3::S3Request built;
    if (in.contains("list")) {
      const json& list = in.at("list");
      s3pull::s3::ListParams params;
      params.prefix = Bytes(list, "prefix");
      params.delimiter = list.value("delimiter", "");
      params.continuation_token = list.value("continuation_token", "");
      params.max_keys = list.value("max_keys", params.max_keys);
      built = s3pull::s3::BuildListObjectsV2(*endpoint, bucket, params);
    } else {
      built = s3pull::s3::BuildGetObject(*endpoint, bucket, Bytes(in, "key"));
    }
    request.method = built.method;
    request.host = built.host;
    request.canonical_uri = built.canonical_uri;
    request.canonical_query = built.canonical_query;
    out["url"] = built.url;
    out["host"] = built.host;
  } else {
    request.method = in.value("method", "GET");
    request.host = in.at("host").get<std::string>();
    request.canonical_uri = in.at("canonical_uri").get<std::string>();
    request.canonical_query = in.value("canonical_query", "");
  }
  for (const json& header : in.value("headers", json::array())) {
    request.headers.emplace_back(header.at(0).get<std::string>(), header.at(1).get<std::string>());
  }

  s3pull::auth::Credentials credentials{in.at("access_key").get<std::string>(),
                                        in.at("secret_key").get<std::string>(),
                                        in.value("session_token", "")};
  s3pull::auth::SigningScope scope{in.at("region").get<std::string>()};
  s3pull::auth::SignedHeaders signed_headers =
      s3pull::auth::Sign(request, credentials, scope, in.at("time").get<std::time_t>());
  out["canonical_request"] = signed_headers.canonical_request;
  out["string_to_sign"] = signed_headers.string_to_sign;
  out["signature"] = signed_headers.signature;
  for (const auto& [name, value] : signed_headers.headers) {
    if (name == "authorization") out["authorization"] = value;
  }
  return out;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  for (std::string line; std::getline(std::cin, line);) {
    if (line.empty()) continue;
    std::string printed;
    try {
      printed = Process(json::parse(line)).dump();
    } catch (const std::exception& e) {
      printed = json{{"error", e.what()}}.dump();
    }
    std::cout << printed << '\n';
  }
  return 0;
}
