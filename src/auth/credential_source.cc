// CredentialSource implementation; see credential_source.h.
#include "auth/credential_source.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace s3pull::auth {

CredentialSource::CredentialSource(Credentials credentials, Provider provider,
                                   std::function<std::time_t()> clock)
    : credentials_(std::move(credentials)),
      provider_(std::move(provider)),
      clock_(std::move(clock)) {}

std::shared_ptr<CredentialSource> CredentialSource::Fixed(Credentials credentials) {
  return std::make_shared<CredentialSource>(std::move(credentials), nullptr, nullptr);
}

Result<Credentials> CredentialSource::Ask() {
  Result<Credentials> asked = Status(StatusCode::kInvalidArgument, "no credentials");
  try {
    asked = provider_();
  } catch (const std::exception& e) {
    return Status(StatusCode::kInvalidArgument,
                  std::string("the credentials provider failed: ") + e.what());
  } catch (...) {
    return Status(StatusCode::kInvalidArgument, "the credentials provider failed");
  }
  if (asked.ok() && (asked->access_key_id.empty() || asked->secret_access_key.empty())) {
    return Status(StatusCode::kInvalidArgument,
                  "the credentials provider gave no access key id or no secret access key");
  }
  return asked;
}

Result<std::shared_ptr<CredentialSource>> CredentialSource::FromProvider(
    Provider provider, std::function<std::time_t()> clock) {
  auto source =
      std::make_shared<CredentialSource>(Credentials{}, std::move(provider), std::move(clock));
  Result<Credentials> first = source->Ask();
  if (!first.ok()) return first.status();
  source->credentials_ = std::move(*first);
  return source;
}

std::time_t CredentialSource::RenewalTime() const {
  if (!provider_ || credentials_.expires_at == 0) return 0;
  return std::max(credentials_.expires_at - kRenewBefore, retry_at_);
}

CredentialSource::Keys CredentialSource::Current() {
  std::lock_guard lock(mutex_);
  std::time_t renew = RenewalTime();
  if (renew != 0 && clock_() >= renew) {
    if (Result<Credentials> renewed = Ask(); renewed.ok()) {
      credentials_ = std::move(*renewed);
      retry_at_ = 0;
    } else {
      retry_at_ = clock_() + kRetryAfter;
    }
  }
  return {credentials_, RenewalTime()};
}

}  // namespace s3pull::auth
