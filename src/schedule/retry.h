// Retrying: which failures are worth another try, how long to wait, and how
// many retries a run may spend. Pure functions, and a budget that the event
// loops of a run share (an atomic counter; no locks, no I/O).
//
//   ClassifyFailure  one table from a Status to what it means for retrying
//   BackoffDelay     capped exponential backoff with full jitter
//   RetryBudget      a token bucket shared by the whole run: retries cost
//                    tokens, successes refund a little, so an endpoint that
//                    fails everything is given up on quickly instead of being
//                    hammered by every object's retries
#pragma once

#include <atomic>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull::schedule {

enum class FailureKind {
  kThrottled,    // 503 SlowDown, 429, Throttling*, RequestLimitExceeded: retry, slower
  kServerError,  // 500, 502, 504, InternalError, RequestTimeout: retry
  kTransport,    // reset, refused, timeout, stall, short body: retry
  kBadReply,     // a reply that is not what was asked (length, range, checksum): retry
  kClockSkew,    // RequestTimeTooSkewed: correct the clock, re-sign, retry
  kChanged,      // 412 PreconditionFailed, kObjectChanged: the object changed; never spliced
  kFatal,        // 400, 403, 404, TLS verification, local errors: retrying cannot help
};

FailureKind ClassifyFailure(const Status& status);

// How many tokens a retry of this kind costs (0 = not retryable).
int RetryCost(FailureKind kind);

// Seconds to wait before retry number `attempt` (1 = the first retry):
// uniformly random in [0, min(cap, base * 2^(attempt-1))]. `random01` is a
// number in [0, 1) supplied by the caller.
double BackoffDelay(int attempt, double random01, double base = 0.1, double cap = 20.0);

// Thread-safe: one budget serves every event loop of a run.
class RetryBudget {
 public:
  explicit RetryBudget(int capacity = 500) : capacity_(capacity), tokens_(capacity) {}
  // Takes the tokens for one retry; false (and nothing taken) when too few are left.
  bool TryAcquire(int cost);
  // A request succeeded: refund one token.
  void OnSuccess();
  int tokens() const { return tokens_.load(std::memory_order_relaxed); }

 private:
  const int capacity_;
  std::atomic<int> tokens_;
};

}  // namespace s3pull::schedule
