// CurlHttpClient over real sockets, against a local server that answers as
// each test says.
#include "http/curl_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "local_http_server.h"

namespace s3pull::http {
namespace {

using testing::HttpReply;
using testing::HttpRequestSeen;
using testing::LocalHttpServer;
using testing::Reply;

// What a request's handler was told (the client owns the handler itself).
struct Seen {
  int headers_calls = 0;
  int status = 0;
  Headers headers;
  std::string body;
  TransportResult result;
  bool done = false;
};

class Recorder final : public ResponseHandler {
 public:
  explicit Recorder(Seen* seen) : seen_(seen) {}
  bool OnHeaders(int status, const Headers& headers) override {
    ++seen_->headers_calls;
    seen_->status = status;
    seen_->headers = headers;
    return true;
  }
  bool OnBody(std::string_view chunk) override {
    seen_->body.append(chunk);
    return true;
  }
  void OnComplete(const TransportResult& result) override {
    seen_->result = result;
    seen_->done = true;
  }

 private:
  Seen* seen_;
};

class CurlClientTest : public ::testing::Test {
 protected:
  // Sends one GET of `path` to `server` and polls until it ends.
  Seen Get(const LocalHttpServer& server, const std::string& path) {
    Result<std::unique_ptr<CurlHttpClient>> client = CurlHttpClient::Create(options_);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    Seen seen;
    (*client)->Start(Request{"GET", server.url() + path, {}}, std::make_unique<Recorder>(&seen));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!seen.done && std::chrono::steady_clock::now() < deadline) (*client)->Poll(100);
    EXPECT_TRUE(seen.done);
    return seen;
  }

  CurlOptions options_;
};

TEST_F(CurlClientTest, StatusHeadersAndBodyOfTheFinalResponse) {
  LocalHttpServer server([](const HttpRequestSeen&) {
    // A 100 Continue first: only the final response reaches the handler.
    return HttpReply{"HTTP/1.1 100 Continue\r\nX-Interim: 1\r\n\r\n" +
                     Reply(206, "hello", "ETag: \"e\"\r\nX-Amz-Thing:  spaced value \r\n").bytes};
  });
  Seen r = Get(server, "/b/k");
  EXPECT_TRUE(r.result.ok) << r.result.error;
  EXPECT_EQ(r.headers_calls, 1);
  EXPECT_EQ(r.status, 206);
  EXPECT_EQ(r.body, "hello");
  ASSERT_NE(FindHeader(r.headers, "etag"), nullptr);
  EXPECT_EQ(*FindHeader(r.headers, "ETag"), "\"e\"");
  EXPECT_EQ(*FindHeader(r.headers, "x-amz-thing"), "spaced value");
  EXPECT_EQ(FindHeader(r.headers, "x-interim"), nullptr);
}

TEST_F(CurlClientTest, TheRequestGoesOutAsGiven) {
  std::string seen;
  LocalHttpServer server([&](const HttpRequestSeen& request) {
    seen = request.head;
    return Reply(200, "");
  });
  Seen r = Get(server, "/b/a//b/../c%2Bd?x=1");
  EXPECT_TRUE(r.result.ok) << r.result.error;
  EXPECT_TRUE(seen.starts_with("GET /b/a//b/../c%2Bd?x=1 HTTP/1.1\r\n")) << seen;
  EXPECT_EQ(seen.find("Expect:"), std::string::npos) << seen;
}

TEST_F(CurlClientTest, ABodyCutShortIsATransportError) {
  LocalHttpServer server([](const HttpRequestSeen&) {
    HttpReply reply = Reply(200, std::string(1000, 'x'));
    reply.close_after = reply.bytes.size() - 400;
    return reply;
  });
  Seen r = Get(server, "/b/k");
  EXPECT_FALSE(r.result.ok);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.size(), 600u);
  EXPECT_NE(r.result.error.find("127.0.0.1"), std::string::npos) << r.result.error;
}

TEST_F(CurlClientTest, AServerThatSendsNothingMoreIsAStall) {
  options_.stall_timeout_seconds = 1;
  LocalHttpServer server([](const HttpRequestSeen&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // (replies too late)
    return Reply(200, "late");
  });
  Seen r = Get(server, "/b/k");
  EXPECT_FALSE(r.result.ok);
  EXPECT_TRUE(r.result.error.starts_with("stalled")) << r.result.error;
}

TEST_F(CurlClientTest, CancelAllEndsEveryTransferAtOnce) {
  LocalHttpServer server([](const HttpRequestSeen&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    return Reply(200, "late");
  });
  Result<std::unique_ptr<CurlHttpClient>> client = CurlHttpClient::Create(options_);
  ASSERT_TRUE(client.ok());
  Seen a, b;
  (*client)->Start(Request{"GET", server.url() + "/b/a", {}}, std::make_unique<Recorder>(&a));
  (*client)->Start(Request{"GET", server.url() + "/b/b", {}}, std::make_unique<Recorder>(&b));
  (*client)->Poll(50);
  (*client)->CancelAll();
  EXPECT_TRUE(a.done && a.result.cancelled);
  EXPECT_TRUE(b.done && b.result.cancelled);
}

}  // namespace
}  // namespace s3pull::http
