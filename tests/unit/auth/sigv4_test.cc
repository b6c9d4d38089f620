// SigV4 against AWS's published test vectors (tests/data/sigv4, see its
// README), S3's documented examples, S3 keys, and the signing key cache.
#include "auth/sigv4.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "s3/uri_encode.h"

namespace s3pull::auth {
namespace {

constexpr std::time_t kSuiteTime = 1440938160;  // 20150830T123600Z
const Credentials kSuiteCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const SigningScope kSuiteScope{"us-east-1", "service"};

std::string DataPath(const std::string& relative) {
  return std::string(S3PULL_TEST_DATA_DIR) + "/sigv4/" + relative;
}

std::string ReadData(const std::string& relative) {
  std::ifstream in(DataPath(relative), std::ios::binary);
  EXPECT_TRUE(in) << "missing test data " << relative;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Trim(const std::string& s) {
  size_t begin = s.find_first_not_of(' ');
  if (begin == std::string::npos) return "";
  return s.substr(begin, s.find_last_not_of(' ') - begin + 1);
}

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 0xf];
  }
  return out;
}

using HeaderList = std::vector<std::pair<std::string, std::string>>;

SigningRequest Get(std::string host, std::string canonical_uri, std::string canonical_query = "") {
  SigningRequest request;
  request.method = "GET";
  request.host = std::move(host);
  request.canonical_uri = std::move(canonical_uri);
  request.canonical_query = std::move(canonical_query);
  return request;
}

// A request as the suites write it: "METHOD TARGET HTTP/1.1", then
// "Name:value" lines (values as written, untrimmed) up to a blank line.
struct SuiteRequest {
  std::string method;
  std::string target;
  HeaderList headers;
};

SuiteRequest ParseSuiteRequest(const std::string& text) {
  SuiteRequest request;
  std::vector<std::string> lines = Lines(text);
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return request;
  size_t first_space = lines[0].find(' ');
  size_t last_space = lines[0].rfind(' ');
  request.method = lines[0].substr(0, first_space);
  request.target = lines[0].substr(first_space + 1, last_space - first_space - 1);
  for (size_t i = 1; i < lines.size() && !lines[i].empty(); ++i) {
    size_t colon = lines[i].find(':');
    EXPECT_NE(colon, std::string::npos) << lines[i];
    request.headers.emplace_back(lines[i].substr(0, colon), lines[i].substr(colon + 1));
  }
  return request;
}

// The value of header `name` (any case), trimmed; "" when absent.
std::string Find(const HeaderList& headers, const std::string& name) {
  for (const auto& [n, v] : headers) {
    if (Lower(n) == Lower(name)) return Trim(v);
  }
  return "";
}

std::string ParamName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  return name;
}

// The 2015 suite: request, canonical request, string to sign, Authorization.
class AwsSigV4TestSuite : public ::testing::TestWithParam<std::string> {};

