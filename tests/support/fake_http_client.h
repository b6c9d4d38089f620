// FakeHttpClient: a scripted HttpClient for unit tests.
//
// Responses are scripted per URL (the script stays, so a URL can be fetched
// many times). A URL can also hold an object, served as S3 serves one: ETag,
// HEAD, Range (206 with Content-Range, 416 on an empty object), If-Match
// (412) and If-None-Match (304).
// Poll() completes every started request in start order, delivering
// headers, the body in small chunks, and the transport result (with none
// started, it waits for a Wakeup() or the timeout); requests started from a
// callback wait for the next Poll(). Every request is recorded for assertions.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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

struct ScriptedObject {
  std::string body;
  std::string etag;                  // quoted
  bool ignore_range = false;         // answer 200 with the whole body, like a server without ranges
  int corrupt_replies = 0;           // the next this many replies have one byte changed
  http::Headers extra_headers = {};  // sent with every 200/206 reply (e.g. checksums)
};

class FakeHttpClient final : public http::HttpClient {
 public:
  void ScriptObject(const std::string& url, ScriptedObject object) {
    objects_[url] = std::move(object);
  }
  // The next responses for `url`, in order, before its script or object.
  void ScriptSequence(const std::string& url, std::vector<ScriptedResponse> responses) {
    for (auto& r : responses) sequences_[url].push_back(std::move(r));
  }
  // The next `count` replies of the object at `url` break off after `after`
  // body bytes with a transport error.
  void BreakObject(const std::string& url, int count, size_t after) {
    breaks_[url] = {count, after};
  }
  // The object at `url` changes (new body and ETag) after `requests` more GETs.
  void ChangeObjectAfter(const std::string& url, size_t requests, ScriptedObject next) {
    changes_[url] = {requests, std::move(next)};
  }

  // Responses for a URL; unscripted URLs get a 404 NoSuchKey.
  void Script(const std::string& url, ScriptedResponse response) {
    scripts_[url] = std::move(response);
  }

  // A client for another event loop of the same run: a copy of the scripts
  // and objects (each serves its own copy), none of the requests.
  std::unique_ptr<FakeHttpClient> Twin() const {
    auto twin = std::make_unique<FakeHttpClient>();
    twin->scripts_ = scripts_;
    twin->sequences_ = sequences_;
    twin->breaks_ = breaks_;
    twin->objects_ = objects_;
    twin->changes_ = changes_;
    return twin;
  }

  void Start(http::Request request, std::unique_ptr<http::ResponseHandler> handler) override {
    requests.push_back(request);
    max_in_flight = std::max(max_in_flight, pending_.size() + 1);
    pending_.emplace_back(std::move(request), std::move(handler));
  }

