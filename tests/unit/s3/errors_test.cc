#include "s3/errors.h"

#include <gtest/gtest.h>

#include <string>

namespace s3pull::s3 {
namespace {

TEST(ErrorFromResponseTest, AwsErrorBody) {
  Status status = ErrorFromResponse(404, R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>)");
  EXPECT_EQ(status.code(), StatusCode::kServiceError);
  EXPECT_EQ(status.http_status(), 404);
  EXPECT_EQ(status.s3_code(), "NoSuchKey");
  EXPECT_EQ(status.message(),
            "The resource you requested does not exist (request id 4442587FB7D0A2F9)");
  EXPECT_EQ(status.ToString(),
            "NoSuchKey (HTTP 404): The resource you requested does not exist "
            "(request id 4442587FB7D0A2F9)");
}

TEST(ErrorFromResponseTest, SlowDown) {
  Status status = ErrorFromResponse(
      503,
      "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message>"
      "<RequestId>R</RequestId><HostId>H</HostId></Error>");
  EXPECT_EQ(status.s3_code(), "SlowDown");
  EXPECT_EQ(status.message(), "Please reduce your request rate. (request id R)");
}

TEST(ErrorFromResponseTest, CephSendsAnEmptyMessage) {
  Status status = ErrorFromResponse(
      404, R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code>)"
           R"(<Message></Message><BucketName>bucket</BucketName>)"
           R"(<RequestId>tx00000a1b2c3d4e5f60718-0067a1b2c3-1014-default</RequestId>)"
           R"(<HostId>1014-default-default</HostId></Error>)");
  EXPECT_EQ(status.s3_code(), "NoSuchKey");
  EXPECT_EQ(status.message(), "(request id tx00000a1b2c3d4e5f60718-0067a1b2c3-1014-default)");
}

TEST(ErrorFromResponseTest, XmlWithoutCodeGetsTheDerivedCode) {
  Status status = ErrorFromResponse(403, "<Error><Message>nope</Message></Error>");
  EXPECT_EQ(status.s3_code(), "AccessDenied");
  EXPECT_EQ(status.message(), "nope");
}

TEST(ErrorFromResponseTest, EmptyBodiesGetCodesFromTheHttpStatus) {
  struct Case {
    int http_status;
    const char* code;
  };
  const Case cases[] = {
      {400, "BadRequest"},         {403, "AccessDenied"},   {404, "NotFound"},
      {412, "PreconditionFailed"}, {416, "InvalidRange"},   {500, "InternalError"},
      {503, "SlowDown"},           {504, "GatewayTimeout"}, {418, "HttpError"}};
  for (const Case& c : cases) {
    Status status = ErrorFromResponse(c.http_status, "");
    EXPECT_EQ(status.code(), StatusCode::kServiceError);
    EXPECT_EQ(status.http_status(), c.http_status);
    EXPECT_EQ(status.s3_code(), c.code) << c.http_status;
    EXPECT_EQ(status.message(), "");
  }
}

TEST(ErrorFromResponseTest, NonXmlBodyBecomesAShortOneLineMessage) {
  Status status = ErrorFromResponse(502, "<html>\r\n<body>Bad Gateway</body>\n</html>\n");
  EXPECT_EQ(status.s3_code(), "BadGateway");
  EXPECT_EQ(status.message(), "<html>  <body>Bad Gateway</body> </html>");

  status = ErrorFromResponse(500, "upstream connect error");
  EXPECT_EQ(status.s3_code(), "InternalError");
  EXPECT_EQ(status.message(), "upstream connect error");
}

TEST(ErrorFromResponseTest, LongMessagesAreCutOnACharacterBoundary) {
  std::string long_text;
  while (long_text.size() < 1000) long_text += "\xc3\xa9";  // two bytes each
  long_text = "x" + long_text;                              // so byte 300 splits a character
  Status status = ErrorFromResponse(500, long_text);
  EXPECT_EQ(status.message().size(), 299u);
  status = ErrorFromResponse(
      400, "<Error><Code>InvalidArgument</Code><Message>" + long_text + "</Message></Error>");
  EXPECT_EQ(status.s3_code(), "InvalidArgument");
  EXPECT_EQ(status.message().size(), 299u);
}

}  // namespace
}  // namespace s3pull::s3
