// RetryTimer; see retry_timer.h.
#include "transfer/retry_timer.h"

#include <algorithm>
#include <utility>

namespace s3pull::transfer {

void RetryTimer::Schedule(double due, std::function<void()> send) {
  waiting_.emplace(due, std::move(send));
}

int RetryTimer::RunDue(double now, int max_wait_ms) {
  while (!waiting_.empty() && waiting_.begin()->first <= now) {
    std::function<void()> send = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    send();
  }
  if (waiting_.empty()) return max_wait_ms;
  double wait_ms = (waiting_.begin()->first - now) * 1000;
  return std::clamp(static_cast<int>(wait_ms), 0, max_wait_ms);
}

}  // namespace s3pull::transfer