  void Poll(int timeout_ms) override {
    if (pending_.empty()) {
      // Nothing to deliver: wait, as a real client would, for a Wakeup().
      std::unique_lock lock(wakeup_->mutex);
      wakeup_->signal.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                               [this] { return wakeup_->woken; });
      wakeup_->woken = false;
      return;
    }
    std::deque<std::pair<http::Request, std::unique_ptr<http::ResponseHandler>>> batch;
    batch.swap(pending_);
    if (newest_first) std::reverse(batch.begin(), batch.end());
    for (auto& [request, handler] : batch) {
      Deliver(request, *handler);
      handler.reset();  // as a client does, right after OnComplete()
      if (after_reply) after_reply();
    }
  }

  // Requests in flight together complete in the reverse of the order they
  // started (a later part finishes before an earlier one).
  bool newest_first = false;

  void Wakeup() override {
    {
      std::lock_guard lock(wakeup_->mutex);
      wakeup_->woken = true;
    }
    wakeup_->signal.notify_one();
  }

  // Called after every reply delivered (e.g. to interrupt a run midway).
  std::function<void()> after_reply;

  void CancelAll() override {
    std::deque<std::pair<http::Request, std::unique_ptr<http::ResponseHandler>>> batch;
    batch.swap(pending_);
    http::TransportResult cancelled;
    cancelled.ok = false;
    cancelled.cancelled = true;
    cancelled.error = "cancelled";
    for (auto& [request, handler] : batch) handler->OnComplete(cancelled);
  }

  std::vector<http::Request> requests;
  size_t max_in_flight = 0;

 private:
  struct WakeupSignal {
    std::mutex mutex;
    std::condition_variable signal;
    bool woken = false;
  };
  std::shared_ptr<WakeupSignal> wakeup_ = std::make_shared<WakeupSignal>();  // keeps it movable

  void Deliver(const http::Request& request, http::ResponseHandler& handler) {
    ScriptedResponse response;
    auto it = scripts_.find(request.url);
    if (auto seq = sequences_.find(request.url); seq != sequences_.end() && !seq->second.empty()) {
      response = std::move(seq->second.front());
      seq->second.pop_front();
    } else if (auto object = objects_.find(request.url); object != objects_.end()) {
      response = Serve(request, object->second);
      if (object->second.corrupt_replies > 0 && !response.body.empty() && response.status < 300) {
        --object->second.corrupt_replies;
        response.body[response.body.size() / 2] ^= 0x20;
      }
      if (auto broken = breaks_.find(request.url);
          broken != breaks_.end() && broken->second.first > 0) {
        --broken->second.first;
        response.headers.emplace_back("content-length", std::to_string(response.body.size()));
        response.body.resize(std::min(response.body.size(), broken->second.second));
        response.transport_error = "Connection reset by peer";
      }
      if (auto change = changes_.find(request.url); change != changes_.end()) {
        if (change->second.first-- <= 1) {
          object->second = std::move(change->second.second);
          changes_.erase(change);
        }
      }
    } else if (it != scripts_.end()) {
      response = it->second;
    } else {
      response.status = 404;
      response.body =
          "<?xml version=\"1.0\"?><Error><Code>NoSuchKey</Code>"
          "<Message>The specified key does not exist.</Message></Error>";
    }
    http::Headers headers = response.headers;
    if (response.transport_error.empty() && !http::FindHeader(headers, "content-length")) {
      headers.emplace_back("content-length", std::to_string(response.body.size()));
    }
    bool aborted = !handler.OnHeaders(response.status, headers);
    std::string_view body = response.body;
    while (!body.empty() && !aborted) {
      std::string_view chunk = body.substr(0, 7);
      body.remove_prefix(chunk.size());
      aborted = !handler.OnBody(chunk);
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
    handler.OnComplete(result);
  }

  static ScriptedResponse Serve(const http::Request& request, const ScriptedObject& object) {
    ScriptedResponse response;
    response.headers.emplace_back("etag", object.etag);
    const std::string* if_match = http::FindHeader(request.headers, "if-match");
    if (if_match && *if_match != object.etag) {
      response.status = 412;
      response.body =
          "<Error><Code>PreconditionFailed</Code><Message>At least one of the "
          "pre-conditions you specified did not hold</Message></Error>";
      return response;
    }
    const std::string* if_none_match = http::FindHeader(request.headers, "if-none-match");
    if (if_none_match && *if_none_match == object.etag) {
      response.status = 304;  // no body
      return response;
    }
    const std::string* range = http::FindHeader(request.headers, "range");
    for (const auto& header : object.extra_headers) response.headers.push_back(header);
    if (request.method == "HEAD") {
      response.headers.emplace_back("content-length", std::to_string(object.body.size()));
      return response;
    }
    if (!range || object.ignore_range) {
      response.body = object.body;
      return response;
    }
    uint64_t first = 0;
    uint64_t last = 0;
    if (std::sscanf(range->c_str(), "bytes=%lu-%lu", &first, &last) != 2) std::abort();
    uint64_t size = object.body.size();
    if (first >= size) {
      response.status = 416;
      response.headers.emplace_back("content-range", "bytes */" + std::to_string(size));
      response.body = "<Error><Code>InvalidRange</Code></Error>";
      return response;
    }
    last = std::min(last, size - 1);
    response.status = 206;
    response.headers.emplace_back(
        "content-range",
        "bytes " + std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(size));
    response.body = object.body.substr(first, last - first + 1);
    return response;
  }

  std::map<std::string, ScriptedResponse> scripts_;
  std::map<std::string, std::deque<ScriptedResponse>> sequences_;
  std::map<std::string, std::pair<int, size_t>> breaks_;
  std::map<std::string, ScriptedObject> objects_;
  std::map<std::string, std::pair<size_t, ScriptedObject>> changes_;
  std::deque<std::pair<http::Request, std::unique_ptr<http::ResponseHandler>>> pending_;
};

}  // namespace s3pull::testing
