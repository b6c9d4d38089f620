// The public API over real sockets: Downloader against a local HTTP server.
#include "s3pull/downloader.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "local_http_server.h"
#include "temp_dir.h"

namespace s3pull {
namespace {

using testing::HttpReply;
using testing::HttpRequestSeen;
using testing::LocalHttpServer;
using testing::Reply;
using testing::TempDir;

// Serves GET /b/<key> as the whole object, whatever range is asked for (a
// server without ranges), with a fixed ETag.
HttpReply ServeObjects(const HttpRequestSeen& request) {
  const std::string prefix = "/b/";
  if (request.method != "GET" || !request.target.starts_with(prefix)) return Reply(400, "");
  std::string key = request.target.substr(prefix.size());
  return Reply(200, "body of " + key, "ETag: \"e\"\r\n");
}

class Recorder final : public Observer {
 public:
  void OnObjectDone(const ObjectResult& result) override {
    results.push_back(result);
    if (on_result) on_result();
  }
  std::vector<ObjectResult> results;
  std::function<void()> on_result;
};

class DownloaderTest : public ::testing::Test {
 protected:
  DownloaderTest() : server_(ServeObjects) {
    options_.endpoint_url = server_.url();
    options_.sign_requests = false;
    options_.concurrency = 1;  // one object at a time: the others wait to start
    options_.event_loops = 1;
    for (int i = 0; i < 20; ++i) {
      plan_.objects.push_back({"b", "k" + std::to_string(i), "", dir_.path(), ""});
    }
  }

  LocalHttpServer server_;
  ClientOptions options_;
  DownloadPlan plan_;
  TempDir dir_;
};

TEST_F(DownloaderTest, ACancelledRunReportsEveryObjectAndTheNextRunFinishesTheJob) {
  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(options_);
  ASSERT_TRUE(downloader.ok()) << downloader.status().ToString();
  Recorder first;
  first.on_result = [&] { (*downloader)->Cancel(); };
  Summary cancelled = (*downloader)->Run(plan_, first);
  EXPECT_TRUE(cancelled.interrupted);
  ASSERT_EQ(first.results.size(), 20u);
  EXPECT_EQ(cancelled.succeeded + cancelled.cancelled, 20u);
  EXPECT_GE(cancelled.cancelled, 18u);
  std::set<std::string> keys;
  for (const ObjectResult& result : first.results) keys.insert(result.key);
  EXPECT_EQ(keys.size(), 20u);

  // The same Downloader runs again, to the end: the Cancel() was the first run's.
  Recorder second;
  Summary finished = (*downloader)->Run(plan_, second);
  EXPECT_FALSE(finished.interrupted);
  ASSERT_EQ(second.results.size(), 20u);
  EXPECT_EQ(finished.succeeded + finished.unchanged, 20u);
  EXPECT_EQ(finished.failed, 0u);
  for (const ObjectResult& result : second.results) {
    EXPECT_NE(result.outcome, Outcome::kCancelled) << result.key;
  }
  EXPECT_EQ(dir_.Read("k7"), "body of k7");
  EXPECT_EQ(dir_.Files().size(), 20u);
}

TEST_F(DownloaderTest, ACancelBeforeTheRunStopsItAtItsStart) {
  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(options_);
  ASSERT_TRUE(downloader.ok()) << downloader.status().ToString();
  (*downloader)->Cancel();
  Recorder recorder;
  Summary summary = (*downloader)->Run(plan_, recorder);
  EXPECT_TRUE(summary.interrupted);
  EXPECT_EQ(summary.cancelled, 20u);
  for (const ObjectResult& result : recorder.results) EXPECT_FALSE(result.started) << result.key;
  EXPECT_EQ(server_.requests(), 0);
  EXPECT_TRUE(dir_.Files().empty());
}

// ServeObjects, keeping the head of every request.
class RecordingServer {
 public:
  RecordingServer()
      : server_([this](const HttpRequestSeen& request) {
          std::lock_guard lock(mutex_);
          heads_.push_back(request.head);
          return ServeObjects(request);
        }) {}
  std::string url() const { return server_.url(); }
  std::vector<std::string> heads() {
    std::lock_guard lock(mutex_);
    return heads_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> heads_;
  LocalHttpServer server_;
};

TEST(DownloaderCredentialsTest, KeysHandedInSignEveryRequest) {
  RecordingServer server;
  TempDir dir;
  ClientOptions options;
  options.endpoint_url = server.url();
  options.region = "eu-west-1";
  options.credentials = Credentials{"AKIDHANDEDIN", "secret", "session-token-1"};
  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(options);
  ASSERT_TRUE(downloader.ok()) << downloader.status().ToString();
  DownloadPlan plan;
  plan.AddKey("b", "k", dir.path() + "/k");
  Recorder recorder;
  Summary summary = (*downloader)->Run(plan, recorder);
  EXPECT_EQ(summary.succeeded, 1u);
  std::vector<std::string> heads = server.heads();
  ASSERT_FALSE(heads.empty());
  for (const std::string& head : heads) {
    // (Whatever keys the environment or ~/.aws hold, these are the ones used.)
    EXPECT_NE(head.find("Credential=AKIDHANDEDIN/"), std::string::npos) << head;
    EXPECT_NE(head.find("/eu-west-1/s3/aws4_request"), std::string::npos) << head;
    EXPECT_NE(head.find("x-amz-security-token: session-token-1"), std::string::npos) << head;
  }
}

TEST_F(DownloaderTest, KeysKeptInMemoryComeInTheirResults) {
  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(options_);
  ASSERT_TRUE(downloader.ok()) << downloader.status().ToString();
  DownloadPlan plan;
  for (int i = 0; i < 5; ++i) plan.AddKeyToMemory("b", "m" + std::to_string(i));
  Recorder recorder;
  Summary summary = (*downloader)->Run(plan, recorder);
  EXPECT_EQ(summary.succeeded, 5u);
  for (const ObjectResult& result : recorder.results) {
    EXPECT_EQ(result.data, "body of " + result.key);
    EXPECT_EQ(result.path, "");
  }
  EXPECT_TRUE(dir_.Files().empty());
}

// Answers ListObjectsV2 on bucket "b" with two keys and a common prefix (or
// NoSuchBucket for any other bucket), and keeps the request targets.
class ListingServer {
 public:
  ListingServer()
      : server_([this](const HttpRequestSeen& request) {
          std::lock_guard lock(mutex_);
          targets_.push_back(request.target);
          if (!request.target.starts_with("/b?")) {
            return Reply(404, "<Error><Code>NoSuchBucket</Code><Message>none</Message></Error>");
          }
          return Reply(200,
                       "<ListBucketResult><IsTruncated>false</IsTruncated>"
                       "<Contents><Key>logs/a.gz</Key><Size>3</Size><ETag>\"e1\"</ETag>"
                       "<LastModified>2026-12-01T10:00:00.000Z</LastModified></Contents>"
                       "<Contents><Key>logs/b.txt</Key><Size>4</Size></Contents>"
                       "<CommonPrefixes><Prefix>logs/2026/</Prefix></CommonPrefixes>"
                       "</ListBucketResult>");
        }) {}
  std::string url() const { return server_.url(); }
  std::string LastTarget() {
    std::lock_guard lock(mutex_);
    return targets_.empty() ? "" : targets_.back();
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> targets_;
  LocalHttpServer server_;
};

TEST(DownloaderListTest, AFolderEveryKeyOrTheKeysAGlobMatches) {
  ListingServer server;
  ClientOptions options;
  options.endpoint_url = server.url();
  options.sign_requests = false;
  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(options);
  ASSERT_TRUE(downloader.ok()) << downloader.status().ToString();
  std::vector<ListedEntry> entries;
  auto collect = [&entries](const ListedEntry& entry) { entries.push_back(entry); };

  ASSERT_TRUE((*downloader)->List({"b", "logs/", /*recursive=*/false}, collect).ok());
  EXPECT_NE(server.LastTarget().find("delimiter=%2F"), std::string::npos) << server.LastTarget();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].key, "logs/2026/");
  EXPECT_TRUE(entries[0].is_prefix);
  EXPECT_EQ(entries[1].key, "logs/a.gz");
  EXPECT_EQ(entries[1].size, 3u);
  EXPECT_EQ(entries[1].etag, "e1");
  EXPECT_EQ(entries[1].last_modified, "2026-12-01T10:00:00.000Z");

