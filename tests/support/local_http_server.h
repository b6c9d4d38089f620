// LocalHttpServer: a small HTTP/1.1 server on 127.0.0.1 for tests that need
// real sockets (libcurl, the public API), answering as the test says.
//
// Each connection is served on its own thread; requests on it are read one
// after another (keep-alive). The handler sees each request and returns the
// raw bytes to send back, status line included, so a test can send 1xx
// responses, odd headers or a cut-off body; after `close_after` bytes the
// server closes the connection (a reply broken midway).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace s3pull::testing {

struct HttpRequestSeen {
  std::string method;
  std::string target;  // "/bucket/key?query"
  std::string head;    // the request line and headers, as received
};

struct HttpReply {
  std::string bytes;                       // sent as they are
  size_t close_after = std::string::npos;  // close once this many bytes are sent
};

// "HTTP/1.1 <status> X" with Content-Length and `headers` ("Name: value\r\n"...).
inline HttpReply Reply(int status, const std::string& body, const std::string& headers = "") {
  return {"HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: " +
          std::to_string(body.size()) + "\r\n" + headers + "\r\n" + body};
}

class LocalHttpServer {
 public:
  using Handler = std::function<HttpReply(const HttpRequestSeen&)>;

  explicit LocalHttpServer(Handler handler) : handler_(std::move(handler)) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    bind(listener_, reinterpret_cast<sockaddr*>(&address), sizeof address);
    listen(listener_, 128);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }

  ~LocalHttpServer() {
    stopping_ = true;
    shutdown(listener_, SHUT_RDWR);
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : connections_) shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : workers_) t.join();
    close(listener_);
  }
  LocalHttpServer(const LocalHttpServer&) = delete;
  LocalHttpServer& operator=(const LocalHttpServer&) = delete;

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }

 private:
  void Accept() {
    for (;;) {
      int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (stopping_) return;
        continue;
      }
      std::lock_guard lock(mutex_);
      connections_.push_back(fd);
      workers_.emplace_back([this, fd] { Serve(fd); });
    }
  }

  void Serve(int fd) {
    std::string buffer;
    char chunk[16384];
    for (;;) {
      size_t end;
      while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) return Close(fd);
        buffer.append(chunk, static_cast<size_t>(n));
      }
      HttpRequestSeen request;
      request.head = buffer.substr(0, end + 2);
      buffer.erase(0, end + 4);
      size_t space = request.head.find(' ');
      size_t second = request.head.find(' ', space + 1);
      request.method = request.head.substr(0, space);
      request.target = request.head.substr(space + 1, second - space - 1);
      ++requests_;
      HttpReply reply = handler_(request);
      size_t length = std::min(reply.bytes.size(), reply.close_after);
      for (size_t sent = 0; sent < length;) {
        ssize_t n = send(fd, reply.bytes.data() + sent, length - sent, MSG_NOSIGNAL);
        if (n <= 0) return Close(fd);
        sent += static_cast<size_t>(n);
      }
      if (length < reply.bytes.size()) return Close(fd);
    }
  }

  void Close(int fd) {
    std::lock_guard lock(mutex_);
    std::erase(connections_, fd);
    close(fd);
  }

  Handler handler_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::mutex mutex_;
  std::vector<int> connections_;  // open, for shutdown at the end
  std::vector<std::thread> workers_;
};

}  // namespace s3pull::testing
