#include "http/address_spread.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace s3pull::http {
namespace {

TEST(AddressSpreadTest, HostAndPortOfAUrl) {
  struct Case {
    const char* url;
    const char* host;
    int port;
  } cases[] = {
      {"https://bucket.s3.us-east-1.amazonaws.com/key?x=1", "bucket.s3.us-east-1.amazonaws.com",
       443},
      {"http://127.0.0.1:9000/b/k", "127.0.0.1", 9000},
      {"http://localhost/b", "localhost", 80},
      {"http://[::1]:8080/b/k", "[::1]", 8080},
      {"https://[2001:db8::1]/b", "[2001:db8::1]", 443},
      {"http://h:9000", "h", 9000},
  };
  for (const Case& c : cases) {
    std::optional<HostPort> target = UrlHostPort(c.url);
    ASSERT_TRUE(target) << c.url;
    EXPECT_EQ(target->host, c.host) << c.url;
    EXPECT_EQ(target->port, c.port) << c.url;
  }
  EXPECT_FALSE(UrlHostPort("no-scheme/x"));
  EXPECT_FALSE(UrlHostPort("http://:9000/"));
  EXPECT_FALSE(UrlHostPort("http://h:port/"));
}

TEST(AddressSpreadTest, ConnectToEntriesKeepTheNameAndBracketIpv6) {
  HostPort target{"s3.example.com", 443};
  EXPECT_EQ(ConnectToEntries(target, {"192.0.2.1", "2001:db8::7"}),
            (std::vector<std::string>{"s3.example.com:443:192.0.2.1:443",
                                      "s3.example.com:443:[2001:db8::7]:443"}));
}

TEST(AddressSpreadTest, ResolvesLocalhostWithoutRepeats) {
  std::vector<std::string> addresses = ResolveAll("localhost");
  ASSERT_FALSE(addresses.empty());
  EXPECT_NE(std::find(addresses.begin(), addresses.end(), "127.0.0.1"), addresses.end());
  std::vector<std::string> sorted = addresses;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::unique(sorted.begin(), sorted.end()), sorted.end());
  EXPECT_TRUE(ResolveAll("no-such-host.invalid").empty());
}

}  // namespace
}  // namespace s3pull::http
