// CredentialSource: fixed keys, and a provider's keys renewed before they expire.
#include "auth/credential_source.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace s3pull::auth {
namespace {

TEST(CredentialSourceTest, FixedKeysNeverChange) {
  auto source = CredentialSource::Fixed({"AKID", "SECRET", "TOKEN"});
  CredentialSource::Keys keys = source->Current();
  EXPECT_EQ(keys.credentials.access_key_id, "AKID");
  EXPECT_EQ(keys.credentials.session_token, "TOKEN");
  EXPECT_EQ(keys.renew_at, 0);
}

TEST(CredentialSourceTest, AProviderIsAskedOnceAtTheStartAndAgainBeforeExpiry) {
  std::time_t now = 1000000;
  int asked = 0;
  bool failing = false;
  auto provider = [&]() -> Result<Credentials> {
    ++asked;
    if (failing) return Status(StatusCode::kInvalidArgument, "token service down");
    return Credentials{"AKID" + std::to_string(asked), "SECRET", "T", now + 900};
  };
  Result<std::shared_ptr<CredentialSource>> source =
      CredentialSource::FromProvider(provider, [&] { return now; });
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  EXPECT_EQ(asked, 1);
  CredentialSource::Keys keys = (*source)->Current();
  EXPECT_EQ(keys.credentials.access_key_id, "AKID1");
  EXPECT_EQ(keys.renew_at, now + 900 - CredentialSource::kRenewBefore);
  EXPECT_EQ(asked, 1);

  // Renewal fails: the old keys stay, and the provider rests for a while.
  now = keys.renew_at;
  failing = true;
  EXPECT_EQ((*source)->Current().credentials.access_key_id, "AKID1");
  EXPECT_EQ((*source)->Current().credentials.access_key_id, "AKID1");
  EXPECT_EQ(asked, 2);
  now += CredentialSource::kRetryAfter;
  failing = false;
  EXPECT_EQ((*source)->Current().credentials.access_key_id, "AKID3");
  EXPECT_EQ(asked, 3);
}

TEST(CredentialSourceTest, AProviderThatFailsAtTheStartIsTheError) {
  Result<std::shared_ptr<CredentialSource>> failed = CredentialSource::FromProvider(
      []() -> Result<Credentials> { return Status(StatusCode::kInvalidArgument, "no session"); });
  EXPECT_EQ(failed.status().message(), "the credentials provider failed: no session");
  Result<std::shared_ptr<CredentialSource>> thrown = CredentialSource::FromProvider(
      []() -> Result<Credentials> { throw std::runtime_error("vault unreachable"); });
  EXPECT_EQ(thrown.status().message(), "the credentials provider failed: vault unreachable");
  Result<std::shared_ptr<CredentialSource>> empty =
      CredentialSource::FromProvider([]() -> Result<Credentials> { return Credentials{}; });
  EXPECT_EQ(empty.status().code(), StatusCode::kInvalidArgument);
  Result<std::shared_ptr<CredentialSource>> ok_status =
      CredentialSource::FromProvider([]() -> Result<Credentials> { return Status::Ok(); });
  EXPECT_EQ(ok_status.status().message(), "the credentials provider failed: it gave no keys");
}

TEST(CredentialSourceTest, KeysThatStayCloseToTheirExpiryAreAskedForEveryTenSecondsAtMost) {
  std::time_t now = 1000000;
  int asked = 0;
  Result<std::shared_ptr<CredentialSource>> source = CredentialSource::FromProvider(
      [&]() -> Result<Credentials> {
        ++asked;
        return Credentials{"AKID", "SECRET", "T", now + 60};  // always a minute from expiry
      },
      [&] { return now; });
  ASSERT_TRUE(source.ok());
  for (int i = 0; i < 100; ++i) (void)(*source)->Current();
  EXPECT_EQ(asked, 1);
  now += CredentialSource::kRetryAfter;
  CredentialSource::Keys keys = (*source)->Current();
  EXPECT_EQ(asked, 2);
  EXPECT_EQ(keys.renew_at, now + CredentialSource::kRetryAfter);
}

}  // namespace
}  // namespace s3pull::auth
