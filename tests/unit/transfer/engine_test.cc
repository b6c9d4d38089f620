// The engine end to end over a scripted HTTP client: listing, filtering,
// writing, verification and per-object results.
#include "transfer/engine.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <thread>

#include "checksum/hashers.h"
#include "common/base64.h"
#include "common/hex.h"
#include "fake_http_client.h"
#include "s3/checksums.h"
#include "temp_dir.h"

namespace s3pull::transfer {
namespace {

using testing::FakeHttpClient;
using testing::ScriptedObject;
using testing::ScriptedResponse;
using testing::TempDir;

class Collector final : public ListingObserver {
 public:
  void OnObjectDone(const ObjectResult& result) override { results.push_back(result); }
  void OnListed(const ListedEntry& entry) override {
    listed.push_back((entry.is_prefix ? "PRE " : std::to_string(entry.size) + " ") + entry.key);
  }
  void OnProgress(const Progress& p) override { progress.push_back(p); }
  std::vector<std::string> listed;
  std::vector<Progress> progress;
  const ObjectResult* Find(const std::string& key) const {
    for (const auto& r : results)
      if (r.key == key) return &r;
    return nullptr;
  }
  std::vector<ObjectResult> results;
};

class EngineTest : public ::testing::Test {
 protected:
  EngineTest() {
    config_.endpoint = *s3::ResolveEndpoint("http://127.0.0.1:9000", "us-east-1");
    config_.credentials = auth::CredentialSource::Fixed({"AKID", "SECRET", ""});
    config_.concurrency = 4;
    config_.backoff_base = 0.001;  // retries wait milliseconds, not seconds
  }

  std::string GetUrl(const std::string& key) {
    return s3::BuildGetObject(config_.endpoint, "b", key).url;
  }
  std::string ListUrl(const std::string& prefix, const std::string& token = "") {
    s3::ListParams params;
    params.prefix = prefix;
    params.continuation_token = token;
    return s3::BuildListObjectsV2(config_.endpoint, "b", params).url;
  }
  // A ListObjectsV2 page holding `objects` (key, size).
  static std::string PageXml(const std::vector<std::pair<std::string, std::string>>& objects,
                             const std::string& next_token = "") {
    std::string xml =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
        "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>";
    xml += "<IsTruncated>" + std::string(next_token.empty() ? "false" : "true") + "</IsTruncated>";
    if (!next_token.empty())
      xml += "<NextContinuationToken>" + next_token + "</NextContinuationToken>";
    for (const auto& [key, body] : objects) {
      xml += "<Contents><Key>" + key + "</Key><Size>" + std::to_string(body.size()) +
             "</Size><ETag>&quot;x&quot;</ETag></Contents>";
    }
    return xml + "</ListBucketResult>";
  }
  void ScriptObject(const std::string& key, const std::string& body) {
    fake_.Script(GetUrl(key), ScriptedResponse{200, {}, body, ""});
  }
  Summary RunPlan(const DownloadPlan& plan) {
    return transfer::RunPlan(config_, fake_, plan, collector_);
  }

  EngineConfig config_;
  FakeHttpClient fake_;
  Collector collector_;
  TempDir dir_;
};

TEST_F(EngineTest, DownloadsEveryPageOfAPrefix) {
  std::vector<std::pair<std::string, std::string>> page1 = {{"data/a.txt", "alpha"},
                                                            {"data/sub/b.txt", "bravo!"}};
  std::vector<std::pair<std::string, std::string>> page2 = {{"data/sub/deep/c", ""},
                                                            {"data/d", std::string(100, 'd')}};
  fake_.Script(ListUrl("data/"), {200, {}, PageXml(page1, "tok/1+="), ""});
  fake_.Script(ListUrl("data/", "tok/1+="), {200, {}, PageXml(page2), ""});
  for (const auto& [key, body] : page1) ScriptObject(key, body);
  for (const auto& [key, body] : page2) ScriptObject(key, body);

  Summary summary = RunPlan({{{"b", "data/", "", dir_.path(), "data/"}}, {}});

  EXPECT_EQ(summary.objects, 4u);
  EXPECT_EQ(summary.succeeded, 4u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(summary.bytes, 111u);
  EXPECT_EQ(dir_.Files(), (std::set<std::string>{"a.txt", "sub/b.txt", "sub/deep/c", "d"}));
  EXPECT_EQ(dir_.Read("sub/b.txt"), "bravo!");
  EXPECT_EQ(dir_.Read("d"), std::string(100, 'd'));
  const ObjectResult* c = collector_.Find("data/sub/deep/c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->path, dir_.path() + "/sub/deep/c");
  EXPECT_TRUE(c->status.ok());
}

TEST_F(EngineTest, EveryRequestIsSigned) {
  ScriptObject("k", "v");
  RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(fake_.requests.size(), 1u);
  const std::string* auth = http::FindHeader(fake_.requests[0].headers, "authorization");
  ASSERT_NE(auth, nullptr);
  EXPECT_TRUE(auth->starts_with("AWS4-HMAC-SHA256 Credential=AKID/"));
  EXPECT_NE(http::FindHeader(fake_.requests[0].headers, "x-amz-date"), nullptr);
}

TEST_F(EngineTest, AnonymousRequestsCarryNoSignature) {
  config_.credentials.reset();
  ScriptObject("k", "v");
  RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(fake_.requests.size(), 1u);
  EXPECT_EQ(http::FindHeader(fake_.requests[0].headers, "authorization"), nullptr);
}

TEST_F(EngineTest, MissingKeyFailsAloneAndLeavesNoFile) {
  ScriptObject("good1", "one");
  ScriptObject("good2", "two");
  Summary summary = RunPlan({{},
                             {{"b", "good1", "", dir_.path(), ""},
                              {"b", "missing", "", dir_.path(), ""},
                              {"b", "good2", "", dir_.path(), ""}}});
  EXPECT_EQ(summary.succeeded, 2u);
  EXPECT_EQ(summary.failed, 1u);
  const ObjectResult* missing = collector_.Find("missing");
  ASSERT_NE(missing, nullptr);
  EXPECT_EQ(missing->status.code(), StatusCode::kServiceError);
  EXPECT_EQ(missing->status.s3_code(), "NoSuchKey");
  EXPECT_EQ(missing->status.http_status(), 404);
  EXPECT_EQ(dir_.Files(), (std::set<std::string>{"good1", "good2"}));
}

TEST_F(EngineTest, LengthShorterThanListedFailsAndLeavesNoFile) {
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"k", "0123456789"}}), ""});
  ScriptObject("k", "01234");  // Content-Length agrees with the body, the listing does not
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(collector_.Find("k")->status.code(), StatusCode::kProtocolError);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(EngineTest, TransportErrorMidBodyLeavesNoFile) {
  config_.max_retries = 0;
  fake_.Script(GetUrl("k"),
               {200, {{"content-length", "100"}}, "partial", "Connection reset by peer"});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.failed, 1u);
  const ObjectResult* k = collector_.Find("k");
  EXPECT_EQ(k->status.code(), StatusCode::kTransportError);
  EXPECT_NE(k->status.message().find("reset"), std::string::npos);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(EngineTest, UnsafeListedKeysAreRefusedWithoutARequest) {
  fake_.Script(ListUrl(""),
               {200, {}, PageXml({{"../evil", "x"}, {"a/../../evil", "x"}, {"ok", "y"}}), ""});
  ScriptObject("ok", "y");
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(summary.failed, 2u);
  EXPECT_EQ(collector_.Find("../evil")->status.code(), StatusCode::kUnsafePath);
  EXPECT_EQ(fake_.requests.size(), 2u);  // the listing and "ok"
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"ok"});
}

TEST_F(EngineTest, GlobKeepsOnlyMatchingKeysBelowItsBaseDir) {
  fake_.Script(ListUrl("logs/2026-"), {200,
                                       {},
                                       PageXml({{"logs/2026-01/a.gz", "a"},
                                                {"logs/2026-01/b.txt", "b"},
                                                {"logs/2026-02/x/c.gz", "c"},
                                                {"logs/2026-03/d.gz", "d"}}),
                                       ""});
  ScriptObject("logs/2026-01/a.gz", "a");
  ScriptObject("logs/2026-03/d.gz", "d");
  Summary summary = RunPlan({{{"b", "logs/2026-", "logs/2026-*/*.gz", dir_.path(), "logs/"}}, {}});
  EXPECT_EQ(summary.succeeded, 2u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_EQ(dir_.Files(), (std::set<std::string>{"2026-01/a.gz", "2026-03/d.gz"}));
}

TEST_F(EngineTest, ListingErrorIsOneFailure) {
  fake_.Script(
      ListUrl("p/"),
      {403, {}, "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>", ""});
  Summary summary = RunPlan({{{"b", "p/", "", dir_.path(), "p/"}}, {}});
  ASSERT_EQ(collector_.results.size(), 1u);
  EXPECT_TRUE(collector_.results[0].is_listing);
  EXPECT_EQ(collector_.results[0].status.s3_code(), "AccessDenied");
  EXPECT_EQ(summary.failed, 1u);
}

TEST_F(EngineTest, RespectsConcurrency) {
  DownloadPlan plan;
  for (int i = 0; i < 20; ++i) {
    std::string key = "k" + std::to_string(i);
    ScriptObject(key, key);
    plan.objects.push_back({"b", key, "", dir_.path(), ""});
  }
  Summary summary = RunPlan(plan);
  EXPECT_EQ(summary.succeeded, 20u);
  EXPECT_EQ(fake_.max_in_flight, 4u);
}

TEST_F(EngineTest, AKeyThatIsBothAFileAndAFolderFailsOneObjectOnly) {
  // "a" and "a/b" cannot both exist locally: the first to finish wins and the
  // other fails with the file system's reason; nothing is overwritten.
  config_.concurrency = 1;
  fake_.Script(
      ListUrl(""),
      {200,
       {},
       PageXml({{"a", "file a"}, {"a/b", "file a/b"}, {"c/d", "file c/d"}, {"c", "file c"}}),
       ""});
  ScriptObject("a", "file a");
  ScriptObject("a/b", "file a/b");
  ScriptObject("c/d", "file c/d");
  ScriptObject("c", "file c");
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.succeeded, 2u);
  EXPECT_EQ(summary.failed, 2u);
  EXPECT_EQ(dir_.Files(), (std::set<std::string>{"a", "c/d"}));
  EXPECT_EQ(dir_.Read("a"), "file a");
  EXPECT_NE(collector_.Find("a/b")->status.message().find("Not a directory"), std::string::npos);
  EXPECT_NE(collector_.Find("c")->status.message().find("Is a directory"), std::string::npos);
}

