#include "s3/list_objects.h"

#include <gtest/gtest.h>

#include <string>

namespace s3pull::s3 {
namespace {

// The example response of AWS's ListObjectsV2 documentation.
constexpr char kAwsExample[] = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>bucket</Name>
    <Prefix/>
    <KeyCount>205</KeyCount>
    <MaxKeys>1000</MaxKeys>
    <IsTruncated>false</IsTruncated>
    <Contents>
        <Key>my-image.jpg</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>"fba9dede5f27731c9771645a39863328"</ETag>
        <Size>434234</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
    <Contents>
        <Key>my-third-image.jpg</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>&quot;1b2cf535f27731c974343645a3985328&quot;</ETag>
        <Size>64994</Size>
        <StorageClass>STANDARD_IA</StorageClass>
    </Contents>
</ListBucketResult>)";

// A first page as S3 sends it with encoding-type=url, delimiter=/ and max-keys=3.
constexpr char kTruncatedEncodedPage[] =
    R"(<?xml version="1.0" encoding="UTF-8"?>)"
    "\n"
    R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name>)"
    R"(<Prefix>photos%2F</Prefix><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>)"
    R"(<KeyCount>3</KeyCount><MaxKeys>3</MaxKeys><Delimiter>%2F</Delimiter>)"
    R"(<EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>)"
    R"(<Contents><Key>photos%2Fa+b%20c.jpg</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>)"
    R"(<ETag>&quot;599bab3ed2c697f1d26842727561fd94-3&quot;</ETag><Size>25165824</Size>)"
    R"(<StorageClass>STANDARD</StorageClass></Contents>)"
    R"(<Contents><Key>photos%2F%C3%A9t%C3%A9%0A%25.txt</Key><LastModified>2026-01-02T03:04:05.000Z</LastModified>)"
    R"(<ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size>)"
    R"(<StorageClass>STANDARD</StorageClass></Contents>)"
    R"(<CommonPrefixes><Prefix>photos%2F2025%20trip%2F</Prefix></CommonPrefixes>)"
    R"(</ListBucketResult>)";

ListPage MustParse(std::string_view xml) {
  Result<ListPage> page = ParseListObjectsV2(xml);
  EXPECT_TRUE(page.ok()) << page.status().ToString();
  return page.ok() ? *page : ListPage{};
}

void ExpectProtocolError(std::string_view xml, std::string_view mentions) {
  Result<ListPage> page = ParseListObjectsV2(xml);
  ASSERT_FALSE(page.ok()) << xml;
  EXPECT_EQ(page.status().code(), StatusCode::kProtocolError);
  EXPECT_NE(page.status().message().find(mentions), std::string::npos) << page.status().message();
}

std::string Page(std::string_view body) {
  return "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">" +
         std::string(body) + "</ListBucketResult>";
}

TEST(ParseListObjectsV2Test, AwsDocumentedExample) {
  ListPage page = MustParse(kAwsExample);
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "my-image.jpg");
  EXPECT_EQ(page.objects[0].size, 434234u);
  EXPECT_EQ(page.objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_EQ(page.objects[0].last_modified, "2009-10-12T17:50:30.000Z");
  EXPECT_EQ(page.objects[1].key, "my-third-image.jpg");
  EXPECT_EQ(page.objects[1].size, 64994u);
  EXPECT_EQ(page.objects[1].etag, "1b2cf535f27731c974343645a3985328");
  EXPECT_TRUE(page.common_prefixes.empty());
  EXPECT_FALSE(page.is_truncated);
  EXPECT_EQ(page.next_continuation_token, "");
}

