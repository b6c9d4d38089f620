// RequestSigner: turns a built S3 request into the HTTP request to send.
//
// It adds the caller's unsigned headers (Range, If-Match) and the request's
// own x-amz-* headers, asks S3 for the object's checksums when they are to be
// verified, and signs with SigV4 at
// the current time (unless requests are anonymous) with the keys of its
// CredentialSource (asked again only when they may have changed), keeping
// the signing key cached per day. After a RequestTimeTooSkewed answer it signs with the
// server's clock instead of ours.
//
// Not thread-safe: one per event loop.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <string>

#include "auth/credential_source.h"
#include "auth/sigv4.h"
#include "http/http_client.h"
#include "s3/requests.h"

namespace s3pull::transfer {

class RequestSigner {
 public:
  // `credentials` null = anonymous requests; `clock` gives Unix time.
  RequestSigner(std::shared_ptr<auth::CredentialSource> credentials, std::string region,
                bool ask_checksums, std::function<std::time_t()> clock);

  http::Request Prepare(const s3::S3Request& request, http::Headers unsigned_headers);

  // Adopts the time in a reply's Date header ("Thu, 26 Nov 2026 12:19:09
  // GMT"); false when the header is missing or unreadable.
  bool AdoptServerClock(const http::Headers& reply_headers);

 private:
  // The source's keys, kept until it may have others.
  const auth::Credentials& Keys(std::time_t now);

  std::shared_ptr<auth::CredentialSource> source_;
  auth::CredentialSource::Keys keys_;
  auth::SigningScope scope_;
  bool ask_checksums_;
  std::function<std::time_t()> clock_;
  std::time_t clock_offset_ = 0;  // server time minus ours
  auth::SigningKeyCache key_cache_;
};

}  // namespace s3pull::transfer
