// CredentialSource: the keys a run signs with, renewed before they expire.
//
// Fixed keys (long-term ones from the chain, or keys handed in) never
// change. Keys from a provider (ClientOptions::credentials_provider) may
// carry an expiry: once less than kRenewBefore is left, the next Current()
// asks the provider again. When that fails, the old keys are kept (they
// may still work; S3 answers ExpiredToken when they do not) and the
// provider is asked again after kRetryAfter, not on every request.
//
// Thread-safe: every event loop's signer asks; one provider call at a time.
#pragma once

#include <ctime>
#include <functional>
#include <memory>
#include <mutex>

#include "auth/credentials.h"
#include "s3pull/status.h"

namespace s3pull::auth {

class CredentialSource {
 public:
  using Provider = std::function<Result<Credentials>()>;
  static constexpr std::time_t kRenewBefore = 5 * 60;
  static constexpr std::time_t kRetryAfter = 10;

  static std::shared_ptr<CredentialSource> Fixed(Credentials credentials);
  // Asks `provider` once now: its failure (or an exception it throws) is the
  // result. `clock` gives Unix time.
  static Result<std::shared_ptr<CredentialSource>> FromProvider(
      Provider provider, std::function<std::time_t()> clock = [] { return std::time(nullptr); });

  struct Keys {
    Credentials credentials;
    // Unix time from which Current() may give others; 0 = never. A caller
    // may keep these until then.
    std::time_t renew_at = 0;
  };
  // The keys to sign with now.
  Keys Current();

  // Public for std::make_shared; use the factories.
  CredentialSource(Credentials credentials, Provider provider, std::function<std::time_t()> clock);

 private:
  // When the provider is next asked; 0 = never.
  std::time_t RenewalTime() const;
  Result<Credentials> Ask();

  std::mutex mutex_;
  Credentials credentials_;   // guarded by mutex_
  std::time_t retry_at_ = 0;  // guarded by mutex_: after a failed renewal
  Provider provider_;         // empty for fixed keys
  std::function<std::time_t()> clock_;
};

}  // namespace s3pull::auth