TEST_F(EngineTest, FolderMarkersMakeFoldersOrSayWhyNot) {
  // "made/" becomes a folder; "a/" cannot: "a" is a file there already.
  std::ofstream(dir_.path() + "/a") << "mine";
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"a/", ""}, {"made/", ""}}), ""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.objects, 1u);
  ASSERT_NE(collector_.Find("a/"), nullptr);
  EXPECT_EQ(collector_.Find("a/")->outcome, Outcome::kFailed);
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/made"));
  EXPECT_EQ(dir_.Read("a"), "mine");
}

TEST_F(EngineTest, TwoObjectsToOnePathRefuseTheSecond) {
  ScriptObject("k", "v");
  Summary summary =
      RunPlan({{}, {{"b", "k", "", dir_.path(), ""}, {"b", "k", "", dir_.path(), ""}}});
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(fake_.requests.size(), 1u);
}

TEST_F(EngineTest, ListOnlyReportsPrefixesAndKeysAndDownloadsNothing) {
  s3::ListParams params;
  params.prefix = "logs/";
  params.delimiter = "/";
  std::string xml =
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<Contents><Key>logs/a.gz</Key><Size>3</Size></Contents>"
      "<Contents><Key>logs/b.txt</Key><Size>4</Size></Contents>"
      "<CommonPrefixes><Prefix>logs/2026/</Prefix></CommonPrefixes>"
      "<CommonPrefixes><Prefix>logs/2027/</Prefix></CommonPrefixes></ListBucketResult>";
  fake_.Script(s3::BuildListObjectsV2(config_.endpoint, "b", params).url, {200, {}, xml, ""});
  Summary summary = RunListing(config_, fake_, {"b", "logs/", "", "/"}, collector_);
  EXPECT_EQ(summary.objects, 0u);
  EXPECT_EQ(collector_.listed, (std::vector<std::string>{"PRE logs/2026/", "PRE logs/2027/",
                                                         "3 logs/a.gz", "4 logs/b.txt"}));
  EXPECT_EQ(fake_.requests.size(), 1u);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(EngineTest, ListOnlyWithAGlobKeepsMatchingKeys) {
  fake_.Script(ListUrl("logs/"), {200, {}, PageXml({{"logs/a.gz", "x"}, {"logs/b.txt", "y"}}), ""});
  RunListing(config_, fake_, {"b", "", "logs/*.gz", ""}, collector_);
  EXPECT_EQ(collector_.listed, std::vector<std::string>{"1 logs/a.gz"});
}

// --- retries ------------------------------------------------------------------

TEST_F(EngineTest, TransientErrorsAreRetriedUntilTheyPass) {
  fake_.ScriptSequence(GetUrl("k"), {{503, {}, "<Error><Code>SlowDown</Code></Error>", ""},
                                     {500, {}, "<Error><Code>InternalError</Code></Error>", ""},
                                     {200, {}, "", "Connection refused"}});
  fake_.ScriptObject(GetUrl("k"), {"payload", "\"e\""});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(summary.retries, 3u);
  EXPECT_EQ(fake_.requests.size(), 4u);
  EXPECT_EQ(dir_.Read("k"), "payload");
}

TEST_F(EngineTest, PermanentErrorsAreNotRetried) {
  Summary summary = RunPlan({{}, {{"b", "missing", dir_.path() + "/m", "", ""}}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(summary.retries, 0u);
  EXPECT_EQ(fake_.requests.size(), 1u);
}

TEST_F(EngineTest, RetriesStopAtTheLimit) {
  config_.max_retries = 2;
  fake_.Script(GetUrl("k"), {500, {}, "<Error><Code>InternalError</Code></Error>", ""});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(fake_.requests.size(), 3u);
  EXPECT_EQ(collector_.Find("k")->status.s3_code(), "InternalError");
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(EngineTest, TheBudgetStopsRetriesAgainstADeadEndpoint) {
  config_.max_retries = 100;
  config_.concurrency = 20;  // all at once: a few retries each, so backoffs stay short
  DownloadPlan plan;
  for (int i = 0; i < 20; ++i) {
    std::string key = "k" + std::to_string(i);
    fake_.Script(GetUrl(key), {200, {}, "", "Connection refused"});
    plan.objects.push_back({"b", key, "", dir_.path(), ""});
  }
  Summary summary = RunPlan(plan);
  EXPECT_EQ(summary.failed, 20u);
  // 500 tokens at 10 per transport retry: 50 retries for the whole run.
  EXPECT_EQ(summary.retries, 50u);
}

TEST_F(EngineTest, ACancelledRunReportsEveryObjectOnce) {
  // One request at a time: the cancel comes while the other objects wait.
  config_.concurrency = 1;
  std::atomic<bool> cancel{false};
  config_.cancel = &cancel;
  DownloadPlan plan;
  for (int i = 0; i < 5; ++i) {
    std::string key = "k" + std::to_string(i);
    ScriptObject(key, key);
    plan.objects.push_back({"b", key, "", dir_.path(), ""});
  }
  fake_.after_reply = [&] { cancel = true; };
  Summary summary = RunPlan(plan);
  EXPECT_TRUE(summary.interrupted);
  ASSERT_EQ(collector_.results.size(), 5u);
  EXPECT_EQ(summary.objects, 5u);
  EXPECT_EQ(summary.succeeded + summary.cancelled, 5u);
  std::set<std::string> keys;
  int not_started = 0;
  for (const ObjectResult& result : collector_.results) {
    EXPECT_TRUE(keys.insert(result.key).second) << result.key << " reported twice";
    if (result.outcome == Outcome::kCancelled) {
      EXPECT_EQ(result.status.code(), StatusCode::kCancelled);
      not_started += result.started ? 0 : 1;
    } else {
      EXPECT_EQ(result.outcome, Outcome::kDownloaded) << result.status.ToString();
    }
  }
  EXPECT_GE(not_started, 3);  // one request was sent, perhaps a second
  EXPECT_EQ(dir_.Files().size(), summary.succeeded);
}

TEST_F(EngineTest, AnObjectWaitingForARetryIsReportedCancelled) {
  std::atomic<bool> cancel{false};
  config_.cancel = &cancel;
  fake_.ScriptSequence(GetUrl("k"), {{503, {}, "<Error><Code>SlowDown</Code></Error>", ""}});
  ScriptObject("k", "payload");
  fake_.after_reply = [&] { cancel = true; };
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(collector_.results.size(), 1u);
  EXPECT_EQ(summary.cancelled, 1u);
  EXPECT_EQ(collector_.results[0].outcome, Outcome::kCancelled);
  EXPECT_TRUE(collector_.results[0].started);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(EngineTest, AListingNotFinishedWhenCancelledIsReportedCancelled) {
  std::atomic<bool> cancel{false};
  config_.cancel = &cancel;
  fake_.Script(ListUrl("a/"), {200, {}, PageXml({}), ""});
  fake_.ScriptSequence(ListUrl("b/"), {{503, {}, "<Error><Code>SlowDown</Code></Error>", ""}});
  fake_.after_reply = [&] { cancel = fake_.requests.size() >= 2; };
  config_.concurrency = 2;
  Summary summary =
      RunPlan({{{"b", "a/", "", dir_.path(), "a/"}, {"b", "b/", "", dir_.path(), "b/"}}, {}});
  EXPECT_TRUE(summary.interrupted);
  ASSERT_EQ(collector_.results.size(), 1u);
  EXPECT_TRUE(collector_.results[0].is_listing);
  EXPECT_EQ(collector_.results[0].key, "b/");
  EXPECT_EQ(collector_.results[0].outcome, Outcome::kCancelled);
}

TEST_F(EngineTest, ABucketInAnotherRegionIsNamedWithTheFlagThatFixesIt) {
  fake_.Script(ListUrl(""), {301,
                             {{"x-amz-bucket-region", "eu-west-1"}},
                             "<Error><Code>PermanentRedirect</Code><Message>Use the right "
                             "endpoint.</Message></Error>",
                             ""});
  fake_.Script(GetUrl("k"), {403, {{"x-amz-bucket-region", "ap-south-1"}}, "", ""});
  Summary summary =
      RunPlan({{{"b", "", "", dir_.path(), ""}}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.failed, 2u);
  EXPECT_EQ(summary.retries, 0u);
  const ObjectResult* listing = collector_.Find("");
  ASSERT_NE(listing, nullptr);
  EXPECT_EQ(listing->status.s3_code(), "PermanentRedirect");
  EXPECT_NE(listing->status.message().find("use --region eu-west-1"), std::string::npos)
      << listing->status.ToString();
  EXPECT_NE(collector_.Find("k")->status.message().find("use --region ap-south-1"),
            std::string::npos)
      << collector_.Find("k")->status.ToString();
}

TEST_F(EngineTest, ClockSkewIsCorrectedFromTheServerDate) {
  config_.clock = [] { return std::time_t{1000000000}; };  // 2001, far behind the server
  fake_.ScriptSequence(GetUrl("k"), {{403,
                                      {{"date", "Thu, 26 Nov 2026 12:19:09 GMT"}},
                                      "<Error><Code>RequestTimeTooSkewed</Code></Error>",
                                      ""}});
  fake_.ScriptObject(GetUrl("k"), {"v", "\"e\""});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  ASSERT_EQ(fake_.requests.size(), 2u);
  EXPECT_EQ(*http::FindHeader(fake_.requests[0].headers, "x-amz-date"), "20010909T014640Z");
  EXPECT_EQ(*http::FindHeader(fake_.requests[1].headers, "x-amz-date"), "20261126T121909Z");
}

TEST_F(EngineTest, ListingPagesAreRetried) {
  fake_.ScriptSequence(ListUrl(""), {{503, {}, "<Error><Code>SlowDown</Code></Error>", ""}});
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"k", "v"}}), ""});
  ScriptObject("k", "v");
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(summary.retries, 1u);
}

// --- re-runs: finished files are kept ------------------------------------------

class RerunTest : public EngineTest {
 protected:
  // Objects served with ETag "x" (what PageXml lists), under prefix "".
  void ServeListed(const std::vector<std::pair<std::string, std::string>>& objects) {
    fake_.Script(ListUrl(""), {200, {}, PageXml(objects), ""});
    for (const auto& [key, body] : objects) fake_.ScriptObject(GetUrl(key), {body, "\"x\""});
  }
  Summary RunPrefix() {
    fake_.requests.clear();
    collector_.results.clear();
    return RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  }
  Summary RunKey(const std::string& key) {
    fake_.requests.clear();
    collector_.results.clear();
    return RunPlan({{}, {{"b", key, dir_.path() + "/" + key, "", ""}}});
  }
  size_t Gets(const std::string& key) {
    return std::count_if(fake_.requests.begin(), fake_.requests.end(),
                         [&](const http::Request& r) { return r.url == GetUrl(key); });
  }
};

TEST_F(RerunTest, ListedFilesFinishedBeforeAreNotFetchedAgain) {
  ServeListed({{"a", "alpha"}, {"d/b", "bravo"}, {"c", "charlie"}});
  Summary first = RunPrefix();
  ASSERT_EQ(first.succeeded, 3u);
  Summary second = RunPrefix();
  EXPECT_EQ(second.unchanged, 3u);
  EXPECT_EQ(second.succeeded, 0u);
  EXPECT_EQ(second.failed, 0u);
  EXPECT_EQ(fake_.requests.size(), 1u);  // the listing only
  ASSERT_EQ(collector_.results.size(), 3u);
  EXPECT_EQ(collector_.results[0].outcome, Outcome::kUnchanged);
  EXPECT_TRUE(collector_.results[0].status.ok());
}

TEST_F(RerunTest, EditedFilesAndChangedObjectsAreFetchedAgain) {
  ServeListed({{"a", "alpha"}, {"b", "bravo"}, {"c", "charlie"}, {"d", "delta"}});
  ASSERT_EQ(RunPrefix().succeeded, 4u);
  // "a" grows; "b" is rewritten with the same size (a new modification
  // time); "c" changes in S3 (a new ETag); "d" is left alone.
  { std::ofstream(dir_.path() + "/a", std::ios::app) << "!"; }
  struct timespec later[2] = {{0, UTIME_OMIT}, {2000000000, 0}};
  {
    std::ofstream(dir_.path() + "/b") << "BRAVO";
  }
  ASSERT_EQ(utimensat(AT_FDCWD, (dir_.path() + "/b").c_str(), later, 0), 0);
  std::string xml = PageXml({{"a", "alpha"}, {"b", "bravo"}, {"c", "charlie"}, {"d", "delta"}});
  size_t c_etag = xml.find("&quot;x&quot;", xml.find("<Key>c</Key>"));
  xml.replace(c_etag, 13, "&quot;y&quot;");
  fake_.Script(ListUrl(""), {200, {}, xml, ""});
  fake_.ScriptObject(GetUrl("c"), {"charlie", "\"y\""});
  Summary summary = RunPrefix();
  EXPECT_EQ(summary.succeeded, 3u);
  EXPECT_EQ(summary.unchanged, 1u);
  EXPECT_EQ(Gets("a"), 1u);
  EXPECT_EQ(Gets("b"), 1u);
  EXPECT_EQ(Gets("c"), 1u);
  EXPECT_EQ(Gets("d"), 0u);
  EXPECT_EQ(dir_.Read("a"), "alpha");
  EXPECT_EQ(dir_.Read("b"), "bravo");
}

TEST_F(RerunTest, ASingleKeyIsAskedForWithIfNoneMatch) {
  fake_.ScriptObject(GetUrl("k"), {"kilo", "\"e1\""});
  ASSERT_EQ(RunKey("k").succeeded, 1u);
  Summary second = RunKey("k");
  EXPECT_EQ(second.unchanged, 1u);
  ASSERT_EQ(fake_.requests.size(), 1u);
  EXPECT_EQ(*http::FindHeader(fake_.requests[0].headers, "if-none-match"), "\"e1\"");
  // Changed in S3: the same request gets the new version.
  fake_.ScriptObject(GetUrl("k"), {"kilo 2", "\"e2\""});
  Summary third = RunKey("k");
  EXPECT_EQ(third.succeeded, 1u);
  EXPECT_EQ(dir_.Read("k"), "kilo 2");
}

TEST_F(RerunTest, RefetchDownloadsEverythingAgain) {
  ServeListed({{"a", "alpha"}});
  ASSERT_EQ(RunPrefix().succeeded, 1u);
  config_.skip_unchanged = false;
  Summary second = RunPrefix();
  EXPECT_EQ(second.succeeded, 1u);
  EXPECT_EQ(Gets("a"), 1u);
}

// --- large objects in ranged parts -------------------------------------------

class PartsTest : public EngineTest {
 protected:
  PartsTest() { config_.part_size = 16; }

  static std::string Body(size_t size) {
    std::string body;
    for (size_t i = 0; i < size; ++i) body.push_back(static_cast<char>('a' + i * 7 % 26));
    return body;
  }
  std::vector<std::string> RangesRequested(const std::string& key) {
    std::vector<std::string> ranges;
    for (const auto& request : fake_.requests) {
      if (request.url != GetUrl(key)) continue;
      const std::string* range = http::FindHeader(request.headers, "range");
      ranges.push_back(range ? *range : "none");
    }
    return ranges;
  }
};

TEST_F(PartsTest, ListedLargeObjectIsFetchedInPinnedRangedParts) {
  std::string body = Body(100);
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"big", body}}), ""});
  fake_.ScriptObject(GetUrl("big"), {body, "\"x\""});  // the listing's ETag is "x"
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("big"), body);
  EXPECT_EQ(RangesRequested("big"),
            (std::vector<std::string>{"bytes=0-15", "bytes=16-31", "bytes=32-47", "bytes=48-63",
                                      "bytes=64-79", "bytes=80-95", "bytes=96-99"}));
  for (const auto& request : fake_.requests) {
    if (request.url != GetUrl("big")) continue;
    const std::string* if_match = http::FindHeader(request.headers, "if-match");
    ASSERT_NE(if_match, nullptr);
    EXPECT_EQ(*if_match, "\"x\"");
  }
}

