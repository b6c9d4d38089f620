// Retry classification, backoff and budget; see retry.h.
#include "schedule/retry.h"

#include <algorithm>
#include <cmath>

namespace s3pull::schedule {
namespace {

bool IsThrottleCode(std::string_view code) {
  return code == "SlowDown" || code.starts_with("Throttl") || code == "RequestLimitExceeded" ||
         code == "TooManyRequests" || code == "RequestThrottled" ||
         code == "BandwidthLimitExceeded" || code == "ProvisionedThroughputExceededException";
}

bool IsServerErrorCode(std::string_view code) {
  return code == "InternalError" || code == "ServiceUnavailable" || code == "RequestTimeout" ||
         code == "RequestTimeoutException" || code == "PriorRequestNotComplete";
}

}  // namespace

FailureKind ClassifyFailure(const Status& status) {
  switch (status.code()) {
    case StatusCode::kTransportError:
      return FailureKind::kTransport;
    case StatusCode::kProtocolError:
    case StatusCode::kIntegrityError:
      return FailureKind::kBadReply;
    case StatusCode::kObjectChanged:
      return FailureKind::kChanged;
    case StatusCode::kServiceError:
      break;
    default:
      return FailureKind::kFatal;
  }
  const std::string& code = status.s3_code();
  int http = status.http_status();
  if (IsThrottleCode(code) || http == 429 || (http == 503 && !IsServerErrorCode(code))) {
    return FailureKind::kThrottled;
  }
  if (code == "RequestTimeTooSkewed") return FailureKind::kClockSkew;
  if (http == 412) return FailureKind::kChanged;
  if (IsServerErrorCode(code) || http == 500 || http == 502 || http == 503 || http == 504) {
    return FailureKind::kServerError;
  }
  return FailureKind::kFatal;
}

int RetryCost(FailureKind kind) {
  switch (kind) {
    case FailureKind::kThrottled:
    case FailureKind::kServerError:
    case FailureKind::kBadReply:
    case FailureKind::kClockSkew:
      return 5;
    case FailureKind::kTransport:
      return 10;  // timeouts and resets cost the most: they tie up connections
    case FailureKind::kChanged:
    case FailureKind::kFatal:
      return 0;
  }
  return 0;
}

double BackoffDelay(int attempt, double random01, double base, double cap) {
  double ceiling = std::min(cap, base * std::pow(2.0, std::max(0, attempt - 1)));
  return random01 * ceiling;
}

bool RetryBudget::TryAcquire(int cost) {
  if (cost <= 0) return false;
  int tokens = tokens_.load(std::memory_order_relaxed);
  do {
    if (tokens < cost) return false;
  } while (!tokens_.compare_exchange_weak(tokens, tokens - cost, std::memory_order_relaxed));
  return true;
}

void RetryBudget::OnSuccess() {
  // Most requests succeed with the bucket full: then this is one load.
  int tokens = tokens_.load(std::memory_order_relaxed);
  while (tokens < capacity_ &&
         !tokens_.compare_exchange_weak(tokens, tokens + 1, std::memory_order_relaxed)) {
  }
}

}  // namespace s3pull::schedule
