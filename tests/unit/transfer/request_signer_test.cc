#include "transfer/request_signer.h"

#include <gtest/gtest.h>

namespace s3pull::transfer {
namespace {

s3::S3Request Get() {
  return s3::BuildGetObject(*s3::ResolveEndpoint("http://127.0.0.1:9000", "us-east-1"), "bkt",
                            "a b/c");
}

std::time_t FixedClock() { return 1440938160; }  // 2015-08-30T12:36:00Z

std::shared_ptr<auth::CredentialSource> Keys() {
  return auth::CredentialSource::Fixed({"AKID", "SECRET", ""});
}

TEST(RequestSignerTest, SignsWithTheChecksumModeAndKeepsUnsignedHeaders) {
  RequestSigner signer(Keys(), "us-east-1", true, FixedClock);
  http::Request request = signer.Prepare(Get(), {{"range", "bytes=0-9"}});
  EXPECT_EQ(request.url, "http://127.0.0.1:9000/bkt/a%20b/c");
  EXPECT_EQ(*http::FindHeader(request.headers, "range"), "bytes=0-9");
  EXPECT_EQ(*http::FindHeader(request.headers, "x-amz-checksum-mode"), "ENABLED");
  EXPECT_EQ(*http::FindHeader(request.headers, "x-amz-date"), "20150830T123600Z");
  const std::string* authorization = http::FindHeader(request.headers, "authorization");
  ASSERT_NE(authorization, nullptr);
  EXPECT_NE(authorization->find("SignedHeaders=host;x-amz-checksum-mode;x-amz-content-sha256;"
                                "x-amz-date,"),
            std::string::npos)
      << *authorization;
}

TEST(RequestSignerTest, SendsAndSignsTheRequestsOwnHeaders) {
  s3::S3Request call = Get();
  call.headers = {{"x-amz-object-attributes", "ETag,Checksum"}};
  for (bool signing : {true, false}) {
    RequestSigner signer(signing ? Keys() : nullptr, "us-east-1", false, FixedClock);
    http::Request request = signer.Prepare(call, {{"range", "bytes=0-9"}});
    ASSERT_NE(http::FindHeader(request.headers, "x-amz-object-attributes"), nullptr);
    EXPECT_EQ(*http::FindHeader(request.headers, "x-amz-object-attributes"), "ETag,Checksum");
    EXPECT_EQ(http::FindHeader(request.headers, "x-amz-checksum-mode"), nullptr);
    const std::string* authorization = http::FindHeader(request.headers, "authorization");
    ASSERT_EQ(authorization != nullptr, signing);
    if (signing) {
      EXPECT_NE(authorization->find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;"
                                    "x-amz-object-attributes,"),
                std::string::npos)
          << *authorization;
    }
  }
}

TEST(RequestSignerTest, AnonymousRequestsCarryNoSignature) {
  RequestSigner signer(nullptr, "us-east-1", false, FixedClock);
  http::Request request = signer.Prepare(Get(), {});
  EXPECT_TRUE(request.headers.empty());
}

TEST(RequestSignerTest, AdoptsTheServerClock) {
  RequestSigner signer(Keys(), "us-east-1", false, FixedClock);
  EXPECT_FALSE(signer.AdoptServerClock({}));
  EXPECT_FALSE(signer.AdoptServerClock({{"date", "yesterday"}}));
  EXPECT_TRUE(signer.AdoptServerClock({{"date", "Thu, 26 Nov 2026 12:19:09 GMT"}}));
  http::Request request = signer.Prepare(Get(), {});
  EXPECT_EQ(*http::FindHeader(request.headers, "x-amz-date"), "20261126T121909Z");
}

TEST(RequestSignerTest, SignsWithRenewedKeysOnceTheOldOnesNearTheirExpiry) {
  std::time_t now = FixedClock();
  int asked = 0;
  Result<std::shared_ptr<auth::CredentialSource>> source = auth::CredentialSource::FromProvider(
      [&]() -> Result<auth::Credentials> {
        ++asked;
        return auth::Credentials{"AKID" + std::to_string(asked), "SECRET", "", now + 3600};
      },
      [&] { return now; });
  ASSERT_TRUE(source.ok());
  RequestSigner signer(*source, "us-east-1", false, [&] { return now; });
  auto key_id = [&] {
    http::Request request = signer.Prepare(Get(), {});
    std::string authorization = *http::FindHeader(request.headers, "authorization");
    size_t at = authorization.find("Credential=") + 11;
    return authorization.substr(at, authorization.find('/', at) - at);
  };
  EXPECT_EQ(key_id(), "AKID1");
  now += 3600 - auth::CredentialSource::kRenewBefore - 1;
  EXPECT_EQ(key_id(), "AKID1");  // not yet
  EXPECT_EQ(asked, 1);
  now += 1;
  EXPECT_EQ(key_id(), "AKID2");
  EXPECT_EQ(key_id(), "AKID2");
  EXPECT_EQ(asked, 2);
}

}  // namespace
}  // namespace s3pull::transfer
