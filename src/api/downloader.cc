// Downloader: resolves options the way the AWS CLI does, then runs the
// engine over libcurl. See include/s3pull/downloader.h.
#include "s3pull/downloader.h"

#include <sys/resource.h>

#include <atomic>
#include <memory>

#include "auth/credential_source.h"
#include "auth/credentials.h"
#include "http/curl_client.h"
#include "http/trust_store.h"
#include "s3/requests.h"
#include "s3pull/location.h"
#include "schedule/concurrency.h"
#include "transfer/engine.h"

namespace s3pull {
namespace {

std::string FirstSet(const auth::Environment& env, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    std::optional<std::string> value = env.get_var(name);
    if (value && !value->empty()) return *value;
  }
  return "";
}

// Each request in flight holds a socket, a file and its folder open: lift the
// soft limit on descriptors to the hard one so high concurrency does not fail
// with EMFILE.
void RaiseOpenFileLimit() {
  rlimit limit;
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// Hands a listing's entries to the caller's function, and keeps its failure.
class ListingForwarder final : public transfer::ListingObserver {
 public:
  explicit ListingForwarder(const std::function<void(const ListedEntry&)>& on_entry)
      : on_entry_(on_entry) {}
  void OnListed(const ListedEntry& entry) override { on_entry_(entry); }
  void OnObjectDone(const ObjectResult& result) override { failure_ = result.status; }
  const Status& failure() const { return failure_; }

 private:
  const std::function<void(const ListedEntry&)>& on_entry_;
  Status failure_;
};

class CurlDownloader final : public Downloader {
 public:
  CurlDownloader(transfer::EngineConfig config, const http::CurlOptions& curl,
                 std::unique_ptr<http::CurlHttpClient> http)
      : config_(std::move(config)), curl_(curl), http_(std::move(http)) {
    config_.cancel = &cancel_;
  }

  Summary Run(const DownloadPlan& plan, Observer& observer) override {
    Summary summary;
    try {
      summary = transfer::RunPlan(config_, *http_, plan, observer,
                                  [this]() -> std::unique_ptr<http::HttpClient> {
                                    Result<std::unique_ptr<http::CurlHttpClient>> client =
                                        http::CurlHttpClient::Create(curl_);
                                    if (!client.ok()) return nullptr;
                                    return std::move(*client);
                                  });
    } catch (const std::bad_alloc&) {
      summary.error = Status(StatusCode::kIoError, "out of memory: the run stopped");
    }
    // A Cancel() ends the run it stopped; the next one starts afresh.
    cancel_.store(false);
    return summary;
  }

  Status List(const ListRequest& request,
              const std::function<void(const ListedEntry&)>& on_entry) override {
    transfer::ListingSource source{request.bucket, request.prefix_or_glob, "", ""};
    if (IsGlob(request.prefix_or_glob)) {
      source.glob = request.prefix_or_glob;
    } else if (!request.recursive) {
      source.delimiter = "/";
    }
    ListingForwarder forwarder(on_entry);
    Summary summary;
    try {
      summary = transfer::RunListing(config_, *http_, source, forwarder);
    } catch (const std::bad_alloc&) {
      summary.error = Status(StatusCode::kIoError, "out of memory: the listing stopped");
    }
    cancel_.store(false);
    if (!summary.error.ok()) return summary.error;
    return forwarder.failure();
  }

  void Cancel() override { cancel_.store(true); }

 private:
  std::atomic<bool> cancel_{false};
  transfer::EngineConfig config_;
  http::CurlOptions curl_;                      // for the clients of further event loops
  std::unique_ptr<http::CurlHttpClient> http_;  // the first event loop's
};

}  // namespace

namespace {

Status CheckLimits(const ClientOptions& options) {
  if (options.concurrency < 0) {
    return Status(StatusCode::kInvalidArgument, "concurrency must be 0 (adaptive) or more");
  }
  if (options.event_loops < 0) {
    return Status(StatusCode::kInvalidArgument, "event loops must be 0 (adaptive) or more");
  }
  if (options.retries < 0 || options.stall_timeout_seconds < 1) {
    return Status(StatusCode::kInvalidArgument,
                  "retries must be 0 or more and the stall timeout at least 1 second");
  }
  if (options.progress_interval_ms < 0) {
    return Status(StatusCode::kInvalidArgument, "the progress interval must be 0 (none) or more");
  }
  if (options.part_size < 1) {
    return Status(StatusCode::kInvalidArgument, "part size must be at least 1 byte");
  }
  return Status::Ok();
}

transfer::ChecksumMode ChecksumModeOf(ChecksumPolicy policy) {
  switch (policy) {
    case ChecksumPolicy::kRequired:
      return transfer::ChecksumMode::kRequired;
    case ChecksumPolicy::kOff:
      return transfer::ChecksumMode::kOff;
    case ChecksumPolicy::kAuto:
      break;
  }
  return transfer::ChecksumMode::kAuto;
}

// The endpoint, region and credentials, as the AWS CLI resolves them.
Result<transfer::EngineConfig> EngineConfigFor(const ClientOptions& options,
                                               const auth::Environment& env) {
  Result<auth::ProfileSettings> profile = auth::ResolveProfile(env, options.profile);
  if (!profile.ok()) return profile.status();

  std::string region = options.region;
  if (region.empty()) region = FirstSet(env, {"AWS_REGION", "AWS_DEFAULT_REGION"});
  if (region.empty()) region = profile->region;
  if (region.empty()) region = "us-east-1";

  std::string endpoint_url = options.endpoint_url;
  if (endpoint_url.empty())
    endpoint_url = FirstSet(env, {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"});
  Result<s3::Endpoint> endpoint =
      s3::ResolveEndpoint(endpoint_url, region, options.addressing_style);
  if (!endpoint.ok()) return endpoint.status();

  transfer::EngineConfig config;
  config.endpoint = std::move(*endpoint);
  config.concurrency = options.concurrency;
  config.event_loops = options.event_loops;
  config.part_size = options.part_size;
  config.max_retries = options.retries;
  config.fsync = options.fsync;
  config.skip_unchanged = options.skip_unchanged;
  config.checksum_mode = ChecksumModeOf(options.checksum);
  config.progress_interval = options.progress_interval_ms / 1000.0;
  if (!options.sign_requests) return config;
  if (options.credentials) {
    config.credentials = auth::CredentialSource::Fixed(*options.credentials);
  } else if (options.credentials_provider) {
    Result<std::shared_ptr<auth::CredentialSource>> source =
        auth::CredentialSource::FromProvider(options.credentials_provider);
    if (!source.ok()) return source.status();
    config.credentials = std::move(*source);
  } else if (profile->credentials) {
    config.credentials = auth::CredentialSource::Fixed(*profile->credentials);
  } else {
    return Status(StatusCode::kInvalidArgument,
                  "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                  "configure a profile in ~/.aws/credentials, or send anonymous requests for "
                  "public buckets (--no-sign-request; ClientOptions::sign_requests = false)");
  }
  return config;
}

// libcurl's options: connections, and the trust store read once for the run.
Result<http::CurlOptions> CurlOptionsFor(const ClientOptions& options, const auth::Environment& env,
                                         bool https) {
  http::CurlOptions curl;
  curl.max_connections =
      options.concurrency > 0 ? options.concurrency : schedule::ConcurrencyOptions{}.max;
  curl.verify_tls = options.verify_tls;
  curl.ca_bundle = options.ca_bundle.empty() ? FirstSet(env, {"AWS_CA_BUNDLE"}) : options.ca_bundle;
  if (curl.verify_tls && https && http::TrustStore::Usable()) {
    Result<std::shared_ptr<const http::TrustStore>> store = http::TrustStore::Load(curl.ca_bundle);
    if (!store.ok()) {
      bool from_env = options.ca_bundle.empty() && !curl.ca_bundle.empty();
      if (!from_env) return store.status();
      return Status(store.status().code(), store.status().message() + " (named by AWS_CA_BUNDLE)");
    }
    curl.trust_store = std::move(*store);
  }
  curl.user_agent = std::string("s3pull/") + S3PULL_VERSION;
  curl.stall_timeout_seconds = options.stall_timeout_seconds;
  return curl;
}

// Create()'s work; it may throw std::bad_alloc.
Result<std::unique_ptr<Downloader>> CreateDownloader(const ClientOptions& options) {
  if (Status limits = CheckLimits(options); !limits.ok()) return limits;
  auth::Environment env = auth::SystemEnvironment();
  Result<transfer::EngineConfig> config = EngineConfigFor(options, env);
  if (!config.ok()) return config.status();
  Result<http::CurlOptions> curl = CurlOptionsFor(options, env, config->endpoint.scheme == "https");
  if (!curl.ok()) return curl.status();
  RaiseOpenFileLimit();
  Result<std::unique_ptr<http::CurlHttpClient>> http = http::CurlHttpClient::Create(*curl);
  if (!http.ok()) return http.status();
  return std::unique_ptr<Downloader>(
      new CurlDownloader(std::move(*config), *curl, std::move(*http)));
}

}  // namespace

Result<std::unique_ptr<Downloader>> Downloader::Create(const ClientOptions& options) {
  try {
    return CreateDownloader(options);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kIoError, "out of memory");
  }
}

}  // namespace s3pull