TEST_P(AwsSigV4TestSuite, MatchesThePublishedFiles) {
  const std::string base = "aws-sig-v4-test-suite/" + GetParam() + "/" + GetParam();
  const SuiteRequest suite = ParseSuiteRequest(ReadData(base + ".req"));
  const std::string creq = ReadData(base + ".creq");
  const std::vector<std::string> creq_lines = Lines(creq);
  ASSERT_GE(creq_lines.size(), 3u);

  SigningRequest request;
  request.method = suite.method;
  // Sign() takes the path and query already canonical, as S3 sends them; the
  // generic suite normalises and sorts them, so take them from the .creq.
  request.canonical_uri = creq_lines[1];
  request.canonical_query = creq_lines[2];
  request.content_sha256_header = false;  // not an S3 suite
  Credentials credentials = kSuiteCredentials;
  for (const auto& [name, value] : suite.headers) {
    std::string lower = Lower(name);
    if (lower == "host") {
      request.host = value;
    } else if (lower == "x-amz-date") {
      EXPECT_EQ(value, FormatAmzDate(kSuiteTime));
    } else if (lower == "x-amz-security-token") {
      credentials.session_token = value;
    } else {
      request.headers.emplace_back(name, value);
    }
  }

  SignedHeaders signed_headers = Sign(request, credentials, kSuiteScope, kSuiteTime);
  EXPECT_EQ(signed_headers.canonical_request, creq);
  EXPECT_EQ(signed_headers.string_to_sign, ReadData(base + ".sts"));
  EXPECT_EQ(Find(signed_headers.headers, "authorization"), ReadData(base + ".authz"));
  // Every header Sign() adds is in the published signed request, as sent.
  const SuiteRequest sreq = ParseSuiteRequest(ReadData(base + ".sreq"));
  for (const auto& [name, value] : signed_headers.headers) {
    EXPECT_EQ(Find(sreq.headers, name), value) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(
    SigV4, AwsSigV4TestSuite,
    ::testing::Values("get-header-key-duplicate", "get-header-value-order", "get-header-value-trim",
                      "get-unreserved", "get-vanilla", "get-vanilla-empty-query-key",
                      "get-vanilla-query", "get-vanilla-query-order-key",
                      "get-vanilla-query-order-key-case", "get-vanilla-query-order-value",
                      "get-vanilla-query-unreserved", "get-vanilla-utf8-query", "get-space",
                      "post-header-key-case", "post-header-key-sort", "post-header-value-case",
                      "post-vanilla", "post-vanilla-empty-query-value", "post-vanilla-query",
                      "post-sts-header-before"),
    ParamName);

// The newer suite: the signed request. Its "unnormalized" cases sign the path
// exactly as sent ("//", "/./", "/../" kept), which is what S3 does.
class AwsSigningTestSuiteV4 : public ::testing::TestWithParam<std::string> {};

TEST_P(AwsSigningTestSuiteV4, MatchesThePublishedSignedRequest) {
  const std::string base = "aws-signing-test-suite-v4/" + GetParam() + "/";
  const SuiteRequest expected = ParseSuiteRequest(ReadData(base + "header-signed-request.txt"));
  Credentials credentials = kSuiteCredentials;
  if (std::ifstream context(DataPath(base + "context.json")); context) {
    nlohmann::json json = nlohmann::json::parse(context);
    EXPECT_EQ(json["credentials"]["access_key_id"], credentials.access_key_id);
    EXPECT_EQ(json["credentials"]["secret_access_key"], credentials.secret_access_key);
    credentials.session_token = json["credentials"].value("token", "");
  }

  SigningRequest request;
  request.method = expected.method;
  request.host = Find(expected.headers, "host");
  ASSERT_EQ(expected.target.find('?'), std::string::npos);
  request.canonical_uri = s3::UriEncode(expected.target, /*encode_slash=*/false);
  request.content_sha256_header = false;

  SignedHeaders signed_headers = Sign(request, credentials, kSuiteScope, kSuiteTime);
  ASSERT_EQ(signed_headers.headers.size() + 1, expected.headers.size());  // + host
  for (const auto& [name, value] : signed_headers.headers) {
    EXPECT_EQ(Find(expected.headers, name), value) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(SigV4, AwsSigningTestSuiteV4,
                         ::testing::Values("get-utf8", "get-vanilla-with-session-token",
                                           "get-slash-unnormalized", "get-slashes-unnormalized",
                                           "get-slash-dot-slash-unnormalized",
                                           "get-slash-pointless-dot-unnormalized",
                                           "get-relative-unnormalized",
                                           "get-relative-relative-unnormalized"),
                         ParamName);

// Amazon S3 API Reference, "Signature Calculations for the Authorization
// Header: Transferring Payload in a Single Chunk" (sig-v4-header-based-auth).
const Credentials kS3DocCredentials{"AKIAIOSFODNN7EXAMPLE",
                                    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
constexpr std::time_t kS3DocTime = 1369353600;  // 20130524T000000Z

TEST(SigV4S3Examples, GetObjectWithRange) {
  SigningRequest request = Get("examplebucket.s3.amazonaws.com", "/test.txt");
  request.headers = {{"Range", "bytes=0-9"}};
  SignedHeaders signed_headers = Sign(request, kS3DocCredentials, {"us-east-1"}, kS3DocTime);
  EXPECT_EQ(signed_headers.canonical_request,
            "GET\n/test.txt\n\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "range:bytes=0-9\n"
            "x-amz-content-sha256:"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
            "x-amz-date:20130524T000000Z\n\n"
            "host;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(signed_headers.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(signed_headers.signature,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(signed_headers.headers,
            (HeaderList{{"x-amz-date", "20130524T000000Z"},
                        {"x-amz-content-sha256", std::string(kEmptyPayloadSha256)},
                        {"authorization",
                         "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
                         "aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
                         "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bd"
                         "b41"}}));
}

TEST(SigV4S3Examples, ListObjects) {
  SigningRequest request = Get("examplebucket.s3.amazonaws.com", "/", "max-keys=2&prefix=J");
  SignedHeaders signed_headers = Sign(request, kS3DocCredentials, {"us-east-1"}, kS3DocTime);
  EXPECT_EQ(signed_headers.signature,
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

// Keys are encoded once and never normalised; the canonical URI is the path
// exactly as sent.
TEST(SigV4S3Keys, CanonicalUriIsTheKeyEncodedOnce) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"test.txt", "/examplebucket/test.txt"},
      {"my file.txt", "/examplebucket/my%20file.txt"},
      {"a+b=c&d;e,f", "/examplebucket/a%2Bb%3Dc%26d%3Be%2Cf"},
      {"~user/x_y-z.", "/examplebucket/~user/x_y-z."},
      {"100%", "/examplebucket/100%25"},
      {"a%2Fb", "/examplebucket/a%252Fb"},
      {"caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x98\x80",
       "/examplebucket/caf%C3%A9/%E6%97%A5%E6%9C%AC/%F0%9F%98%80"},
      {"a//b/", "/examplebucket/a//b/"},
      {"../x/./y/..", "/examplebucket/../x/./y/.."},
      {"/leading", "/examplebucket//leading"},
      {"tab\tnew\nline", "/examplebucket/tab%09new%0Aline"},
      {"?#[]*'()!$@:", "/examplebucket/%3F%23%5B%5D%2A%27%28%29%21%24%40%3A"},
  };
  for (const auto& [key, canonical_uri] : cases) {
    SigningRequest request =
        Get("s3.us-east-1.amazonaws.com", "/examplebucket/" + s3::UriEncode(key, false));
    SignedHeaders signed_headers = Sign(request, kS3DocCredentials, {"us-east-1"}, kS3DocTime);
    EXPECT_EQ(Lines(signed_headers.canonical_request)[1], canonical_uri)
        << ::testing::PrintToString(key);
  }
}

TEST(SigV4Sign, SignsAndSendsTheSessionToken) {
  SigningRequest request = Get("127.0.0.1:9000", "/b/k");
  Credentials credentials = kS3DocCredentials;
  credentials.session_token = "token/with+chars==";
  SignedHeaders signed_headers = Sign(request, credentials, {"eu-west-1"}, kS3DocTime);
  EXPECT_NE(signed_headers.canonical_request.find(
                "x-amz-security-token:token/with+chars==\n\n"
                "host;x-amz-content-sha256;x-amz-date;x-amz-security-token\n"),
            std::string::npos)
      << signed_headers.canonical_request;
  EXPECT_EQ(Find(signed_headers.headers, "x-amz-security-token"), "token/with+chars==");
  EXPECT_NE(Find(signed_headers.headers, "authorization")
                .find("Credential=AKIAIOSFODNN7EXAMPLE/20130524/eu-west-1/s3/aws4_request, "),
            std::string::npos);
}

TEST(SigV4Sign, CollapsesBlanksAndMergesRepeatedNames) {
  SigningRequest request = Get("h", "/");
  request.headers = {{"X-B", "\t two   words \t"}, {"x-a", "1"}, {"X-A", " 2 "}};
  request.content_sha256_header = false;
  SignedHeaders signed_headers = Sign(request, kSuiteCredentials, kSuiteScope, kSuiteTime);
  EXPECT_EQ(signed_headers.canonical_request,
            "GET\n/\n\nhost:h\nx-a:1,2\nx-amz-date:20150830T123600Z\nx-b:two words\n\n"
            "host;x-a;x-amz-date;x-b\n" +
                std::string(kEmptyPayloadSha256));
}

TEST(SigV4Sign, ManyHeaders) {
  SigningRequest request = Get("h", "/");
  std::string signed_list = "host;";
  for (char c = 'z'; c >= 'a'; --c) request.headers.emplace_back(std::string("x-") + c, "v");
  for (char c = 'a'; c <= 'z'; ++c) {
    signed_list += std::string("x-") + c + ";";
    if (c == 'a') signed_list += "x-amz-content-sha256;x-amz-date;";
  }
  signed_list.pop_back();
  SignedHeaders signed_headers = Sign(request, kSuiteCredentials, kSuiteScope, kSuiteTime);
  EXPECT_NE(
      Find(signed_headers.headers, "authorization").find("SignedHeaders=" + signed_list + ","),
      std::string::npos);
}

TEST(SigV4FormatAmzDate, FormatsUtc) {
  EXPECT_EQ(FormatAmzDate(0), "19700101T000000Z");
  EXPECT_EQ(FormatAmzDate(kSuiteTime), "20150830T123600Z");
  EXPECT_EQ(FormatAmzDate(951782400), "20000229T000000Z");
  EXPECT_EQ(FormatAmzDate(2147483648), "20380119T031408Z");
}

// AWS General Reference, "Calculate the signature": the documented kSigning.
TEST(SigV4DeriveSigningKey, MatchesTheDocumentedKey) {
  EXPECT_EQ(
      Hex(DeriveSigningKey(kSuiteCredentials.secret_access_key, "20150830", {"us-east-1", "iam"})),
      "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4SigningKeyCache, KeepsTheKeyUntilTheScopeChanges) {
  const std::string secret = kSuiteCredentials.secret_access_key;
  const SigningScope scope{"us-east-1"};
  SigningKeyCache cache;
  const std::string first = cache.Get(secret, "20150830", scope);
  EXPECT_EQ(first, DeriveSigningKey(secret, "20150830", scope));
  const std::string* cached = &cache.Get(secret, "20150830", scope);
  EXPECT_EQ(*cached, first);
  EXPECT_EQ(&cache.Get(secret, "20150830", scope), cached);

  struct Change {
    std::string secret, date;
    SigningScope scope;
  };
  for (const Change& change :
       {Change{secret, "20150831", scope}, Change{secret, "20150830", {"eu-west-1"}},
        Change{secret, "20150830", {"us-east-1", "s3express"}},
        Change{"another secret", "20150830", scope}}) {
    std::string key = cache.Get(change.secret, change.date, change.scope);
    EXPECT_EQ(key, DeriveSigningKey(change.secret, change.date, change.scope));
    EXPECT_NE(key, first);
  }
  EXPECT_EQ(cache.Get(secret, "20150830", scope), first);
}

TEST(SigV4SigningKeyCache, SignsAsWithoutCacheAcrossDays) {
  SigningRequest request = Get("h", "/b/k");
  SigningKeyCache cache;
  for (std::time_t t : {kSuiteTime, kSuiteTime + 1, kSuiteTime + 86400, kSuiteTime}) {
    EXPECT_EQ(Sign(request, kSuiteCredentials, {"us-east-1"}, t, &cache).headers,
              Sign(request, kSuiteCredentials, {"us-east-1"}, t).headers);
  }
}

// Sign() is reentrant: threads signing at once, each with its own cache, get
// what one thread gets.
TEST(SigV4Sign, ThreadsSignIndependently) {
  SigningRequest request = Get("h", "/b/k");
  const SignedHeaders expected = Sign(request, kSuiteCredentials, {"us-east-1"}, kSuiteTime);
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int& count : mismatches) {
    threads.emplace_back([&request, &expected, &count] {
      SigningKeyCache cache;
      for (int i = 0; i < 500; ++i) {
        if (Sign(request, kSuiteCredentials, {"us-east-1"}, kSuiteTime, &cache).headers !=
            expected.headers) {
          ++count;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace s3pull::auth
