// Address spreading helpers; see address_spread.h.
#include "http/address_spread.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <utility>

namespace s3pull::http {

std::optional<HostPort> UrlHostPort(std::string_view url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::nullopt;
  std::string_view scheme = url.substr(0, scheme_end);
  std::string_view authority = url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find_first_of("/?#"));
  HostPort out;
  out.port = scheme == "https" ? 443 : 80;
  size_t port_colon = authority.starts_with('[') ? authority.find("]:") : authority.rfind(':');
  if (authority.starts_with('[') && port_colon != std::string_view::npos) ++port_colon;
  std::string_view host = authority.substr(0, port_colon);
  if (host.empty()) return std::nullopt;
  if (port_colon != std::string_view::npos) {
    std::string_view port = authority.substr(port_colon + 1);
    auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), out.port);
    if (error != std::errc() || end != port.data() + port.size()) return std::nullopt;
  }
  out.host = std::string(host);
  return out;
}

std::vector<std::string> ConnectToEntries(const HostPort& target,
                                          const std::vector<std::string>& addresses) {
  std::vector<std::string> entries;
  std::string port = std::to_string(target.port);
  std::string host_port = target.host + ":" + port + ":";
  for (const std::string& address : addresses) {
    bool v6 = address.find(':') != std::string::npos;
    std::string entry = host_port;
    entry.append(v6 ? "[" : "").append(address).append(v6 ? "]" : "").append(":").append(port);
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::vector<std::string> ResolveAll(const std::string& host) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  std::vector<std::string> addresses;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0) return addresses;
  for (addrinfo* a = list; a != nullptr; a = a->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw =
        a->ai_family == AF_INET
            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
            : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
    if (inet_ntop(a->ai_family, raw, text, sizeof(text)) == nullptr) continue;
    if (std::find(addresses.begin(), addresses.end(), text) == addresses.end()) {
      addresses.emplace_back(text);
    }
  }
  freeaddrinfo(list);
  return addresses;
}

}  // namespace s3pull::http
