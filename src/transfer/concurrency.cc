// ConcurrencyController implementation; see concurrency.h.
#include "transfer/concurrency.h"

#include <algorithm>

namespace s3pull::transfer {

ConcurrencyController::ConcurrencyController(const ConcurrencyOptions& options)
    : options_(options),
      limit_(std::clamp(options.initial, options.min, options.max)),
      best_limit_(limit_) {}

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
  interval_start_ = now;
  interval_cpu_ = loop_cpu;
  interval_bytes_ = 0;
  limit_bound_ = false;
  if (now < hold_until_) return;

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

void ConcurrencyController::OnThrottled(double now) {
  if (now < hold_until_) return;  // one halving per throttling episode
  limit_ = std::max(options_.min, limit_ / 2);
  best_limit_ = limit_;
  best_rate_ = 0;
  hold_until_ = now + options_.throttle_hold;
}

}  // namespace s3pull::transfer