TEST_F(PartsTest, ObjectOfExactlyOnePartIsOnePlainGet) {
  std::string body = Body(16);
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"one", body}}), ""});
  fake_.ScriptObject(GetUrl("one"), {body, "\"x\""});
  RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(RangesRequested("one"), std::vector<std::string>{"none"});
  EXPECT_EQ(dir_.Read("one"), body);
}

TEST_F(PartsTest, UnknownSizeIsDiscoveredByTheFirstRange) {
  std::string body = Body(40);
  fake_.ScriptObject(GetUrl("k"), {body, "\"e1\""});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body);
  EXPECT_EQ(RangesRequested("k"),
            (std::vector<std::string>{"bytes=0-15", "bytes=16-31", "bytes=32-39"}));
  // The first request discovers the ETag; the others are pinned to it.
  EXPECT_EQ(http::FindHeader(fake_.requests[0].headers, "if-match"), nullptr);
  EXPECT_EQ(*http::FindHeader(fake_.requests[1].headers, "if-match"), "\"e1\"");
}

TEST_F(PartsTest, SmallUnknownObjectTakesOneRequest) {
  fake_.ScriptObject(GetUrl("k"), {"tiny", "\"e\""});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(fake_.requests.size(), 1u);
  EXPECT_EQ(dir_.Read("k"), "tiny");
}

TEST_F(PartsTest, EmptyUnknownObjectFollows416WithAPlainGet) {
  fake_.ScriptObject(GetUrl("empty"), {"", "\"d41d8cd98f00b204e9800998ecf8427e\""});
  Summary summary = RunPlan({{}, {{"b", "empty", dir_.path() + "/empty", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(RangesRequested("empty"), (std::vector<std::string>{"bytes=0-15", "none"}));
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"empty"});
  EXPECT_EQ(dir_.Read("empty"), "");
}

TEST_F(PartsTest, EmptyObjectAnnouncedAsBytes0To0Of0IsNotWaitedFor) {
  // A server quirk: 206 "bytes 0-0/0" with a Content-Length of 1 and no body.
  fake_.Script(GetUrl("empty"),
               {206, {{"content-range", "bytes 0-0/0"}, {"content-length", "1"}}, "", ""});
  Summary summary = RunPlan({{}, {{"b", "empty", dir_.path() + "/empty", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(fake_.requests.size(), 1u);
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"empty"});
}

TEST_F(PartsTest, ServerWithoutRangesSendsTheWholeObjectToDiscovery) {
  std::string body = Body(50);
  fake_.ScriptObject(GetUrl("k"), {body, "\"e\"", /*ignore_range=*/true});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(fake_.requests.size(), 1u);
  EXPECT_EQ(dir_.Read("k"), body);
}

TEST_F(PartsTest, A200ToALaterRangeIsRefusedNotWrittenAtItsOffset) {
  std::string body = Body(50);
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"k", body}}), ""});
  fake_.ScriptObject(GetUrl("k"), {body, "\"x\"", /*ignore_range=*/true});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  const ObjectResult* k = collector_.Find("k");
  EXPECT_EQ(k->status.code(), StatusCode::kProtocolError);
  EXPECT_NE(k->status.message().find("ignored Range"), std::string::npos);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(PartsTest, ObjectChangedDuringTheDownloadFailsAndLeavesNoFile) {
  std::string body = Body(64);
  fake_.ScriptObject(GetUrl("k"), {body, "\"v1\""});
  fake_.ChangeObjectAfter(GetUrl("k"), 1, {Body(64).replace(0, 1, "Z"), "\"v2\""});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.failed, 1u);
  const ObjectResult* k = collector_.Find("k");
  EXPECT_EQ(k->status.code(), StatusCode::kObjectChanged);
  EXPECT_NE(k->status.message().find("failed: HTTP 412"), std::string::npos);
  EXPECT_NE(k->status.message().find("changed during the download"), std::string::npos);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(PartsTest, WrongContentRangeFailsTheObject) {
  std::string body = Body(40);
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"k", body}}), ""});
  fake_.Script(GetUrl("k"), {206, {{"content-range", "bytes 0-15/41"}}, body.substr(0, 16), ""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(collector_.Find("k")->status.code(), StatusCode::kProtocolError);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(PartsTest, ManyLargeObjectsShareTheConcurrencyLimit) {
  DownloadPlan plan;
  std::vector<std::pair<std::string, std::string>> listed;
  for (int i = 0; i < 6; ++i) {
    std::string key = "o" + std::to_string(i);
    std::string body = Body(30 + i * 17);
    fake_.ScriptObject(GetUrl(key), {body, "\"x\""});  // PageXml lists ETag "x"
    listed.emplace_back(key, body);
  }
  fake_.Script(ListUrl(""), {200, {}, PageXml(listed), ""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.succeeded, 6u);
  EXPECT_LE(fake_.max_in_flight, 4u);
  for (const auto& [key, body] : listed) EXPECT_EQ(dir_.Read(key), body) << key;
}

TEST_F(PartsTest, ABrokenBodyResumesAtTheByteWhereItStopped) {
  std::string body = Body(40);
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"k", body}}), ""});
  fake_.ScriptObject(GetUrl("k"), {body, "\"x\""});
  fake_.BreakObject(GetUrl("k"), 1, 5);  // the first reply stops after 5 bytes
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(summary.retries, 1u);
  EXPECT_EQ(dir_.Read("k"), body);
  std::vector<std::string> ranges = RangesRequested("k");
  // Part 0 broke after 5 bytes and was resumed at byte 5, pinned to the ETag.
  EXPECT_EQ(std::count(ranges.begin(), ranges.end(), "bytes=5-15"), 1);
  EXPECT_EQ(std::count(ranges.begin(), ranges.end(), "bytes=0-15"), 1);
  for (const auto& request : fake_.requests) {
    if (request.url != GetUrl("k")) continue;
    EXPECT_NE(http::FindHeader(request.headers, "if-match"), nullptr);
  }
}

