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
  retry_at_ = clock_() + kRetryAfter;
  auto failed = [](const std::string& why) {
    return Status(StatusCode::kInvalidArgument, "the credentials provider failed: " + why);
  };
  Result<Credentials> asked = Status::Ok();
  try {
    asked = provider_();
  } catch (const std::exception& e) {
    return failed(e.what());
  } catch (...) {
    return failed("it threw");
  }
  if (!asked.ok()) {
    // (A Result made of Status::Ok() holds no keys either.)
    return failed(asked.status().ok() ? "it gave no keys" : asked.status().message());
  }
  if (asked->access_key_id.empty() || asked->secret_access_key.empty()) {
    return failed("it gave no access key id or no secret access key");
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
    if (Result<Credentials> renewed = Ask(); renewed.ok()) credentials_ = std::move(*renewed);
  }
  return {credentials_, RenewalTime()};
}

}  // namespace s3pull::auth
