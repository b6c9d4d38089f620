#include <gtest/gtest.h>

#include "s3pull/location.h"

namespace s3pull {
namespace {

struct UrlCase {
  const char* url;
  const char* bucket;
  const char* key;
};

TEST(ParseS3UrlTest, SplitsBucketAndKeyVerbatim) {
  const UrlCase cases[] = {
      {"s3://bucket", "bucket", ""},
      {"s3://bucket/", "bucket", ""},
      {"s3://bucket/a/b", "bucket", "a/b"},
      {"s3://bucket/a/b/", "bucket", "a/b/"},
      {"S3://bucket/x", "bucket", "x"},
      {"s3://my.dotted-bucket_1/k", "my.dotted-bucket_1", "k"},
      {"s3://LegacyBucket/k", "LegacyBucket", "k"},
      // The key is taken byte for byte: no decoding, no normalising.
      {"s3://bucket//a", "bucket", "/a"},
      {"s3://bucket/a//b/../c/./", "bucket", "a//b/../c/./"},
      {"s3://bucket/a%20b+c?x#y", "bucket", "a%20b+c?x#y"},
      {"s3://bucket/\xc3\xa9t\xc3\xa9 2026.txt", "bucket", "\xc3\xa9t\xc3\xa9 2026.txt"},
  };
  for (const UrlCase& c : cases) {
    Result<S3Url> location = ParseS3Url(c.url);
    ASSERT_TRUE(location.ok()) << c.url << ": " << location.status().ToString();
    EXPECT_EQ(location->bucket, c.bucket) << c.url;
    EXPECT_EQ(location->key, c.key) << c.url;
  }
}

TEST(ParseS3UrlTest, BucketNameLengthLimits) {
  EXPECT_TRUE(ParseS3Url("s3://abc").ok());
  EXPECT_TRUE(ParseS3Url("s3://" + std::string(63, 'b')).ok());
  EXPECT_FALSE(ParseS3Url("s3://ab").ok());
  EXPECT_FALSE(ParseS3Url("s3://" + std::string(64, 'b')).ok());
}

TEST(ParseS3UrlTest, RefusesOtherUrls) {
  for (const char* bad :
       {"", "bucket/key", "s3:/bucket", "s3:bucket", "http://bucket/key", "gs://bucket/key",
        "s3://", "s3:///key", "s3://bu cket/k", "s3://bucket?x", "s3://bu\tcket",
        "s3://user@bucket/k", "s3://bucket:80/k", "s3://b\xc3\xa9t/k"}) {
    Result<S3Url> location = ParseS3Url(bad);
    ASSERT_FALSE(location.ok()) << bad;
    EXPECT_EQ(location.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace s3pull