TEST_F(PartsTest, ABrokenDiscoveryResumesAsARange) {
  std::string body = Body(40);
  fake_.ScriptObject(GetUrl("k"), {body, "\"e\""});
  fake_.BreakObject(GetUrl("k"), 1, 3);
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body);
  EXPECT_EQ(RangesRequested("k"),
            (std::vector<std::string>{"bytes=0-15", "bytes=3-15", "bytes=16-31", "bytes=32-39"}));
}

// --- resuming across runs ---------------------------------------------------------

class ResumeTest : public PartsTest {
 protected:
  ResumeTest() {
    config_.concurrency = 1;
    config_.cancel = &cancel_;
  }
  // Runs the listing of one 100-byte object "big" (7 parts of 16 bytes),
  // interrupted after `replies` replies when `replies` > 0.
  // With `named`, "big" is named as a single key (no listing: its size is
  // discovered).
  Summary RunInterruptedAfter(int replies, const std::string& listed_etag, bool named = false) {
    fake_ = FakeHttpClient();
    std::string xml = PageXml({{"big", body_}});
    xml.replace(xml.find("&quot;x&quot;"), 13, "&quot;" + listed_etag + "&quot;");
    fake_.Script(ListUrl(""), {200, {}, xml, ""});
    fake_.ScriptObject(GetUrl("big"), {body_, "\"" + listed_etag + "\""});
    cancel_ = false;
    int delivered = 0;
    fake_.after_reply = [&, replies] {
      if (replies > 0 && ++delivered == replies) cancel_ = true;
    };
    collector_.results.clear();
    if (named) return RunPlan({{}, {{"b", "big", dir_.path() + "/big", "", ""}}});
    return RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  }

  std::atomic<bool> cancel_{false};
  std::string body_ = Body(100);
};

TEST_F(ResumeTest, AnInterruptedObjectResumesWithTheMissingPartsOnly) {
  // The listing and parts 0-2 arrive; then the run is interrupted.
  Summary first = RunInterruptedAfter(4, "e1");
  EXPECT_TRUE(first.interrupted);
  // What stays is the resumable state only: the temporary file and its journal.
  std::set<std::string> left = dir_.Files();
  ASSERT_EQ(left.size(), 2u);
  std::string stem = left.begin()->substr(0, left.begin()->rfind('.'));
  EXPECT_TRUE(stem.starts_with(".s3pull-"));
  EXPECT_EQ(left, (std::set<std::string>{stem + ".journal", stem + ".part"}));
  EXPECT_NE(dir_.Read(stem + ".journal").find("done 2\n"), std::string::npos);

  Summary second = RunInterruptedAfter(0, "e1");
  ASSERT_EQ(second.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("big"), body_);
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"big"});
  EXPECT_EQ(RangesRequested("big"),
            (std::vector<std::string>{"bytes=48-63", "bytes=64-79", "bytes=80-95", "bytes=96-99"}));
}

TEST_F(ResumeTest, ANamedKeyResumesOnceItsSizeIsDiscovered) {
  // Parts 0 (the discovery), 1 and 2 arrive; then the run is interrupted.
  RunInterruptedAfter(3, "e1", /*named=*/true);
  ASSERT_EQ(dir_.Files().size(), 2u);
  Summary second = RunInterruptedAfter(0, "e1", /*named=*/true);
  ASSERT_EQ(second.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("big"), body_);
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"big"});
  // The discovery fetches part 0 again; parts 1 and 2 are not.
  EXPECT_EQ(RangesRequested("big"),
            (std::vector<std::string>{"bytes=0-15", "bytes=48-63", "bytes=64-79", "bytes=80-95",
                                      "bytes=96-99"}));
}

TEST_F(ResumeTest, AnObjectThatChangedSinceStartsOver) {
  RunInterruptedAfter(4, "e1");
  body_ = Body(100).replace(0, 3, "new");
  Summary second = RunInterruptedAfter(0, "e2");
  ASSERT_EQ(second.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("big"), body_);
  EXPECT_EQ(RangesRequested("big").size(), 7u);
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"big"});
}

TEST_F(ResumeTest, ANamedKeyThatChangedSinceStartsOver) {
  RunInterruptedAfter(3, "e1", /*named=*/true);
  body_ = Body(100).replace(20, 3, "new");
  Summary second = RunInterruptedAfter(0, "e2", /*named=*/true);
  ASSERT_EQ(second.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("big"), body_);
  EXPECT_EQ(RangesRequested("big").size(), 7u);
}

TEST_F(ResumeTest, AFailedObjectLeavesNoState) {
  fake_ = FakeHttpClient();
  fake_.Script(ListUrl(""), {200, {}, PageXml({{"big", body_}}), ""});
  fake_.Script(GetUrl("big"), {403, {}, "<Error><Code>AccessDenied</Code></Error>", ""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_TRUE(dir_.Files().empty());
}

// --- verification ---------------------------------------------------------------

std::string Md5Hex(const std::string& body) {
  return HexEncode(checksum::HashBytes(checksum::HashAlgorithm::kMd5, body));
}

TEST_F(PartsTest, Md5EtagIsVerifiedAndACorruptReplyIsFetchedAgain) {
  std::string body = Body(12);
  ScriptedObject object{body, "\"" + Md5Hex(body) + "\""};
  object.corrupt_replies = 1;
  fake_.ScriptObject(GetUrl("k"), object);
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(summary.retries, 1u);
  EXPECT_EQ(dir_.Read("k"), body);
}

TEST_F(PartsTest, AMismatchAfterTransientFailuresIsStillFetchedAgain) {
  std::string body = Body(12);
  fake_.ScriptSequence(GetUrl("k"), {{503, {}, "<Error><Code>SlowDown</Code></Error>", ""},
                                     {503, {}, "<Error><Code>SlowDown</Code></Error>", ""}});
  ScriptedObject object{body, "\"" + Md5Hex(body) + "\""};
  object.corrupt_replies = 1;  // the third reply, the first with a body
  fake_.ScriptObject(GetUrl("k"), object);
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(summary.retries, 3u);
  EXPECT_EQ(dir_.Read("k"), body);
}

TEST_F(PartsTest, AMismatchAfterAResumedBodyStartsTheObjectOver) {
  std::string body = Body(12);
  ScriptedObject object{body, "\"" + Md5Hex(body) + "\""};
  object.corrupt_replies = 2;  // the broken first reply and the resumed one
  fake_.ScriptObject(GetUrl("k"), object);
  fake_.BreakObject(GetUrl("k"), 1, 5);
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body);
  // Resumed at byte 5, then, the whole hash being wrong, fetched whole again.
  EXPECT_EQ(RangesRequested("k"), (std::vector<std::string>{"bytes=0-15", "bytes=5-11", "none"}));
}

TEST_F(PartsTest, ACorruptByteBeforeABreakInARangedObjectIsCaughtByTheHash) {
  std::string body = Body(40);  // three parts of 16 bytes
  ScriptedObject object{body, "\"" + Md5Hex(body) + "\""};
  object.corrupt_replies = 1;  // the first reply has byte 8 changed...
  fake_.ScriptObject(GetUrl("k"), object);
  fake_.BreakObject(GetUrl("k"), 1, 12);  // ...and breaks after byte 11
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body);
  // The bytes kept from the broken reply were hashed with the rest: the
  // mismatch had every part fetched again.
  EXPECT_EQ(RangesRequested("k"),
            (std::vector<std::string>{"bytes=0-15", "bytes=12-15", "bytes=16-31", "bytes=32-39",
                                      "bytes=0-15", "bytes=16-31", "bytes=32-39"}));
}