TEST(ParseListObjectsV2Test, UrlEncodedTruncatedPageWithCommonPrefixes) {
  ListPage page = MustParse(kTruncatedEncodedPage);
  ASSERT_EQ(page.objects.size(), 2u);
  EXPECT_EQ(page.objects[0].key, "photos/a b c.jpg");  // '+' is a space, as S3 encodes it
  EXPECT_EQ(page.objects[0].size, 25165824u);
  EXPECT_EQ(page.objects[0].etag, "599bab3ed2c697f1d26842727561fd94-3");
  EXPECT_EQ(page.objects[1].key, "photos/\xc3\xa9t\xc3\xa9\n%.txt");
  EXPECT_EQ(page.objects[1].size, 0u);
  ASSERT_EQ(page.common_prefixes.size(), 1u);
  EXPECT_EQ(page.common_prefixes[0], "photos/2025 trip/");
  EXPECT_TRUE(page.is_truncated);
  // The token is opaque and never decoded.
  EXPECT_EQ(page.next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(ParseListObjectsV2Test, KeysAreNotDecodedWithoutEncodingType) {
  ListPage page =
      MustParse(Page("<IsTruncated>false</IsTruncated>"
                     "<Contents><Key>100%25 a%2Fb</Key><Size>1</Size></Contents>"
                     "<CommonPrefixes><Prefix>p%20q/</Prefix></CommonPrefixes>"));
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "100%25 a%2Fb");
  EXPECT_EQ(page.objects[0].etag, "");
  EXPECT_EQ(page.common_prefixes, std::vector<std::string>{"p%20q/"});
}

TEST(ParseListObjectsV2Test, KeysKeepWhitespaceAndXmlEscapes) {
  // Servers that ignore encoding-type send keys as XML text.
  ListPage page = MustParse(
      Page("<Contents><Key> </Key><Size>1</Size></Contents>"
           "<Contents><Key> lead and trail </Key><Size>2</Size></Contents>"
           "<Contents><Key>a&amp;b&lt;c&gt;&apos;&quot;&#13;</Key><Size>3</Size></Contents>"
           "<Contents><Key><![CDATA[x<y]]></Key><Size>4</Size></Contents>"));
  ASSERT_EQ(page.objects.size(), 4u);
  EXPECT_EQ(page.objects[0].key, " ");
  EXPECT_EQ(page.objects[1].key, " lead and trail ");
  EXPECT_EQ(page.objects[2].key, "a&b<c>'\"\r");
  EXPECT_EQ(page.objects[3].key, "x<y");
}

TEST(ParseListObjectsV2Test, EmptyBucket) {
  ListPage page = MustParse(
      R"(<?xml version="1.0" encoding="UTF-8"?>)"
      R"(<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>empty</Name>)"
      R"(<Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys>)"
      R"(<EncodingType>url</EncodingType><IsTruncated>false</IsTruncated></ListBucketResult>)");
  EXPECT_TRUE(page.objects.empty());
  EXPECT_TRUE(page.common_prefixes.empty());
  EXPECT_FALSE(page.is_truncated);
}

TEST(ParseListObjectsV2Test, WithoutNamespaceAttribute) {
  ListPage page = MustParse(
      "<ListBucketResult><IsTruncated>true</IsTruncated>"
      "<NextContinuationToken>t2</NextContinuationToken>"
      "<Contents><Key>k</Key><Size>18446744073709551615</Size></Contents></ListBucketResult>");
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].size, 18446744073709551615u);
  EXPECT_TRUE(page.is_truncated);
  EXPECT_EQ(page.next_continuation_token, "t2");
}

TEST(ParseListObjectsV2Test, MalformedPages) {
  ExpectProtocolError("", "not XML");
  ExpectProtocolError("Service Unavailable", "not XML");
  ExpectProtocolError(std::string(kAwsExample).substr(0, 400), "not XML");
  ExpectProtocolError("<ListBucketResult><Contents></ListBucketResult>", "not XML");
  ExpectProtocolError("<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
                      "<Error>");
  ExpectProtocolError(Page("<Contents><Size>1</Size></Contents>"), "<Key>");
  ExpectProtocolError(Page("<Contents><Key>k</Key></Contents>"), "<Size>");
  for (const char* size : {"", "-1", "+1", "1.5", "12a", " 1", "18446744073709551616"}) {
    ExpectProtocolError(
        Page("<Contents><Key>k</Key><Size>" + std::string(size) + "</Size></Contents>"), "<Size>");
  }
  ExpectProtocolError(
      Page("<EncodingType>url</EncodingType><Contents><Key>a%2</Key><Size>1</Size></Contents>"),
      "%-escape");
  ExpectProtocolError(
      Page(
          "<EncodingType>url</EncodingType><CommonPrefixes><Prefix>%zz/</Prefix></CommonPrefixes>"),
      "%-escape");
  ExpectProtocolError(Page("<IsTruncated>maybe</IsTruncated>"), "<IsTruncated>");
}

