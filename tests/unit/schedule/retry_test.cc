#include "schedule/retry.h"

#include <gtest/gtest.h>

namespace s3pull::schedule {
namespace {

TEST(RetryTest, ClassifiesEveryKindOfFailure) {
  struct Case {
    Status status;
    FailureKind kind;
  } cases[] = {
      {Status::Service(503, "SlowDown", "Please reduce your request rate."),
       FailureKind::kThrottled},
      {Status::Service(503, "ServiceUnavailable", ""), FailureKind::kServerError},
      {Status::Service(503, "HttpError", ""), FailureKind::kThrottled},
      {Status::Service(429, "TooManyRequests", ""), FailureKind::kThrottled},
      {Status::Service(400, "ThrottlingException", ""), FailureKind::kThrottled},
      {Status::Service(400, "Throttling", ""), FailureKind::kThrottled},
      {Status::Service(400, "RequestLimitExceeded", ""), FailureKind::kThrottled},
      {Status::Service(500, "InternalError", ""), FailureKind::kServerError},
      {Status::Service(502, "BadGateway", ""), FailureKind::kServerError},
      {Status::Service(504, "GatewayTimeout", ""), FailureKind::kServerError},
      {Status::Service(400, "RequestTimeout", ""), FailureKind::kServerError},
      {Status::Service(403, "RequestTimeTooSkewed", ""), FailureKind::kClockSkew},
      {Status::Service(412, "PreconditionFailed", ""), FailureKind::kChanged},
      {Status(StatusCode::kObjectChanged, "ETag \"b\", expected \"a\""), FailureKind::kChanged},
      {Status::Service(403, "AccessDenied", ""), FailureKind::kFatal},
      {Status::Service(403, "SignatureDoesNotMatch", ""), FailureKind::kFatal},
      {Status::Service(403, "InvalidAccessKeyId", ""), FailureKind::kFatal},
      {Status::Service(404, "NoSuchKey", ""), FailureKind::kFatal},
      {Status::Service(404, "NoSuchBucket", ""), FailureKind::kFatal},
      {Status::Service(400, "InvalidArgument", ""), FailureKind::kFatal},
      {Status::Service(416, "InvalidRange", ""), FailureKind::kFatal},
      {Status::Service(301, "PermanentRedirect", ""), FailureKind::kFatal},
      {Status(StatusCode::kTransportError, "Connection reset by peer"), FailureKind::kTransport},
      {Status(StatusCode::kTransportError, "Operation too slow"), FailureKind::kTransport},
      {Status(StatusCode::kTlsError, "SSL certificate problem: unable to get local issuer"),
       FailureKind::kFatal},
      {Status(StatusCode::kProtocolError, "received 5 bytes of 10"), FailureKind::kBadReply},
      {Status(StatusCode::kIoError, "No space left on device"), FailureKind::kFatal},
      {Status(StatusCode::kUnsafePath, "'..' segment"), FailureKind::kFatal},
      {Status(StatusCode::kCancelled, "interrupted"), FailureKind::kFatal},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ClassifyFailure(c.status), c.kind) << c.status.ToString();
  }
}

TEST(RetryTest, OnlyRetryableKindsCostTokens) {
  EXPECT_GT(RetryCost(FailureKind::kThrottled), 0);
  EXPECT_GT(RetryCost(FailureKind::kServerError), 0);
  EXPECT_GT(RetryCost(FailureKind::kTransport), RetryCost(FailureKind::kServerError));
  EXPECT_GT(RetryCost(FailureKind::kBadReply), 0);
  EXPECT_GT(RetryCost(FailureKind::kClockSkew), 0);
  EXPECT_EQ(RetryCost(FailureKind::kChanged), 0);
  EXPECT_EQ(RetryCost(FailureKind::kFatal), 0);
}

TEST(RetryTest, BackoffIsCappedExponentialWithFullJitter) {
  EXPECT_DOUBLE_EQ(BackoffDelay(1, 0.0), 0.0);
  EXPECT_DOUBLE_EQ(BackoffDelay(1, 0.5, 0.1, 20), 0.05);
  EXPECT_DOUBLE_EQ(BackoffDelay(2, 0.5, 0.1, 20), 0.1);
  EXPECT_DOUBLE_EQ(BackoffDelay(4, 0.999, 0.1, 20), 0.999 * 0.8);
  EXPECT_DOUBLE_EQ(BackoffDelay(30, 0.5, 0.1, 20), 10.0);  // capped at 20 s
  EXPECT_LT(BackoffDelay(60, 0.999999, 0.1, 20), 20.0);
}

TEST(RetryTest, BudgetRunsOutAndRefills) {
  RetryBudget budget(20);
  EXPECT_TRUE(budget.TryAcquire(10));
  EXPECT_TRUE(budget.TryAcquire(5));
  EXPECT_FALSE(budget.TryAcquire(10));  // 5 left: not enough, nothing taken
  EXPECT_EQ(budget.tokens(), 5);
  EXPECT_TRUE(budget.TryAcquire(5));
  EXPECT_FALSE(budget.TryAcquire(5));
  for (int i = 0; i < 30; ++i) budget.OnSuccess();
  EXPECT_EQ(budget.tokens(), 20);      // never above capacity
  EXPECT_FALSE(budget.TryAcquire(0));  // not retryable
}

}  // namespace
}  // namespace s3pull::schedule