TEST_F(PartsTest, PersistentMd5MismatchFailsAndLeavesNoFile) {
  config_.max_retries = 2;
  std::string body = Body(12);
  ScriptedObject object{body, "\"" + Md5Hex(body) + "\""};
  object.corrupt_replies = 100;
  fake_.ScriptObject(GetUrl("k"), object);
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.failed, 1u);
  const ObjectResult* k = collector_.Find("k");
  EXPECT_EQ(k->status.code(), StatusCode::kIntegrityError);
  EXPECT_NE(k->status.message().find("checksum mismatch"), std::string::npos);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(PartsTest, PartsThatFinishOutOfOrderMakeAVerifiedFile) {
  // Later parts finish first: the MD5 of the whole still runs from byte 0.
  fake_.newest_first = true;
  config_.concurrency = 8;
  std::string body = Body(300);  // 19 parts of 16 bytes
  std::string etag = Md5Hex(body);
  std::string xml = PageXml({{"k", body}});
  xml.replace(xml.find("&quot;x&quot;"), 13, "&quot;" + etag + "&quot;");
  fake_.Script(ListUrl(""), {200, {}, xml, ""});
  fake_.ScriptObject(GetUrl("k"), {body, "\"" + etag + "\""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body);
  std::vector<std::string> ranges = RangesRequested("k");
  ASSERT_EQ(ranges.size(), 19u);
  EXPECT_EQ(summary.retries, 0u);
}

TEST_F(PartsTest, RangedObjectWithAnMd5EtagIsVerifiedAcrossItsParts) {
  std::string body = Body(100);
  std::string etag = Md5Hex(body);
  // PageXml lists ETag "x": list these two with their real MD5 instead.
  std::string xml = PageXml({{"good", body}, {"bad", body}});
  for (size_t at = xml.find("&quot;x&quot;"); at != std::string::npos;
       at = xml.find("&quot;x&quot;")) {
    xml.replace(at, 13, "&quot;" + etag + "&quot;");
  }
  fake_.Script(ListUrl(""), {200, {}, xml, ""});
  ScriptedObject once{body, "\"" + etag + "\""};
  once.corrupt_replies = 1;  // one part comes back with a changed byte, once
  fake_.ScriptObject(GetUrl("good"), once);
  ScriptedObject bad{body, "\"" + etag + "\""};
  bad.corrupt_replies = 1000;  // every reply is corrupt
  fake_.ScriptObject(GetUrl("bad"), bad);
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(dir_.Read("good"), body);
  const ObjectResult* failed = collector_.Find("bad");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->status.code(), StatusCode::kIntegrityError);
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"good"});
  // "good" was fetched whole twice; "bad" three times, then given up.
  EXPECT_EQ(RangesRequested("good").size(), 14u);
  EXPECT_EQ(RangesRequested("bad").size(), 21u);
  EXPECT_EQ(summary.retries, 3u);
}

TEST_F(PartsTest, FullObjectChecksumHeaderIsVerified) {
  std::string body = Body(10);
  s3::S3Checksum crc{checksum::HashAlgorithm::kCrc32,
                     checksum::HashBytes(checksum::HashAlgorithm::kCrc32, body)};
  ScriptedObject good{body, "\"not-an-md5\""};
  good.extra_headers = {{"x-amz-checksum-crc32", s3::ChecksumHeaderValue(crc)},
                        {"x-amz-checksum-type", "FULL_OBJECT"}};
  fake_.ScriptObject(GetUrl("k"), good);
  ScriptedObject bad = good;
  bad.corrupt_replies = 100;
  fake_.ScriptObject(GetUrl("bad"), bad);
  config_.max_retries = 1;
  Summary summary = RunPlan(
      {{}, {{"b", "k", dir_.path() + "/k", "", ""}, {"b", "bad", dir_.path() + "/bad", "", ""}}});
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(dir_.Read("k"), body);
  EXPECT_NE(collector_.Find("bad")->status.message().find("CRC32 expected"), std::string::npos);
  // Checksums are asked for, with a signed header.
  EXPECT_EQ(*http::FindHeader(fake_.requests[0].headers, "x-amz-checksum-mode"), "ENABLED");
  EXPECT_NE(
      http::FindHeader(fake_.requests[0].headers, "authorization")->find("x-amz-checksum-mode"),
      std::string::npos);
}

// A multipart object ("-3": no MD5) whose full-object CRC32 only a HEAD tells.
class MultipartChecksumTest : public PartsTest {
 protected:
  MultipartChecksumTest() {
    s3::S3Checksum crc{checksum::HashAlgorithm::kCrc32,
                       checksum::HashBytes(checksum::HashAlgorithm::kCrc32, body_)};
    object_.extra_headers = {{"x-amz-checksum-crc32", s3::ChecksumHeaderValue(crc)},
                             {"x-amz-checksum-type", "FULL_OBJECT"}};
  }
  void ServeListed() {
    std::string xml = PageXml({{"k", body_}});
    xml.replace(xml.find("&quot;x&quot;"), 13, "&quot;abc-3&quot;");
    fake_.Script(ListUrl(""), {200, {}, xml, ""});
    fake_.ScriptObject(GetUrl("k"), object_);
  }
  std::vector<std::string> Methods() {
    std::vector<std::string> methods;
    for (const auto& request : fake_.requests) {
      if (request.url == GetUrl("k")) methods.push_back(request.method);
    }
    return methods;
  }
  std::string body_ = Body(40);  // three parts of 16 bytes
  ScriptedObject object_{body_, "\"abc-3\""};
};

TEST_F(MultipartChecksumTest, AListedObjectGetsItsChecksumFromAHeadFirst) {
  object_.corrupt_replies = 1;  // the first part comes back with a changed byte, once
  ServeListed();
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body_);
  // HEAD (pinned to the ETag), the parts, and, the CRC32 of the whole being
  // wrong, the parts again.
  EXPECT_EQ(Methods(),
            (std::vector<std::string>{"HEAD", "GET", "GET", "GET", "GET", "GET", "GET"}));
  EXPECT_EQ(*http::FindHeader(fake_.requests[1].headers, "if-match"), "\"abc-3\"");
  EXPECT_EQ(summary.retries, 1u);
}

TEST_F(MultipartChecksumTest, ANamedKeyAsksAfterItsDiscovery) {
  object_.corrupt_replies = 1000;  // every reply is corrupt
  fake_.ScriptObject(GetUrl("k"), object_);
  config_.max_retries = 5;
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_NE(collector_.Find("k")->status.message().find("CRC32 expected"), std::string::npos);
  EXPECT_TRUE(dir_.Files().empty());
  std::vector<std::string> methods = Methods();
  ASSERT_GE(methods.size(), 2u);
  EXPECT_EQ(methods[0], "GET");  // the discovery
  EXPECT_EQ(methods[1], "HEAD");
}

TEST_F(MultipartChecksumTest, RequiredModeFailsAfterTheHeadWhenThereIsNoChecksum) {
  object_.extra_headers.clear();
  ServeListed();
  config_.checksum_mode = ChecksumMode::kRequired;
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_NE(collector_.Find("k")->status.message().find("no checksum to verify"),
            std::string::npos);
  EXPECT_EQ(Methods(), std::vector<std::string>{"HEAD"});  // no part was fetched
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(MultipartChecksumTest, OffModeSendsNoHead) {
  ServeListed();
  config_.checksum_mode = ChecksumMode::kOff;
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(Methods(), (std::vector<std::string>{"GET", "GET", "GET"}));
}

TEST_F(MultipartChecksumTest, AnExpectedChecksumIsCheckedWithoutAHeadInAnyMode) {
  object_.extra_headers.clear();  // the server offers none
  object_.corrupt_replies = 1;
  fake_.ScriptObject(GetUrl("k"), object_);
  fake_.ScriptObject(GetUrl("wrong"), object_);
  config_.checksum_mode = ChecksumMode::kOff;
  s3::S3Checksum crc{checksum::HashAlgorithm::kCrc64Nvme,
                     checksum::HashBytes(checksum::HashAlgorithm::kCrc64Nvme, body_)};
  s3::S3Checksum other{checksum::HashAlgorithm::kCrc64Nvme,
                       checksum::HashBytes(checksum::HashAlgorithm::kCrc64Nvme, "other")};
  DownloadPlan plan;
  plan.AddKey("b", "k", dir_.path() + "/k");
  plan.AddKey("b", "wrong", dir_.path() + "/wrong");
  plan.AddKey("b", "bad", dir_.path() + "/bad");
  plan.objects[0].expected_checksum = "crc64nvme:" + s3::ChecksumHeaderValue(crc);
  plan.objects[1].expected_checksum = "CRC64NVME:" + s3::ChecksumHeaderValue(other);
  plan.objects[2].expected_checksum = "MD6:AAAA";
  Summary summary = RunPlan(plan);
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body_);  // its corrupt first reply fetched again
  EXPECT_EQ(Methods(), (std::vector<std::string>{"GET", "GET", "GET", "GET", "GET", "GET"}));
  const ObjectResult* wrong = collector_.Find("wrong");
  EXPECT_EQ(wrong->status.code(), StatusCode::kIntegrityError);
  EXPECT_NE(wrong->status.message().find("CRC64NVME (the one expected)"), std::string::npos)
      << wrong->status.message();
  const ObjectResult* bad = collector_.Find("bad");
  EXPECT_EQ(bad->status.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(bad->started);
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"k"});
}

// An object uploaded in three parts (13, 13 and 14 bytes: not where the
// 16-byte ranges cut) with a composite CRC32 checksum.
class CompositeChecksumTest : public MultipartChecksumTest {
 protected:
  CompositeChecksumTest() {
    for (uint64_t first = 0; uint64_t size : sizes_) {
      digests_.push_back(
          checksum::HashBytes(checksum::HashAlgorithm::kCrc32, body_.substr(first, size)));
      first += size;
    }
    composite_ =
        s3::ChecksumHeaderValue(s3::CompositeChecksum(checksum::HashAlgorithm::kCrc32, digests_));
    object_.extra_headers = {{"x-amz-checksum-crc32", composite_},
                             {"x-amz-checksum-type", "COMPOSITE"}};
  }
  std::string AttributesUrl() {
    return s3::BuildGetObjectAttributes(config_.endpoint, "b", "k", 0).url;
  }
  // A GetObjectAttributes page listing parts [from, to).
  std::string AttributesXml(size_t from, size_t to, const std::string& etag = "abc-3") {
    std::string xml =
        "<GetObjectAttributesOutput><ETag>" + etag + "</ETag><Checksum><ChecksumCRC32>" +
        composite_ +
        "</ChecksumCRC32><ChecksumType>COMPOSITE</ChecksumType></Checksum>"
        "<ObjectSize>40</ObjectSize><ObjectParts><TotalPartsCount>3</TotalPartsCount>";
    if (to < sizes_.size()) {
      xml += "<IsTruncated>true</IsTruncated><NextPartNumberMarker>" + std::to_string(to) +
             "</NextPartNumberMarker>";
    }
    for (size_t i = from; i < to; ++i) {
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><Size>" +
             std::to_string(sizes_[i]) + "</Size><ChecksumCRC32>" + Base64Encode(digests_[i]) +
             "</ChecksumCRC32></Part>";
    }
    return xml + "</ObjectParts></GetObjectAttributesOutput>";
  }
  // "HEAD", "ATTRIBUTES" or "GET" for each request of the object.
  std::vector<std::string> Calls() {
    std::vector<std::string> calls;
    for (const auto& request : fake_.requests) {
      if (request.url == AttributesUrl()) calls.push_back("ATTRIBUTES");
      if (request.url == GetUrl("k")) calls.push_back(request.method);
    }
    return calls;
  }
  const std::vector<uint64_t> sizes_ = {13, 13, 14};
  std::vector<checksum::Digest> digests_;
  std::string composite_;
};

