// AWS Signature Version 4 for S3, header-signed.
//
// Sign() is a pure function: the time is a parameter and nothing is read from
// the environment. Its steps are named after the specification
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html):
// canonical request -> string to sign -> signing key -> signature.
//
// S3 rules: the canonical URI is the request path exactly as sent (already
// URI-encoded once by the request builder, never normalised: "//" and "/../"
// stay); the canonical query string is given pre-encoded and sorted by the
// caller; the payload hash of a GET is the SHA-256 of the empty string.
//
// Thread safety: Sign() is reentrant. SigningKeyCache is not thread-safe; use
// one per event loop.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/credentials.h"

namespace s3pull::auth {

inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct SigningRequest {
  std::string method;           // "GET"
  std::string host;             // Host header value, with ":port" when not default
  std::string canonical_uri;    // encoded path, e.g. "/bucket/a%20b"
  std::string canonical_query;  // encoded, sorted "a=1&b=2"; "" when none
  // Extra headers to sign besides host, x-amz-date, x-amz-content-sha256 and
  // x-amz-security-token (e.g. range). Names any case; values trimmed by Sign.
  // A name given more than once is signed once, its values joined by ','.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_sha256 = std::string(kEmptyPayloadSha256);
  // S3 requires x-amz-content-sha256 (signed and sent); other services, and
  // AWS's generic signing test vectors, do without it.
  bool content_sha256_header = true;
};

struct SigningScope {
  std::string region;  // "us-east-1"
  std::string service = "s3";
};

// The headers to add to the request: x-amz-date, x-amz-content-sha256,
// x-amz-security-token (only with a session token) and Authorization.
struct SignedHeaders {
  std::vector<std::pair<std::string, std::string>> headers;
  // Intermediate products, for tests and debugging. Never logged: they are
  // not secret, but the signing key they came from is.
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
};

// Derives the signing key (kSigning) for a date "YYYYMMDD" and scope.
std::string DeriveSigningKey(std::string_view secret_access_key, std::string_view date,
                             const SigningScope& scope);

// Caches the signing key per (date, region, service, secret): deriving it costs
// four HMACs, and it changes once a day.
class SigningKeyCache {
 public:
  const std::string& Get(std::string_view secret_access_key, std::string_view date,
                         const SigningScope& scope);

 private:
  std::string secret_, date_, region_, service_, key_;
};

// Signs `request` at `unix_time` (seconds since the epoch, UTC).
SignedHeaders Sign(const SigningRequest& request, const Credentials& credentials,
                   const SigningScope& scope, std::time_t unix_time,
                   SigningKeyCache* cache = nullptr);

// "20150830T123600Z" for a Unix time.
std::string FormatAmzDate(std::time_t unix_time);

}  // namespace s3pull::auth
