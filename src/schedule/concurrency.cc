// ConcurrencyController implementation; see concurrency.h.
#include "schedule/concurrency.h"

#include <algorithm>

namespace s3pull::schedule {

ConcurrencyController::ConcurrencyController(const ConcurrencyOptions& options)
    : options_(options),
      limit_(std::clamp(options.initial, options.min, options.max)),
      best_limit_(limit_),
      floor_(options.min) {}

void ConcurrencyController::Tick(double now, double loop_cpu) {
  if (interval_start_ < 0) {
    interval_start_ = now;
    interval_cpu_ = loop_cpu;
    return;
  }
  double elapsed = now - interval_start_;
  if (elapsed < options_.interval) return;
  double rate = static_cast<double>(interval_bytes_) / elapsed;
  bool saturated = (loop_cpu - interval_cpu_) / elapsed >= options_.saturated;
  bool bound = limit_bound_ && !saturated;
  // No request finished while bytes flowed: they are longer still.
  bool streaming = interval_requests_ == 0
                       ? interval_bytes_ > 0
                       : interval_bytes_ / interval_requests_ >= options_.stream_bytes;
  bool cpu_bound = limit_bound_ && saturated;  // every slot busy, and still the loop is the bound
  interval_start_ = now;
  interval_cpu_ = loop_cpu;
  interval_bytes_ = 0;
  interval_requests_ = 0;
  limit_bound_ = false;
  if (now < hold_until_) return;
  if (Descend(rate, cpu_bound, streaming)) return;

  if (rate > best_rate_ * 1.05) {
    best_rate_ = rate;
    best_limit_ = limit_;
    // Still climbing: try more, but only when the limit was what bound us.
    if (bound) limit_ = std::min(options_.max, limit_ * 2);
  } else if (rate < best_rate_ * 0.7 && limit_ > best_limit_) {
    // More requests made it worse: go back to the best limit seen.
    limit_ = best_limit_;
  }
}

bool ConcurrencyController::Descend(double rate, bool cpu_bound, bool streaming) {
  if (descent_from_ > 0) {
    // Judged once the requests in flight before the halving have finished.
    if (requests_since_descent_ < static_cast<uint64_t>(descent_from_)) return true;
    bool kept = rate >= descent_rate_ * options_.descent_keep;
    if (!kept) limit_ = floor_ = descent_from_;
    best_limit_ = limit_;
    best_rate_ = kept ? rate : descent_rate_;
    descent_from_ = 0;
    if (!kept) return true;
  }
  if (!streaming) {
    if (descent_start_ == 0) return false;
    limit_ = best_limit_ = descent_start_;  // short requests need many in flight
    best_rate_ = 0;
    descent_start_ = 0;
    return true;
  }
  if (!cpu_bound || limit_ / 2 < floor_) return false;
  if (descent_start_ == 0) descent_start_ = limit_;
  descent_from_ = limit_;
  descent_rate_ = rate;
  requests_since_descent_ = 0;
  limit_ /= 2;
  return true;
}

void ConcurrencyController::OnThrottled(double now) {
  if (now < hold_until_) return;       // one halving per throttling episode
  descent_start_ = descent_from_ = 0;  // the server's word replaces any trial
  limit_ = std::max(options_.min, limit_ / 2);
  best_limit_ = limit_;
  best_rate_ = 0;
  hold_until_ = now + options_.throttle_hold;
}

}  // namespace s3pull::schedule
