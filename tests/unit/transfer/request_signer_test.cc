#include "transfer/request_signer.h"

#include <gtest/gtest.h>

namespace s3pull::transfer {
namespace {

s3::S3Request Get() {
  return s3::BuildGetObject(*s3::ResolveEndpoint("http://127.0.0.1:9000", "us-east-1"), "bkt",
                            "a b/c");
}

std::time_t FixedClock() { return 1440938160; }  // 2015-08-30T12:36:00Z

TEST(RequestSignerTest, SignsWithTheChecksumModeAndKeepsUnsignedHeaders) {
  RequestSigner signer(auth::Credentials{"AKID", "SECRET", ""}, "us-east-1", true, FixedClock);
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
    std::optional<auth::Credentials> credentials;
    if (signing) credentials = auth::Credentials{"AKID", "SECRET", ""};
    RequestSigner signer(credentials, "us-east-1", false, FixedClock);
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
  RequestSigner signer(std::nullopt, "us-east-1", false, FixedClock);
  http::Request request = signer.Prepare(Get(), {});
  EXPECT_TRUE(request.headers.empty());
}

TEST(RequestSignerTest, AdoptsTheServerClock) {
  RequestSigner signer(auth::Credentials{"AKID", "SECRET", ""}, "us-east-1", false, FixedClock);
  EXPECT_FALSE(signer.AdoptServerClock({}));
  EXPECT_FALSE(signer.AdoptServerClock({{"date", "yesterday"}}));
  EXPECT_TRUE(signer.AdoptServerClock({{"date", "Thu, 26 Nov 2026 12:19:09 GMT"}}));
  http::Request request = signer.Prepare(Get(), {});
  EXPECT_EQ(*http::FindHeader(request.headers, "x-amz-date"), "20261126T121909Z");
}

}  // namespace
}  // namespace s3pull::transfer
