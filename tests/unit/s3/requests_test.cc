#include "s3/requests.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace s3pull::s3 {
namespace {

Endpoint Resolve(std::string_view url, AddressingStyle style = AddressingStyle::kAuto) {
  Result<Endpoint> endpoint = ResolveEndpoint(url, "us-west-2", style);
  EXPECT_TRUE(endpoint.ok()) << url << ": " << endpoint.status().ToString();
  return endpoint.ok() ? *endpoint : Endpoint{};
}

TEST(ResolveEndpointTest, DefaultIsAwsInTheRegion) {
  Endpoint endpoint = Resolve("");
  EXPECT_EQ(endpoint.scheme, "https");
  EXPECT_EQ(endpoint.host, "s3.us-west-2.amazonaws.com");
  EXPECT_EQ(endpoint.port, 0);
  EXPECT_EQ(endpoint.base_path, "");
  EXPECT_FALSE(endpoint.path_style);
  EXPECT_EQ(endpoint.region, "us-west-2");
}

TEST(ResolveEndpointTest, PathStyleCanBeForcedOnAws) {
  Endpoint endpoint = Resolve("", AddressingStyle::kPath);
  EXPECT_TRUE(endpoint.path_style);
  S3Request request = BuildGetObject(endpoint, "my-bucket", "k");
  EXPECT_EQ(request.url, "https://s3.us-west-2.amazonaws.com/my-bucket/k");
  EXPECT_EQ(request.host, "s3.us-west-2.amazonaws.com");
}

TEST(ResolveEndpointTest, CustomEndpoints) {
  struct Case {
    const char* url;
    const char* scheme;
    const char* host;
    int port;
    const char* base_path;
  };
  const Case cases[] = {
      {"http://127.0.0.1:9000", "http", "127.0.0.1", 9000, ""},
      {"http://127.0.0.1:9000/", "http", "127.0.0.1", 9000, ""},
      {"https://minio.example.com", "https", "minio.example.com", 0, ""},
      {"HTTPS://MinIO.Example.COM:8443", "https", "minio.example.com", 8443, ""},
      {"https://storage.example.com:443", "https", "storage.example.com", 0, ""},
      {"http://storage.example.com:80/", "http", "storage.example.com", 0, ""},
      {"http://storage.example.com:443", "http", "storage.example.com", 443, ""},
      {"http://[::1]:9000", "http", "[::1]", 9000, ""},
      {"http://[::1]", "http", "[::1]", 0, ""},
      {"https://[2001:DB8::1]:8443/s3", "https", "[2001:db8::1]", 8443, "/s3"},
      {"http://localhost:7480/gateway/s3//", "http", "localhost", 7480, "/gateway/s3"},
      {"https://r2_host.example:1", "https", "r2_host.example", 1, ""},
      {"http://h:65535/a%20b", "http", "h", 65535, "/a%20b"},
  };
  for (const Case& c : cases) {
    Endpoint endpoint = Resolve(c.url);
    EXPECT_EQ(endpoint.scheme, c.scheme) << c.url;
    EXPECT_EQ(endpoint.host, c.host) << c.url;
    EXPECT_EQ(endpoint.port, c.port) << c.url;
    EXPECT_EQ(endpoint.base_path, c.base_path) << c.url;
    EXPECT_TRUE(endpoint.path_style) << c.url;
    EXPECT_EQ(endpoint.region, "us-west-2") << c.url;
  }
}

TEST(ResolveEndpointTest, RefusesBadEndpoints) {
  for (const char* bad : {
           "localhost:9000",                // no scheme
           "ftp://host",                    // other scheme
           "s3://bucket",                   //
           "http//host",                    //
           "http://",                       // no host
           "http:///path",                  //
           "http://:9000",                  //
           "http://host:",                  // empty port
           "http://host:0",                 // port out of range
           "http://host:65536",             //
           "http://host:123456",            //
           "http://host:9x",                //
           "http://::1:9000",               // IPv6 without brackets
           "http://[::1",                   // unclosed bracket
           "http://[::1]9000",              //
           "http://[::1]:",                 //
           "http://[localhost]",            // not IPv6
           "http://[fe80::1%25eth0]",       // zone ids are not supported
           "http://ho st",                  //
           "http://host/a b",               // path not encoded
           "http://host/a\xc3\xa9",         //
           "http://host?x=1",               // query
           "http://host/path?x=1",          //
           "http://host#frag",              // fragment
           "http://user:secret@host:9000",  // credentials
       }) {
    Result<Endpoint> endpoint = ResolveEndpoint(bad, "us-east-1");
    ASSERT_FALSE(endpoint.ok()) << bad;
    EXPECT_EQ(endpoint.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ResolveEndpointTest, ErrorsNeverRepeatTheUrl) {
  Result<Endpoint> endpoint = ResolveEndpoint("http://AKIDEXAMPLE:hunter2@host:9000", "us-east-1");
  ASSERT_FALSE(endpoint.ok());
  EXPECT_EQ(endpoint.status().message().find("hunter2"), std::string::npos);
  EXPECT_EQ(endpoint.status().message().find("AKIDEXAMPLE"), std::string::npos);
}

TEST(ResolveEndpointTest, RegionMustBeAName) {
  EXPECT_FALSE(ResolveEndpoint("", "").ok());
  EXPECT_FALSE(ResolveEndpoint("", "us-east-1.evil.com/").ok());
  EXPECT_FALSE(ResolveEndpoint("http://h", "us east").ok());
  EXPECT_TRUE(ResolveEndpoint("http://h", "auto").ok());
  EXPECT_TRUE(ResolveEndpoint("http://h", "my_region-2").ok());
}

TEST(ResolveEndpointTest, VirtualHostedNeedsADnsName) {
  Endpoint endpoint = Resolve("http://localhost:8000", AddressingStyle::kVirtual);
  EXPECT_FALSE(endpoint.path_style);
  EXPECT_FALSE(
      ResolveEndpoint("http://127.0.0.1:8000", "us-east-1", AddressingStyle::kVirtual).ok());
  EXPECT_FALSE(ResolveEndpoint("http://[::1]:8000", "us-east-1", AddressingStyle::kVirtual).ok());
}

TEST(BuildGetObjectTest, AwsUsesVirtualHostedStyleForDnsSafeBuckets) {
  S3Request request = BuildGetObject(Resolve(""), "my-bucket", "photos/2026/a b.jpg");
  EXPECT_EQ(request.method, "GET");
  EXPECT_EQ(request.host, "my-bucket.s3.us-west-2.amazonaws.com");
  EXPECT_EQ(request.canonical_uri, "/photos/2026/a%20b.jpg");
  EXPECT_EQ(request.canonical_query, "");
  EXPECT_EQ(request.url, "https://my-bucket.s3.us-west-2.amazonaws.com/photos/2026/a%20b.jpg");
}

TEST(BuildGetObjectTest, AwsUsesPathStyleForOtherBuckets) {
  // Dots break the *.s3.amazonaws.com certificate; '_' and upper case are not
  // valid host names.
  for (const char* bucket : {"my.bucket", "my_bucket", "MyBucket", "-bucket", "bucket-"}) {
    S3Request request = BuildGetObject(Resolve(""), bucket, "k");
    EXPECT_EQ(request.host, "s3.us-west-2.amazonaws.com") << bucket;
    EXPECT_EQ(request.canonical_uri, "/" + std::string(bucket) + "/k") << bucket;
    EXPECT_EQ(request.url, "https://s3.us-west-2.amazonaws.com/" + std::string(bucket) + "/k");
  }
}

TEST(BuildGetObjectTest, CustomEndpointsUsePathStyle) {
  S3Request request = BuildGetObject(Resolve("http://127.0.0.1:9000"), "bucket", "dir/file.txt");
  EXPECT_EQ(request.host, "127.0.0.1:9000");
  EXPECT_EQ(request.canonical_uri, "/bucket/dir/file.txt");
  EXPECT_EQ(request.url, "http://127.0.0.1:9000/bucket/dir/file.txt");
}

TEST(BuildGetObjectTest, HostHasThePortOnlyWhenNotTheDefault) {
  EXPECT_EQ(BuildGetObject(Resolve("https://h.example:443"), "b12", "k").host, "h.example");
  EXPECT_EQ(BuildGetObject(Resolve("http://h.example:80"), "b12", "k").url,
            "http://h.example/b12/k");
  EXPECT_EQ(BuildGetObject(Resolve("http://h.example:443"), "b12", "k").host, "h.example:443");
  EXPECT_EQ(BuildGetObject(Resolve("https://h.example:80"), "b12", "k").host, "h.example:80");
}

TEST(BuildGetObjectTest, Ipv6AndBasePath) {
  S3Request request = BuildGetObject(Resolve("http://[::1]:7480/s3/"), "bucket", "k");
  EXPECT_EQ(request.host, "[::1]:7480");
  EXPECT_EQ(request.canonical_uri, "/s3/bucket/k");
  EXPECT_EQ(request.url, "http://[::1]:7480/s3/bucket/k");
}

TEST(BuildGetObjectTest, ForcedVirtualHostedStyle) {
  Endpoint endpoint = Resolve("http://localhost:7480", AddressingStyle::kVirtual);
  S3Request request = BuildGetObject(endpoint, "bucket", "a/b");
  EXPECT_EQ(request.host, "bucket.localhost:7480");
  EXPECT_EQ(request.canonical_uri, "/a/b");
  EXPECT_EQ(request.url, "http://bucket.localhost:7480/a/b");
  // A bucket that is no DNS label still goes path style.
  EXPECT_EQ(BuildGetObject(endpoint, "my.bucket", "a").url, "http://localhost:7480/my.bucket/a");
}

TEST(BuildGetObjectTest, KeysAreEncodedOnceAndNeverNormalised) {
  Endpoint endpoint = Resolve("http://127.0.0.1:9000");
  struct Case {
    const char* key;
    const char* path;
  };
  const Case cases[] = {
      {"a//b", "/b/a//b"},
      {"../x", "/b/../x"},
      {"a/../../x", "/b/a/../../x"},
      {"./", "/b/./"},
      {"/leading", "/b//leading"},
      {"dir/", "/b/dir/"},
      {"100%.txt", "/b/100%25.txt"},
      {"a%2Fb", "/b/a%252Fb"},
      {"a+b=c&d?e#f", "/b/a%2Bb%3Dc%26d%3Fe%23f"},
      {"\xc3\xa9t\xc3\xa9", "/b/%C3%A9t%C3%A9"},
      {"tab\there", "/b/tab%09here"},
      {"~user/_-.", "/b/~user/_-."},
      {"", "/b/"},
  };
  for (const Case& c : cases) {
    S3Request request = BuildGetObject(endpoint, "b", c.key);
    EXPECT_EQ(request.canonical_uri, c.path) << c.key;
    EXPECT_EQ(request.url, "http://127.0.0.1:9000" + std::string(c.path)) << c.key;
  }
  EXPECT_EQ(BuildGetObject(Resolve(""), "my-bucket", "../x//y").canonical_uri, "/../x//y");
}

std::vector<std::string> QueryNames(const std::string& query) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = std::min(query.find('&', start), query.size());
    std::string pair = query.substr(start, amp - start);
    names.push_back(pair.substr(0, pair.find('=')));
    start = amp + 1;
  }
  return names;
}

TEST(BuildGetObjectAttributesTest, AsksForChecksumAndPartsPageByPage) {
  S3Request first = BuildGetObjectAttributes(Resolve(""), "my-bucket", "a b", 0);
  EXPECT_EQ(first.method, "GET");
  EXPECT_EQ(first.canonical_uri, "/a%20b");
  EXPECT_EQ(first.canonical_query, "attributes=");
  EXPECT_EQ(first.url, "https://my-bucket.s3.us-west-2.amazonaws.com/a%20b?attributes=");
  using Headers = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(first.headers,
            (Headers{{"x-amz-max-parts", "1000"},
                     {"x-amz-object-attributes", "ETag,Checksum,ObjectParts,ObjectSize"}}));
  S3Request next = BuildGetObjectAttributes(Resolve("http://127.0.0.1:9000"), "b", "k", 1000);
  EXPECT_EQ(next.url, "http://127.0.0.1:9000/b/k?attributes=");
  ASSERT_EQ(next.headers.size(), 3u);
  EXPECT_EQ(next.headers[2],
            (std::pair<std::string, std::string>{"x-amz-part-number-marker", "1000"}));
  EXPECT_TRUE(BuildGetObject(Resolve(""), "my-bucket", "k").headers.empty());
}

TEST(BuildListObjectsV2Test, FirstPageAws) {
  ListParams params;
  params.prefix = "logs/2026-";
  S3Request request = BuildListObjectsV2(Resolve(""), "my-bucket", params);
  EXPECT_EQ(request.host, "my-bucket.s3.us-west-2.amazonaws.com");
  EXPECT_EQ(request.canonical_uri, "/");
  EXPECT_EQ(request.canonical_query,
            "encoding-type=url&list-type=2&max-keys=1000&prefix=logs%2F2026-");
  EXPECT_EQ(request.url,
            "https://my-bucket.s3.us-west-2.amazonaws.com/"
            "?encoding-type=url&list-type=2&max-keys=1000&prefix=logs%2F2026-");
}

TEST(BuildListObjectsV2Test, AllParametersSortedAndEncoded) {
  ListParams params;
  params.prefix = "a b/c+d";
  params.delimiter = "/";
  params.continuation_token = "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=";
  params.max_keys = 250;
  S3Request request = BuildListObjectsV2(Resolve("http://127.0.0.1:9000"), "bucket", params);
  EXPECT_EQ(request.host, "127.0.0.1:9000");
  EXPECT_EQ(request.canonical_uri, "/bucket");
  EXPECT_EQ(request.canonical_query,
            "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D"
            "&delimiter=%2F&encoding-type=url&list-type=2&max-keys=250&prefix=a%20b%2Fc%2Bd");
  EXPECT_EQ(request.url, "http://127.0.0.1:9000/bucket?" + request.canonical_query);

  std::vector<std::string> names = QueryNames(request.canonical_query);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  EXPECT_EQ(names.size(), 6u);
}

TEST(BuildListObjectsV2Test, OptionalParametersAreLeftOut) {
  ListParams params;
  params.max_keys = 0;
  S3Request request = BuildListObjectsV2(Resolve("http://127.0.0.1:9000"), "bucket", params);
  EXPECT_EQ(request.canonical_query, "encoding-type=url&list-type=2");
}

TEST(BuildListObjectsV2Test, PathStyleWithBasePathAndVirtualHosted) {
  ListParams params;
  EXPECT_EQ(BuildListObjectsV2(Resolve("http://[::1]:7480/s3"), "bucket", params).url,
            "http://[::1]:7480/s3/bucket?encoding-type=url&list-type=2&max-keys=1000");
  EXPECT_EQ(BuildListObjectsV2(Resolve(""), "my.bucket", params).url,
            "https://s3.us-west-2.amazonaws.com/my.bucket"
            "?encoding-type=url&list-type=2&max-keys=1000");
  Endpoint vhost = Resolve("http://localhost:7480/s3", AddressingStyle::kVirtual);
  S3Request request = BuildListObjectsV2(vhost, "bucket", params);
  EXPECT_EQ(request.host, "bucket.localhost:7480");
  EXPECT_EQ(request.canonical_uri, "/s3/");
}

}  // namespace
}  // namespace s3pull::s3
