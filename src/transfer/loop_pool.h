// LoopPool: the event loops after the first, each on a thread of its own
// with an HTTP client of its own.
//
// The first loop owns the pool and decides when to Start() one more (all
// at once for a fixed number of loops; as loop_spread.h says otherwise). A
// loop that cannot be had (no client, no thread) is no error: the loops
// running carry on. Join() waits for every loop started; each leaves the
// work share itself when its work is done.
#pragma once

#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include "http/http_client.h"
#include "transfer/work_share.h"

namespace s3pull::transfer {

// Makes the HTTP client of one more event loop; nullptr when it cannot.
using HttpClientFactory = std::function<std::unique_ptr<http::HttpClient>()>;

class LoopPool {
 public:
  // Runs helper loop number `helper` over `http` to its end, on the pool's
  // thread for it.
  using RunHelper = std::function<void(http::HttpClient& http, int helper)>;

  LoopPool(WorkShare& share, HttpClientFactory make_client, RunHelper run_helper)
      : share_(share), make_client_(std::move(make_client)), run_helper_(std::move(run_helper)) {}
  ~LoopPool() { Join(); }
  LoopPool(const LoopPool&) = delete;
  LoopPool& operator=(const LoopPool&) = delete;

  // Whether more loops can be made at all (a client factory was given).
  bool can_grow() const { return static_cast<bool>(make_client_); }
  // One more loop; false when none could be had.
  bool Start();
  void Join();

 private:
  WorkShare& share_;
  HttpClientFactory make_client_;
  RunHelper run_helper_;
  std::vector<std::unique_ptr<http::HttpClient>> clients_;  // outlive threads_
  std::vector<std::thread> threads_;
};

}  // namespace s3pull::transfer
