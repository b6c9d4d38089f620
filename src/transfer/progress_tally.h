// ProgressTally: the counts every event loop of a run adds to, which the
// first loop reports as Observer::OnProgress. Relaxed atomic adds, at most
// one per body chunk: a few nanoseconds each, never a lock.
#pragma once

#include <atomic>
#include <cstdint>

namespace s3pull::transfer {

struct ProgressTally {
  std::atomic<uint64_t> objects_started{0};
  std::atomic<uint64_t> bytes_expected{0};  // sizes known: listed, or told by a first reply
  std::atomic<uint64_t> bytes_received{0};
  std::atomic<uint64_t> retries{0};

  static void Add(std::atomic<uint64_t>& count, uint64_t n) {
    count.fetch_add(n, std::memory_order_relaxed);
  }
  static uint64_t Read(const std::atomic<uint64_t>& count) {
    return count.load(std::memory_order_relaxed);
  }
};

}  // namespace s3pull::transfer
