// FakeHttpClient: a scripted HttpClient for unit tests.
//
// Responses are scripted per URL (the first matching script is used, and
// stays, so a URL can be fetched many times). Poll() completes every started
// request in start order, delivering headers, the body in small chunks, and
// the transport result; requests started from a callback wait for the next
// Poll(). Every request is recorded for assertions.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "http/http_client.h"

namespace s3pull::testing {

struct ScriptedResponse {
  int status = 200;
  http::Headers headers;
  std::string body;
  // When set, the transfer fails after the body with this transport error.
  std::string transport_error;
};

class FakeHttpClient final : public http::HttpClient {
 public:
  // Responses for a URL; unscripted URLs get a 404 NoSuchKey.
  void Script(const std::string& url, ScriptedResponse response) {
    scripts_[url] = std::move(response);
  }

  void Start(http::Request request, http::ResponseHandler* handler) override {
    requests.push_back(request);
    max_in_flight = std::max(max_in_flight, pending_.size() + 1);
    pending_.emplace_back(std::move(request), handler);
  }

  void Poll(int /*timeout_ms*/) override {
    std::deque<std::pair<http::Request, http::ResponseHandler*>> batch;
    batch.swap(pending_);
    in_delivery_ = batch.size();
    for (auto& [request, handler] : batch) {
      --in_delivery_;
      Deliver(request, handler);
    }
  }

  size_t InFlight() const override { return pending_.size() + in_delivery_; }

  std::vector<http::Request> requests;
  size_t max_in_flight = 0;

 private:
  void Deliver(const http::Request& request, http::ResponseHandler* handler) {
    ScriptedResponse response;
    auto it = scripts_.find(request.url);
    if (it != scripts_.end()) {
      response = it->second;
    } else {
      response.status = 404;
      response.body =
          "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code>"
          "<Message>The specified key does not exist.</Message></Error>";
    }
    http::Headers headers = response.headers;
    if (response.transport_error.empty()) {
      headers.emplace_back("content-length", std::to_string(response.body.size()));
    }
    handler->OnHeaders(response.status, headers);
    std::string_view body = response.body;
    bool aborted = false;
    while (!body.empty() && !aborted) {
      std::string_view chunk = body.substr(0, 7);
      body.remove_prefix(chunk.size());
      aborted = !handler->OnBody(chunk);
    }
    http::TransportResult result;
    if (aborted) {
      result.ok = false;
      result.aborted_by_handler = true;
      result.error = "aborted";
    } else if (!response.transport_error.empty()) {
      result.ok = false;
      result.error = response.transport_error;
    }
    handler->OnComplete(result);
  }

  std::map<std::string, ScriptedResponse> scripts_;
  std::deque<std::pair<http::Request, http::ResponseHandler*>> pending_;
  size_t in_delivery_ = 0;
};

}  // namespace s3pull::testing
