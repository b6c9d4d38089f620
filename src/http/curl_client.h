// CurlHttpClient: the HttpClient over libcurl's multi interface.
//
// One multi handle drives every transfer from the caller's thread; easy
// handles are pooled and reused, and the multi handle's connection cache
// keeps connections alive between requests, so a run of small GETs costs no
// new TCP (or TLS) handshakes. New connections are opened in waves: a
// request waits in the client while `max_connections_setting_up` others are
// still connecting. TLS connections verify the server with one TrustStore
// shared by all (trust_store.h). URLs are sent exactly as given
// (CURLOPT_PATH_AS_IS): S3 keys may contain "//" or "/../".
//
// Threading: one client per event loop; only Wakeup() may be called from
// other threads.
#pragma once

#include <memory>
#include <string>

#include "http/http_client.h"
#include "http/trust_store.h"
#include "s3pull/status.h"

namespace s3pull::http {

struct CurlOptions {
  int max_connections = 64;  // connection cache size and per-host limit
  // Connections being set up at once (TCP and TLS handshakes, or waiting
  // for one): requests beyond it wait in the client, not in connect
  // timeouts. A TLS handshake costs both sides CPU; hundreds at once on a
  // busy machine or against a slow server run into the connect timeout.
  int max_connections_setting_up = 64;
  long connect_timeout_ms = 10000;
  // A transfer that receives no byte for this long fails ("stalled: ...").
  long stall_timeout_seconds = 30;
  bool verify_tls = true;
  // The certificates that verify servers, shared by every connection of
  // every client (trust_store.h). Without one, libcurl reads `ca_bundle`
  // ("" = its default) for each new connection.
  std::shared_ptr<const TrustStore> trust_store;
  std::string ca_bundle;
  std::string user_agent;  // "s3pull/VERSION"
  // Spread new connections over every address the host resolves to
  // (address_spread.h).
  bool spread_addresses = true;
};

class CurlHttpClient final : public HttpClient {
 public:
  // kIoError when libcurl cannot start (no memory).
  static Result<std::unique_ptr<CurlHttpClient>> Create(const CurlOptions& options);
  ~CurlHttpClient() override;
  CurlHttpClient(const CurlHttpClient&) = delete;
  CurlHttpClient& operator=(const CurlHttpClient&) = delete;

  void Start(Request request, std::unique_ptr<ResponseHandler> handler) override;
  void Poll(int timeout_ms) override;
  void Wakeup() override;
  void CancelAll() override;

 private:
  struct Impl;
  explicit CurlHttpClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace s3pull::http