TEST_F(CompositeChecksumTest, ProgressCountsTheObjectsBytesNotTheRepliesAboutIt) {
  ServeListed();
  fake_.Script(AttributesUrl(), {200, {}, AttributesXml(0, 3), ""});
  config_.progress_interval = 0.001;
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  ASSERT_FALSE(collector_.progress.empty());
  EXPECT_EQ(collector_.progress.back().bytes_received, body_.size());
  EXPECT_EQ(collector_.progress.back().bytes_expected, body_.size());
  // The end is told unless the call before told the same.
  if (size_t calls = collector_.progress.size(); calls >= 2) {
    Progress before = collector_.progress[calls - 2];
    before.seconds = collector_.progress.back().seconds;
    EXPECT_FALSE(before == collector_.progress.back()) << "the last counts told twice";
  }
}

TEST_F(CompositeChecksumTest, AListedObjectIsCheckedPartByPart) {
  object_.corrupt_replies = 1;  // the first range comes back with a changed byte, once
  ServeListed();
  fake_.Script(AttributesUrl(), {200, {}, AttributesXml(0, 3), ""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body_);
  // The HEAD, the parts' checksums, the ranges, and (a part's CRC being
  // wrong) the ranges again.
  EXPECT_EQ(Calls(), (std::vector<std::string>{"HEAD", "ATTRIBUTES", "GET", "GET", "GET", "GET",
                                               "GET", "GET"}));
  EXPECT_EQ(summary.retries, 1u);
  const auto& attributes = fake_.requests[2];
  EXPECT_EQ(*http::FindHeader(attributes.headers, "x-amz-object-attributes"),
            "ETag,Checksum,ObjectParts,ObjectSize");
  EXPECT_NE(http::FindHeader(attributes.headers, "authorization")->find("x-amz-object-attributes"),
            std::string::npos);
}

TEST_F(CompositeChecksumTest, APartThatStaysWrongIsNamed) {
  object_.corrupt_replies = 1000;
  ServeListed();
  fake_.Script(AttributesUrl(), {200, {}, AttributesXml(0, 3), ""});
  config_.max_retries = 5;
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_NE(collector_.Find("k")->status.message().find("checksum mismatch: CRC32 of part 1 of 3"),
            std::string::npos)
      << collector_.Find("k")->status.ToString();
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(CompositeChecksumTest, PartsComeInPages) {
  ServeListed();
  fake_.ScriptSequence(AttributesUrl(),
                       {{200, {}, AttributesXml(0, 2), ""}, {200, {}, AttributesXml(2, 3), ""}});
  config_.checksum_mode = ChecksumMode::kRequired;
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(Calls(),
            (std::vector<std::string>{"HEAD", "ATTRIBUTES", "ATTRIBUTES", "GET", "GET", "GET"}));
  EXPECT_EQ(http::FindHeader(fake_.requests[2].headers, "x-amz-part-number-marker"), nullptr);
  EXPECT_EQ(*http::FindHeader(fake_.requests[3].headers, "x-amz-part-number-marker"), "2");
}

TEST_F(CompositeChecksumTest, WithoutItsPartsAutoDownloadsUnchecked) {
  ServeListed();
  fake_.Script(AttributesUrl(), {403, {}, "<Error><Code>AccessDenied</Code></Error>", ""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body_);
  EXPECT_EQ(Calls(), (std::vector<std::string>{"HEAD", "ATTRIBUTES", "GET", "GET", "GET"}));
}

TEST_F(CompositeChecksumTest, WithoutItsPartsRequiredModeFails) {
  ServeListed();
  // A server that keeps no part checksums: the object's composite alone.
  std::string xml = AttributesXml(0, 0);
  xml.replace(xml.find("<ObjectParts>"), xml.find("</ObjectParts>") - xml.find("<ObjectParts>"),
              "<ObjectParts>");
  fake_.Script(AttributesUrl(), {200, {}, xml, ""});
  config_.checksum_mode = ChecksumMode::kRequired;
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(collector_.Find("k")->status.message(),
            "no checksum to verify: its checksum is composite and the server lists no "
            "checksums of its parts (--checksum required)");
  EXPECT_EQ(Calls(), (std::vector<std::string>{"HEAD", "ATTRIBUTES"}));
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(CompositeChecksumTest, PartsThatDoNotMakeTheObjectsChecksumFailIt) {
  ServeListed();
  digests_[1] = checksum::HashBytes(checksum::HashAlgorithm::kCrc32, "another part");
  fake_.Script(AttributesUrl(), {200, {}, AttributesXml(0, 3), ""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_NE(collector_.Find("k")->status.message().find(
                "checksum mismatch: the CRC32 checksums of the parts make"),
            std::string::npos)
      << collector_.Find("k")->status.ToString();
  EXPECT_EQ(Calls(), (std::vector<std::string>{"HEAD", "ATTRIBUTES"}));
}

TEST_F(CompositeChecksumTest, AttributesOfAnotherVersionMeanTheObjectChanged) {
  ServeListed();
  fake_.Script(AttributesUrl(), {200, {}, AttributesXml(0, 3, "def-3"), ""});
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_NE(collector_.Find("k")->status.message().find("the object changed during the download"),
            std::string::npos);
}

TEST_F(CompositeChecksumTest, ANamedKeyAsksAfterItsDiscovery) {
  object_.corrupt_replies = 1;
  fake_.ScriptObject(GetUrl("k"), object_);
  fake_.Script(AttributesUrl(), {200, {}, AttributesXml(0, 3), ""});
  config_.checksum_mode = ChecksumMode::kRequired;
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body_);
  // Discovery, HEAD, attributes, the other ranges; then all ranges again.
  EXPECT_EQ(Calls(), (std::vector<std::string>{"GET", "HEAD", "ATTRIBUTES", "GET", "GET", "GET",
                                               "GET", "GET"}));
}

TEST_F(CompositeChecksumTest, AResumedObjectChecksTheBytesAnEarlierRunLeft) {
  std::atomic<bool> cancel{false};
  config_.cancel = &cancel;
  config_.concurrency = 1;
  ServeListed();
  fake_.Script(AttributesUrl(), {200, {}, AttributesXml(0, 3), ""});
  // The listing, the HEAD, the attributes and the first range; then Ctrl-C.
  int replies = 0;
  fake_.after_reply = [&] { cancel = ++replies == 4; };
  EXPECT_TRUE(RunPlan({{{"b", "", "", dir_.path(), ""}}, {}}).interrupted);
  std::string temp = *dir_.Files().begin();
  temp = temp.substr(0, temp.rfind('.')) + ".part";
  // The bytes on disk rot: byte 3 (stored part 1) changes.
  {
    std::fstream file(dir_.path() + "/" + temp, std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(3);
    file.put('#');
  }
  fake_.after_reply = nullptr;
  fake_.requests.clear();
  cancel = false;
  Summary summary = RunPlan({{{"b", "", "", dir_.path(), ""}}, {}});
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results.back().status.ToString();
  EXPECT_EQ(dir_.Read("k"), body_);
  // Only the missing ranges at first; the check of part 1 fails, so all again.
  EXPECT_EQ(Calls(),
            (std::vector<std::string>{"HEAD", "ATTRIBUTES", "GET", "GET", "GET", "GET", "GET"}));
  EXPECT_EQ(RangesRequested("k"),
            (std::vector<std::string>{"none", "bytes=16-31", "bytes=32-39", "bytes=0-15",
                                      "bytes=16-31", "bytes=32-39"}));
}

TEST_F(PartsTest, RequiredModeFailsObjectsWithNothingToVerify) {
  config_.checksum_mode = ChecksumMode::kRequired;
  fake_.ScriptObject(GetUrl("k"), {"data", "\"abc-2\""});
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_NE(collector_.Find("k")->status.message().find("no checksum to verify"),
            std::string::npos);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(PartsTest, OffModeVerifiesNothing) {
  config_.checksum_mode = ChecksumMode::kOff;
  std::string body = Body(12);
  ScriptedObject object{body, "\"" + Md5Hex(body) + "\""};
  object.corrupt_replies = 1;
  fake_.ScriptObject(GetUrl("k"), object);
  Summary summary = RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(http::FindHeader(fake_.requests[0].headers, "x-amz-checksum-mode"), nullptr);
}

// --- per-object options: memory, version, expected ETag ----------------------------

TEST_F(PartsTest, ObjectsKeptInMemoryComeVerifiedInTheirResults) {
  std::string small = Body(12);
  std::string large = Body(100);  // seven ranged parts, hashed from memory by the pool
  std::string discovered = Body(40);
  fake_.ScriptObject(GetUrl("small"), {small, "\"" + Md5Hex(small) + "\""});
  ScriptedObject corrupt{large, "\"" + Md5Hex(large) + "\""};
  corrupt.corrupt_replies = 1;
  fake_.ScriptObject(GetUrl("large"), corrupt);
  fake_.ScriptObject(GetUrl("found"), {discovered, "\"" + Md5Hex(discovered) + "\""});
  DownloadPlan plan;
  for (const char* key : {"small", "large", "found"}) plan.AddKeyToMemory("b", key);
  Summary summary = RunPlan(plan);
  ASSERT_EQ(summary.succeeded, 3u) << collector_.results[0].status.ToString();
  EXPECT_EQ(collector_.Find("small")->data, small);
  EXPECT_EQ(collector_.Find("large")->data, large);  // its corrupt first reply fetched again
  EXPECT_EQ(collector_.Find("found")->data, discovered);
  EXPECT_EQ(collector_.Find("large")->bytes, 100u);
  EXPECT_EQ(collector_.Find("large")->path, "");
  EXPECT_GE(summary.retries, 1u);
  EXPECT_TRUE(dir_.Files().empty());
}

TEST_F(PartsTest, AReplyOfUnknownLengthGrowsTheMemoryItGoesTo) {
  // No Content-Length and no Content-Range: the body is read to its end.
  fake_.Script(GetUrl("k"), {200, {}, Body(50), ""});
  DownloadPlan plan;
  plan.AddKeyToMemory("b", "k");
  Summary summary = RunPlan(plan);
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(collector_.results[0].data, Body(50));
}

TEST_F(PartsTest, ACallersBufferTakesTheBytesOrRefusesAnObjectTooLarge) {
  fake_.ScriptObject(GetUrl("fits"), {Body(40), "\"" + Md5Hex(Body(40)) + "\""});
  fake_.ScriptObject(GetUrl("big"), {Body(40), "\"" + Md5Hex(Body(40)) + "\""});
  std::string fits(48, '-');
  std::string small(39, '-');
  DownloadPlan plan;
  plan.AddKeyToBuffer("b", "fits", fits);
  plan.AddKeyToBuffer("b", "big", small);
  Summary summary = RunPlan(plan);
  EXPECT_EQ(summary.succeeded, 1u);
  const ObjectResult* ok = collector_.Find("fits");
  EXPECT_EQ(ok->bytes, 40u);
  EXPECT_EQ(ok->data, "");
  EXPECT_EQ(fits, Body(40) + std::string(8, '-'));
  const ObjectResult* big = collector_.Find("big");
  EXPECT_EQ(big->status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(big->status.message().find("does not fit the buffer of 39 bytes"), std::string::npos);
  EXPECT_EQ(small, std::string(39, '-'));
}

TEST_F(PartsTest, AVersionIdGoesInEveryRequest) {
  std::string body = Body(40);
  std::string url = s3::BuildGetObject(config_.endpoint, "b", "k", "v 1").url;
  EXPECT_TRUE(url.ends_with("/b/k?versionId=v%201")) << url;
  fake_.ScriptObject(url, {body, "\"e\""});
  DownloadPlan plan;
  plan.AddKey("b", "k", dir_.path() + "/k");
  plan.objects[0].version_id = "v 1";
  Summary summary = RunPlan(plan);
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body);
  ASSERT_EQ(fake_.requests.size(), 3u);
  for (const auto& request : fake_.requests) EXPECT_EQ(request.url, url);
  EXPECT_EQ(collector_.results[0].version_id, "v 1");
}

TEST_F(PartsTest, AnExpectedEtagPinsTheFirstRequestToo) {
  fake_.ScriptObject(GetUrl("same"), {Body(40), "\"e1\""});
  fake_.ScriptObject(GetUrl("other"), {Body(40), "\"e2\""});
  DownloadPlan plan;
  plan.AddKey("b", "same", dir_.path() + "/same");
  plan.AddKey("b", "other", dir_.path() + "/other");
  plan.objects[0].expected_etag = "e1";
  plan.objects[1].expected_etag = "\"e1\"";
  Summary summary = RunPlan(plan);
  EXPECT_EQ(summary.succeeded, 1u);
  EXPECT_EQ(dir_.Read("same"), Body(40));
  for (const auto& request : fake_.requests) {
    const std::string* if_match = http::FindHeader(request.headers, "if-match");
    ASSERT_NE(if_match, nullptr) << request.url;
    EXPECT_EQ(*if_match, "\"e1\"");
  }
  const ObjectResult* other = collector_.Find("other");
  EXPECT_EQ(other->status.code(), StatusCode::kObjectChanged);
  EXPECT_NE(other->status.message().find("not the version expected: its ETag is not \"e1\""),
            std::string::npos)
      << other->status.message();
  EXPECT_EQ(dir_.Files(), std::set<std::string>{"same"});
}

TEST_F(PartsTest, AnExpectedEtagIsCheckedWhereTheServerIgnoresIfMatch) {
  // A server that ignores If-Match (and Range) sends another version.
  fake_.Script(GetUrl("k"), {200, {{"etag", "\"e2\""}}, Body(10), ""});
  DownloadPlan plan;
  plan.AddKeyToMemory("b", "k");
  plan.objects[0].expected_etag = "e1";
  Summary summary = RunPlan(plan);
  EXPECT_EQ(summary.failed, 1u);
  EXPECT_EQ(collector_.results[0].status.code(), StatusCode::kObjectChanged);
  EXPECT_EQ(collector_.results[0].data, "");
}

TEST_F(PartsTest, AByteRangeIsFetchedInOffsetPartsAndHoldsItsBytesAlone) {
  std::string body = Body(100);
  fake_.ScriptObject(GetUrl("k"), {body, "\"e\""});
  DownloadPlan plan;
  plan.AddKey("b", "k", dir_.path() + "/k");
  plan.objects[0].range = ByteRange{30, 40};  // three parts of 16 from byte 30
  plan.AddKeyToMemory("b", "k");
  plan.objects[1].range = ByteRange{90, 0};  // to the end
  plan.AddKeyToMemory("b", "k");
  plan.objects[2].range = ByteRange{95, 50};  // past the end: what there is
  Summary summary = RunPlan(plan);
  ASSERT_EQ(summary.succeeded, 3u) << collector_.results[0].status.ToString();
  EXPECT_EQ(dir_.Read("k"), body.substr(30, 40));
  std::set<std::string> in_memory;
  for (const ObjectResult& result : collector_.results) {
    if (result.path.empty()) in_memory.insert(result.data);
  }
  EXPECT_EQ(in_memory, (std::set<std::string>{body.substr(90), body.substr(95)}));
  std::vector<std::string> ranges = RangesRequested("k");
  for (const char* range :
       {"bytes=30-45", "bytes=46-61", "bytes=62-69", "bytes=90-105", "bytes=95-110"}) {
    EXPECT_EQ(std::count(ranges.begin(), ranges.end(), range), 1) << range;
  }
  EXPECT_EQ(ranges.size(), 5u);
}

TEST_F(PartsTest, ABrokenByteRangeResumesWhereItStopped) {
  std::string body = Body(100);
  fake_.ScriptObject(GetUrl("k"), {body, "\"e\""});
  fake_.BreakObject(GetUrl("k"), 1, 4);
  DownloadPlan plan;
  plan.AddKeyToMemory("b", "k");
  plan.objects[0].range = ByteRange{50, 10};
  Summary summary = RunPlan(plan);
  ASSERT_EQ(summary.succeeded, 1u) << collector_.results[0].status.ToString();
  EXPECT_EQ(collector_.results[0].data, body.substr(50, 10));
  EXPECT_EQ(RangesRequested("k"), (std::vector<std::string>{"bytes=50-59", "bytes=54-59"}));
}

TEST_F(PartsTest, AByteRangePastTheEndOrToStandardOutputFails) {
  fake_.ScriptObject(GetUrl("k"), {Body(10), "\"e\""});
  DownloadPlan plan;
  plan.AddKey("b", "k", dir_.path() + "/k");
  plan.objects[0].range = ByteRange{10, 5};
  plan.AddKey("b", "k", "-");
  plan.objects[1].range = ByteRange{0, 5};
  Summary summary = RunPlan(plan);
  EXPECT_EQ(summary.failed, 2u);
  EXPECT_EQ(collector_.results.size(), 2u);
  const ObjectResult& past_end =
      collector_.results[0].path.empty() ? collector_.results[1] : collector_.results[0];
  const ObjectResult& to_stdout =
      &past_end == &collector_.results[0] ? collector_.results[1] : collector_.results[0];
  EXPECT_EQ(past_end.status.http_status(), 416);
  EXPECT_NE(past_end.status.message().find("no byte 10"), std::string::npos);
  EXPECT_EQ(to_stdout.status.code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(to_stdout.started);
  EXPECT_TRUE(dir_.Files().empty());
}

// --- progress ------------------------------------------------------------------------

// Counts never go down from one OnProgress to the next.
void ExpectGrowing(const std::vector<Progress>& calls) {
  for (size_t i = 1; i < calls.size(); ++i) {
    EXPECT_GE(calls[i].objects_found, calls[i - 1].objects_found);
    EXPECT_GE(calls[i].objects_started, calls[i - 1].objects_started);
    EXPECT_GE(calls[i].objects_done, calls[i - 1].objects_done);
    EXPECT_GE(calls[i].bytes_expected, calls[i - 1].bytes_expected);
    EXPECT_GE(calls[i].bytes_received, calls[i - 1].bytes_received);
    EXPECT_GE(calls[i].seconds, calls[i - 1].seconds);
  }
}

TEST_F(PartsTest, ProgressCountsWhatIsFoundStartedReceivedAndDone) {
  config_.progress_interval = 0.001;
  fake_.after_reply = [] { std::this_thread::sleep_for(std::chrono::milliseconds(2)); };
  std::vector<std::pair<std::string, std::string>> listed = {{"l/a", Body(40)}, {"l/b", Body(5)}};
  fake_.Script(ListUrl("l/"), {200, {}, PageXml(listed), ""});
  for (const auto& [key, body] : listed) fake_.ScriptObject(GetUrl(key), {body, "\"x\""});
  fake_.ScriptObject(GetUrl("named"), {Body(30), "\"e\""});  // its size told by a reply
  fake_.ScriptSequence(GetUrl("named"), {{503, {}, "<Error><Code>SlowDown</Code></Error>", ""}});
  DownloadPlan plan;
  plan.AddPrefix("b", "l/", dir_.path());
  plan.AddKey("b", "named", dir_.path() + "/named");
  plan.AddKeys("b", "", {"../escape"}, dir_.path());  // refused: found and done, never started
  Summary summary = RunPlan(plan);
  ASSERT_EQ(summary.succeeded, 3u);
  ASSERT_GE(collector_.progress.size(), 2u);  // during the run, and at its end
  ExpectGrowing(collector_.progress);
  const Progress& last = collector_.progress.back();
  EXPECT_EQ(last.objects_found, 4u);
  EXPECT_TRUE(last.listing_done);
  EXPECT_EQ(last.objects_started, 3u);
  EXPECT_EQ(last.objects_done, 4u);
  EXPECT_EQ(last.bytes_expected, 75u);
  EXPECT_EQ(last.bytes_received, 75u);
  EXPECT_EQ(last.retries, 1u);
  EXPECT_GT(last.seconds, 0);
}

TEST_F(PartsTest, NoProgressWhenItIsNotAskedFor) {
  ScriptObject("k", "v");
  RunPlan({{}, {{"b", "k", dir_.path() + "/k", "", ""}}});
  EXPECT_TRUE(collector_.progress.empty());
}

// --- several event loops ------------------------------------------------------------

class LoopsTest : public PartsTest {
 protected:
  LoopsTest() { config_.concurrency = 4; }

  // Runs `plan` with `loops` event loops, reporting to `observer` (default:
  // collector_); the other loops are served by twins of fake_, which count
  // their replies in helper_replies_ and take helper_delay_ over each.
  Summary RunWithLoops(const DownloadPlan& plan, int loops, Observer* observer = nullptr) {
    config_.event_loops = loops;
    return transfer::RunPlan(config_, fake_, plan, observer ? *observer : collector_, [this] {
      std::unique_ptr<FakeHttpClient> twin = fake_.Twin();
      twin->after_reply = [this] {
        ++helper_replies_;
        std::this_thread::sleep_for(helper_delay_);
      };
      return twin;
    });
  }

  // Scripts a listing of `count` one-part objects in pages of 100 (ETag "x").
  std::map<std::string, std::string> ListSmallObjects(int count) {
    std::map<std::string, std::string> bodies;
    std::vector<std::pair<std::string, std::string>> page;
    for (int i = 0; i < count; ++i) {
      std::string key = "d" + std::to_string(i % 7) + "/o" + std::to_string(i);
      bodies[key] = key + Body(i % 5);  // at most 16 bytes: one GET each
      fake_.ScriptObject(GetUrl(key), {bodies[key], "\"x\""});
      page.emplace_back(key, bodies[key]);
      if (page.size() == 100 || i + 1 == count) {
        int number = i / 100;
        std::string token = i + 1 == count ? "" : "t" + std::to_string(number + 1);
        fake_.Script(ListUrl("", number == 0 ? "" : "t" + std::to_string(number)),
                     {200, {}, PageXml(page, token), ""});
        page.clear();
      }
    }
    return bodies;
  }

  std::atomic<int> helper_replies_{0};
  std::chrono::milliseconds helper_delay_{0};
};

TEST_F(LoopsTest, HelpersTakeObjectsAndTheFirstLoopReportsEveryOne) {
  std::map<std::string, std::string> bodies = ListSmallObjects(300);
  // The first loop is slow, so the helpers are asked for their share.
  fake_.after_reply = [] { std::this_thread::sleep_for(std::chrono::milliseconds(2)); };
  std::vector<std::thread::id> threads;
  struct ThreadCollector final : Observer {
    std::vector<std::thread::id>* threads;
    Observer* next;
    void OnObjectDone(const ObjectResult& result) override {
      threads->push_back(std::this_thread::get_id());
      next->OnObjectDone(result);
    }
  } observer;
  observer.threads = &threads;
  observer.next = &collector_;
  Summary summary = RunWithLoops({{{"b", "", "", dir_.path(), ""}}, {}}, 3, &observer);
  EXPECT_EQ(summary.objects, 300u);
  EXPECT_EQ(summary.succeeded, 300u);
  EXPECT_GT(helper_replies_.load(), 0);
  // A fixed concurrency of 4 shared by 3 loops: the first keeps 2.
  EXPECT_LE(fake_.max_in_flight, 2u);
  std::set<std::string> reported;
  for (const ObjectResult& result : collector_.results) {
    EXPECT_TRUE(reported.insert(result.key).second) << result.key << " reported twice";
  }
  EXPECT_EQ(reported.size(), 300u);
  for (std::thread::id id : threads) EXPECT_EQ(id, std::this_thread::get_id());
  for (const auto& [key, body] : bodies) EXPECT_EQ(dir_.Read(key), body) << key;
  EXPECT_EQ(dir_.Files().size(), 300u);  // and no temporary file left
}

TEST_F(LoopsTest, ProgressCountsTheBytesOfEveryLoop) {
  std::map<std::string, std::string> bodies = ListSmallObjects(300);
  fake_.after_reply = [] { std::this_thread::sleep_for(std::chrono::milliseconds(2)); };
  config_.progress_interval = 0.001;
  uint64_t total = 0;
  for (const auto& [key, body] : bodies) total += body.size();
  Summary summary = RunWithLoops({{{"b", "", "", dir_.path(), ""}}, {}}, 3);
  EXPECT_EQ(summary.succeeded, 300u);
  EXPECT_GT(helper_replies_.load(), 0);
  ExpectGrowing(collector_.progress);
  const Progress& last = collector_.progress.back();
  EXPECT_EQ(last.objects_found, 300u);
  EXPECT_EQ(last.objects_started, 300u);
  EXPECT_EQ(last.objects_done, 300u);
  EXPECT_EQ(last.bytes_expected, total);
  EXPECT_EQ(last.bytes_received, total);
}

TEST_F(LoopsTest, LargeAndSmallObjectsAcrossLoopsAreByteExact) {
  std::map<std::string, std::string> bodies = ListSmallObjects(150);
  std::vector<std::pair<std::string, std::string>> large;
  for (int i = 0; i < 4; ++i) {
    std::string key = "large" + std::to_string(i);
    bodies[key] = Body(100 + 37 * i);  // 7 to 16 parts of 16 bytes
    fake_.ScriptObject(GetUrl(key), {bodies[key], "\"x\""});
    large.emplace_back(key, bodies[key]);
  }
  fake_.Script(ListUrl("large"), {200, {}, PageXml(large), ""});
  config_.concurrency = 0;  // adaptive, in each loop
  // The first loop is slow, so the helper is asked for its share.
  fake_.after_reply = [] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); };
  Summary summary =
      RunWithLoops({{{"b", "", "", dir_.path(), ""}, {"b", "large", "", dir_.path(), ""}}, {}}, 2);
  EXPECT_EQ(summary.succeeded, 154u);
  EXPECT_EQ(summary.failed, 0u);
  EXPECT_GT(helper_replies_.load(), 0);
  for (const auto& [key, body] : bodies) EXPECT_EQ(dir_.Read(key), body) << key;
}

TEST_F(LoopsTest, RetriesInEveryLoopAreCounted) {
  DownloadPlan plan;
  for (int i = 0; i < 40; ++i) {
    std::string key = "k" + std::to_string(i);
    fake_.ScriptSequence(GetUrl(key), {{503, {}, "<Error><Code>SlowDown</Code></Error>", ""}});
    fake_.ScriptObject(GetUrl(key), {key, "\"e\""});
    plan.objects.push_back({"b", key, "", dir_.path(), ""});
  }
  fake_.after_reply = [] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); };
  Summary summary = RunWithLoops(plan, 3);
  EXPECT_EQ(summary.succeeded, 40u);
  EXPECT_GT(helper_replies_.load(), 0);
  EXPECT_EQ(summary.retries, 40u);  // one 503 for each, whichever loop met it
  for (int i = 0; i < 40; ++i)
    EXPECT_EQ(dir_.Read("k" + std::to_string(i)), "k" + std::to_string(i));
}

TEST_F(LoopsTest, ALoopThatCannotBeMadeLeavesTheWorkToTheFirst) {
  std::map<std::string, std::string> bodies = ListSmallObjects(50);
  config_.event_loops = 3;
  Summary summary = transfer::RunPlan(config_, fake_, {{{"b", "", "", dir_.path(), ""}}, {}},
                                      collector_, []() -> std::unique_ptr<http::HttpClient> {
                                        return nullptr;  // (libcurl could not start)
                                      });
  EXPECT_EQ(summary.succeeded, 50u);
  EXPECT_EQ(fake_.max_in_flight, 4u);  // the whole concurrency, shared with no one
  for (const auto& [key, body] : bodies) EXPECT_EQ(dir_.Read(key), body) << key;
}

TEST_F(LoopsTest, ACancelledRunReportsEveryObjectOnceFromEveryLoop) {
  DownloadPlan plan;
  for (int i = 0; i < 200; ++i) {
    std::string key = "k" + std::to_string(i);
    fake_.ScriptObject(GetUrl(key), {key, "\"e\""});
    plan.objects.push_back({"b", key, "", dir_.path(), ""});
  }
  std::atomic<bool> cancel{false};
  config_.cancel = &cancel;
  std::atomic<int> delivered{0};
  fake_.after_reply = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (++delivered == 30) cancel = true;
  };
  helper_delay_ = std::chrono::milliseconds(1);
  Summary summary = RunWithLoops(plan, 3);
  EXPECT_TRUE(summary.interrupted);
  EXPECT_GT(summary.cancelled, 0u);
  ASSERT_EQ(collector_.results.size(), 200u);
  std::set<std::string> keys;
  for (const ObjectResult& result : collector_.results) {
    EXPECT_TRUE(keys.insert(result.key).second) << result.key << " reported twice";
  }
  EXPECT_EQ(summary.succeeded + summary.cancelled, 200u);
  EXPECT_EQ(dir_.Files().size(), summary.succeeded);
}

TEST_F(LoopsTest, EveryLoopDrawsOnTheRunsOneRetryBudget) {
  config_.max_retries = 100;
  config_.concurrency = 30;
  DownloadPlan plan;
  for (int i = 0; i < 60; ++i) {
    std::string key = "k" + std::to_string(i);
    fake_.Script(GetUrl(key), {200, {}, "", "Connection refused"});
    plan.objects.push_back({"b", key, "", dir_.path(), ""});
  }
  fake_.after_reply = [] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); };
  Summary summary = RunWithLoops(plan, 3);
  EXPECT_EQ(summary.failed, 60u);
  EXPECT_GT(helper_replies_.load(), 0);
  // 500 tokens at 10 per transport retry: 50 retries for the run, not per loop.
  EXPECT_EQ(summary.retries, 50u);
}

TEST_F(LoopsTest, CancellingStopsEveryLoopAndLeavesOnlyCompleteFiles) {
  std::map<std::string, std::string> bodies = ListSmallObjects(400);
  std::atomic<bool> cancel{false};
  config_.cancel = &cancel;
  int delivered = 0;
  fake_.after_reply = [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (++delivered == 30) cancel = true;
  };
  helper_delay_ = std::chrono::milliseconds(1);  // (not all done before the cancel)
  Summary summary = RunWithLoops({{{"b", "", "", dir_.path(), ""}}, {}}, 3);
  EXPECT_TRUE(summary.interrupted);
  EXPECT_LT(summary.succeeded, 400u);
  for (const ObjectResult& result : collector_.results) {
    EXPECT_TRUE(result.status.ok() || result.status.code() == StatusCode::kCancelled)
        << result.key << ": " << result.status.ToString();
  }
  // What is there is complete; nothing else (no temporary file) is.
  for (const std::string& file : dir_.Files()) EXPECT_EQ(dir_.Read(file), bodies[file]) << file;
  EXPECT_EQ(dir_.Files().size(), summary.succeeded);
}

}  // namespace
}  // namespace s3pull::transfer
