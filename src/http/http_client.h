// The HTTP seam: an asynchronous client driven by one event loop.
//
// The transfer layer starts requests and polls; the client calls back the
// handler of each request as its response arrives, always on the thread that
// calls Poll(). CurlHttpClient (curl_client.h) is the real implementation;
// tests use a scripted fake. This folder is the only code that includes
// <curl/curl.h>.
//
// Lifetime: the client owns each handler from Start() and destroys it right
// after its OnComplete(). Exactly one OnComplete() follows every Start(). When
// the transport result is ok, OnHeaders() was called exactly once before it,
// and before any OnBody().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace s3pull::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup; nullptr when absent.
const std::string* FindHeader(const Headers& headers, std::string_view name);

struct Request {
  std::string method = "GET";
  std::string url;  // sent exactly as given: never normalised or re-encoded
  Headers headers;
};

// How a transfer ended at the transport level. `ok` means a complete HTTP
// response was received (whatever its status); otherwise `error` says why not.
struct TransportResult {
  bool ok = true;
  std::string error;  // "Failed to connect to HOST port 443 ...: Connection refused", ...
  bool aborted_by_handler = false;
  bool cancelled = false;  // ended by HttpClient::CancelAll()
  // TLS: the server's certificate or host name did not verify; retrying
  // cannot help.
  bool untrusted_server = false;
};

class ResponseHandler {
 public:
  virtual ~ResponseHandler() = default;
  // Status line and headers of the final response (names lower-cased).
  // Return false to abort the transfer without reading the body.
  virtual bool OnHeaders(int status, const Headers& headers) = 0;
  // A piece of the body; return false to abort the transfer.
  virtual bool OnBody(std::string_view chunk) = 0;
  virtual void OnComplete(const TransportResult& result) = 0;
};

class HttpClient {
 public:
  virtual ~HttpClient() = default;
  virtual void Start(Request request, std::unique_ptr<ResponseHandler> handler) = 0;
  // Runs the transfers for up to `timeout_ms`, returning once at least one
  // callback ran or the time is up.
  virtual void Poll(int timeout_ms) = 0;
  // Makes the Poll() under way, or else the next one, return soon. The only
  // method that may be called from any thread.
  virtual void Wakeup() = 0;
  // Ends every transfer in flight now; each handler gets OnComplete() with
  // `cancelled` set before this returns.
  virtual void CancelAll() = 0;
};

}  // namespace s3pull::http
