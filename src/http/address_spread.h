// Spreading connections over every address DNS gives for a host.
//
// Real S3 answers each DNS query with several addresses, each a different
// front-end; a client that connects only to the first one leaves throughput
// on the table. CurlHttpClient resolves each host once and hands every new
// request the next address in turn (libcurl's CONNECT_TO), so connections,
// and their reuse, are spread evenly. The Host header and TLS name stay the
// host's own. These are the pure pieces.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s3pull::http {

struct HostPort {
  std::string host;  // as in the URL; an IPv6 literal keeps its brackets
  int port = 0;      // explicit, or the scheme's default
};

// The host and port of "scheme://host[:port]/...", or nullopt.
std::optional<HostPort> UrlHostPort(std::string_view url);

// libcurl CONNECT_TO entries "HOST:PORT:ADDRESS:PORT", one per address
// (IPv6 addresses get brackets).
std::vector<std::string> ConnectToEntries(const HostPort& target,
                                          const std::vector<std::string>& addresses);

// The host's addresses from the system resolver (IPv4 and IPv6, in its
// order, without repeats); empty when it cannot be resolved.
std::vector<std::string> ResolveAll(const std::string& host);

}  // namespace s3pull::http