  entries.clear();
  ASSERT_TRUE((*downloader)->List({"b", "logs/", /*recursive=*/true}, collect).ok());
  EXPECT_EQ(server.LastTarget().find("delimiter"), std::string::npos) << server.LastTarget();

  entries.clear();
  ASSERT_TRUE((*downloader)->List({"b", "logs/*.gz"}, collect).ok());
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].key, "logs/a.gz");

  Status missing = (*downloader)->List({"nope", ""}, collect);
  EXPECT_EQ(missing.s3_code(), "NoSuchBucket");
  EXPECT_EQ((*downloader)->List({"b", "logs/[z-a]"}, collect).code(), StatusCode::kInvalidArgument);
}

TEST(DownloaderCredentialsTest, AProvidersKeysSignAndItsFailureIsCreatesError) {
  RecordingServer server;
  TempDir dir;
  ClientOptions options;
  options.endpoint_url = server.url();
  int asked = 0;
  options.credentials_provider = [&asked]() -> Result<Credentials> {
    ++asked;
    return Credentials{"AKIDFROMPROVIDER", "secret", "token-from-provider"};
  };
  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(options);
  ASSERT_TRUE(downloader.ok()) << downloader.status().ToString();
  DownloadPlan plan;
  plan.AddKey("b", "k", dir.path() + "/k");
  Recorder recorder;
  EXPECT_EQ((*downloader)->Run(plan, recorder).succeeded, 1u);
  EXPECT_EQ(asked, 1);  // keys without an expiry are asked for once
  std::vector<std::string> heads = server.heads();
  ASSERT_FALSE(heads.empty());
  for (const std::string& head : heads) {
    EXPECT_NE(head.find("Credential=AKIDFROMPROVIDER/"), std::string::npos) << head;
    EXPECT_NE(head.find("x-amz-security-token: token-from-provider"), std::string::npos);
  }
  options.credentials_provider = []() -> Result<Credentials> {
    return Status(StatusCode::kInvalidArgument, "the SSO session has expired");
  };
  Result<std::unique_ptr<Downloader>> refused = Downloader::Create(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "the credentials provider failed: the SSO session has expired");
}

TEST_F(DownloaderTest, BadOptionsAreAStatusNotAnException) {
  options_.endpoint_url = "ftp://example.com";
  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(options_);
  ASSERT_FALSE(downloader.ok());
  EXPECT_EQ(downloader.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace s3pull
