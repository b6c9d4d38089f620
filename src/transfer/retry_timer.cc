// RetryTimer; see retry_timer.h.
#include "transfer/retry_timer.h"

#include <algorithm>
#include <utility>

namespace s3pull::transfer {

void RetryTimer::Schedule(double due, schedule::RequestSlot slot, Send send) {
  waiting_.emplace(due, Waiting{std::move(slot), std::move(send)});
}

int RetryTimer::RunDue(double now, int max_wait_ms) {
  while (!waiting_.empty() && waiting_.begin()->first <= now) {
    Waiting due = std::move(waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
    due.send(std::move(due.slot));
  }
  if (waiting_.empty()) return max_wait_ms;
  double wait_ms = (waiting_.begin()->first - now) * 1000;
  return std::clamp(static_cast<int>(wait_ms), 0, max_wait_ms);
}

}  // namespace s3pull::transfer