TEST(ParseListObjectsV2Test, TruncatedWithoutTokenIsAnError) {
  ExpectProtocolError(Page("<IsTruncated>true</IsTruncated>"), "NextContinuationToken");
  ExpectProtocolError(
      Page("<IsTruncated>true</IsTruncated><NextContinuationToken></NextContinuationToken>"),
      "NextContinuationToken");
}

TEST(ListPaginatorTest, WalksPagesUntilNotTruncated) {
  ListParams first;
  first.prefix = "logs/";
  first.max_keys = 2;
  ListPaginator paginator(first);

  std::optional<ListParams> params = paginator.NextParams();
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->prefix, "logs/");
  EXPECT_EQ(params->continuation_token, "");

  ListPage page;
  page.is_truncated = true;
  page.next_continuation_token = "token-1";
  EXPECT_TRUE(paginator.OnPage(page).ok());
  params = paginator.NextParams();
  ASSERT_TRUE(params.has_value());
  EXPECT_EQ(params->prefix, "logs/");
  EXPECT_EQ(params->max_keys, 2);
  EXPECT_EQ(params->continuation_token, "token-1");
  EXPECT_FALSE(paginator.done());

  page.next_continuation_token = "token-2";
  EXPECT_TRUE(paginator.OnPage(page).ok());
  EXPECT_EQ(paginator.NextParams()->continuation_token, "token-2");

  page.is_truncated = false;
  page.next_continuation_token.clear();
  EXPECT_TRUE(paginator.OnPage(page).ok());
  EXPECT_TRUE(paginator.done());
  EXPECT_FALSE(paginator.NextParams().has_value());
  EXPECT_EQ(paginator.pages(), 3u);
}

TEST(ListPaginatorTest, FromParsedPages) {
  ListPaginator paginator(ListParams{});
  ASSERT_TRUE(paginator.OnPage(MustParse(kTruncatedEncodedPage)).ok());
  EXPECT_EQ(paginator.NextParams()->continuation_token,
            "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  ASSERT_TRUE(paginator.OnPage(MustParse(kAwsExample)).ok());
  EXPECT_TRUE(paginator.done());
}

TEST(ListPaginatorTest, RepeatedTokenEndsTheListing) {
  ListPaginator paginator(ListParams{});
  ListPage page;
  page.is_truncated = true;
  page.next_continuation_token = "a";
  ASSERT_TRUE(paginator.OnPage(page).ok());
  page.next_continuation_token = "b";
  ASSERT_TRUE(paginator.OnPage(page).ok());
  page.next_continuation_token = "a";  // the server loops back
  Status status = paginator.OnPage(page);
  EXPECT_EQ(status.code(), StatusCode::kProtocolError);
  EXPECT_NE(status.message().find("repeated"), std::string::npos);
  EXPECT_TRUE(paginator.done());
  EXPECT_FALSE(paginator.NextParams().has_value());
}

TEST(ListPaginatorTest, TruncatedPageWithoutTokenEndsTheListing) {
  ListPaginator paginator(ListParams{});
  ListPage page;
  page.is_truncated = true;
  EXPECT_EQ(paginator.OnPage(page).code(), StatusCode::kProtocolError);
  EXPECT_TRUE(paginator.done());
}

}  // namespace
}  // namespace s3pull::s3
