#include "schedule/concurrency.h"

#include <gtest/gtest.h>

namespace s3pull::schedule {
namespace {

ConcurrencyOptions Options() {
  ConcurrencyOptions options;
  options.initial = 8;
  options.min = 2;
  options.max = 64;
  options.interval = 1.0;
  options.throttle_hold = 5.0;
  return options;
}

// One interval of `rate` bytes/s in which the limit did (or did not) bind.
void Interval(ConcurrencyController& c, double& now, uint64_t bytes, bool bound) {
  c.OnBytes(bytes);
  if (bound) c.OnLimitReached();
  now += 1.0;
  c.Tick(now, 0);
}

TEST(ConcurrencyControllerTest, ClimbsWhileThroughputGrowsAndTheLimitBinds) {
  ConcurrencyController c(Options());
  double now = 0;
  c.Tick(now, 0);  // starts the first interval
  EXPECT_EQ(c.limit(), 8);
  Interval(c, now, 100, true);
  EXPECT_EQ(c.limit(), 16);
  Interval(c, now, 200, true);
  EXPECT_EQ(c.limit(), 32);
  Interval(c, now, 400, true);
  EXPECT_EQ(c.limit(), 64);
  Interval(c, now, 800, true);
  EXPECT_EQ(c.limit(), 64);  // the cap
}

TEST(ConcurrencyControllerTest, DoesNotClimbWhenTheLimitDoesNotBind) {
  ConcurrencyController c(Options());
  double now = 0;
  c.Tick(now, 0);
  Interval(c, now, 100, false);
  Interval(c, now, 200, false);
  EXPECT_EQ(c.limit(), 8);
}

TEST(ConcurrencyControllerTest, DoesNotClimbWhileTheLoopIsSaturated) {
  ConcurrencyController c(Options());
  double now = 0;
  c.Tick(now, 0);
  // Throughput doubles and every slot is busy, but the event loop used 95%
  // of each second: the machine is the bound, not the limit. (The requests
  // are short: long ones would have it try fewer.)
  for (uint64_t bytes : {100u, 200u, 400u}) {
    c.OnBytes(bytes);
    c.OnLimitReached();
    c.OnRequestDone();
    now += 1.0;
    c.Tick(now, 0.95 * now);
    EXPECT_EQ(c.limit(), 8);
  }
  // Once the loop has time to spare, it climbs again.
  c.OnBytes(800);
  c.OnLimitReached();
  c.Tick(now + 1.0, 0.95 * now + 0.5);
  EXPECT_EQ(c.limit(), 16);
}

TEST(ConcurrencyControllerTest, HoldsWhenThroughputStopsGrowing) {
  ConcurrencyController c(Options());
  double now = 0;
  c.Tick(now, 0);
  Interval(c, now, 100, true);  // best 100 at 8, now 16
  Interval(c, now, 102, true);  // not 5% better: hold at 16
  EXPECT_EQ(c.limit(), 16);
  Interval(c, now, 101, true);
  EXPECT_EQ(c.limit(), 16);
}

TEST(ConcurrencyControllerTest, ReturnsToTheBestLimitWhenMoreRequestsHurt) {
  ConcurrencyController c(Options());
  double now = 0;
  c.Tick(now, 0);
  Interval(c, now, 100, true);  // best 100 at 8 -> 16
  Interval(c, now, 200, true);  // best 200 at 16 -> 32
  Interval(c, now, 90, true);   // much worse at 32: back to 16
  EXPECT_EQ(c.limit(), 16);
}

TEST(ConcurrencyControllerTest, DecidesOncePerInterval) {
  ConcurrencyController c(Options());
  c.Tick(0, 0);
  c.OnBytes(100);
  c.OnLimitReached();
  c.Tick(0.5, 0);
  EXPECT_EQ(c.limit(), 8);
  c.Tick(1.0, 0);
  EXPECT_EQ(c.limit(), 16);
}

TEST(ConcurrencyControllerTest, ThrottlingHalvesAndHolds) {
  ConcurrencyController c(Options());
  double now = 0;
  c.Tick(now, 0);
  Interval(c, now, 100, true);
  Interval(c, now, 200, true);
  EXPECT_EQ(c.limit(), 32);
  c.OnThrottled(now);
  EXPECT_EQ(c.limit(), 16);
  c.OnThrottled(now + 0.1);  // the same episode: no second halving
  EXPECT_EQ(c.limit(), 16);
  Interval(c, now, 500, true);  // within the hold: no growth
  EXPECT_EQ(c.limit(), 16);
  now += 5;
  c.Tick(now, 0);
  Interval(c, now, 500, true);  // after the hold it may climb again
  EXPECT_EQ(c.limit(), 32);
}

// A controller whose requests of 1,000 bytes and more count as long streams,
// fed intervals in which every slot was busy.
class Streams {
 public:
  Streams() { controller_.Tick(now_, cpu_); }
  // One interval: `bytes` arrived, `requests` finished, and the event loop
  // used `loop_share` of the time.
  int Interval(uint64_t bytes, int requests, double loop_share = 0.95) {
    controller_.OnBytes(bytes);
    controller_.OnLimitReached();
    for (int i = 0; i < requests; ++i) controller_.OnRequestDone();
    now_ += 1.0;
    cpu_ += loop_share;
    controller_.Tick(now_, cpu_);
    return controller_.limit();
  }

 private:
  static ConcurrencyOptions StreamOptions() {
    ConcurrencyOptions options = Options();
    options.stream_bytes = 1000;
    return options;
  }
  ConcurrencyController controller_{StreamOptions()};
  double now_ = 0;
  double cpu_ = 0;
};

TEST(ConcurrencyControllerTest, TriesFewerLongStreamsWhileTheLoopIsSaturated) {
  Streams s;
  EXPECT_EQ(s.Interval(8000, 4), 4);  // 2,000 bytes per request, loop saturated
  // Judged only once as many requests as were in flight have finished.
  EXPECT_EQ(s.Interval(8000, 4), 4);
  EXPECT_EQ(s.Interval(8000, 4), 2);  // throughput held: kept, and fewer still
  EXPECT_EQ(s.Interval(8000, 4), 2);  // the minimum
}

TEST(ConcurrencyControllerTest, UndoesAHalvingThatCostsThroughput) {
  Streams s;
  EXPECT_EQ(s.Interval(8000, 4), 4);
  EXPECT_EQ(s.Interval(8000, 4), 4);  // not judged yet
  // Judged: the rate fell below 90% (a cap per connection): back, and not
  // tried again.
  EXPECT_EQ(s.Interval(6000, 4), 8);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.Interval(8000, 4), 8);
}

TEST(ConcurrencyControllerTest, KeepsShortRequestsManyEvenWhenSaturated) {
  Streams s;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s.Interval(8000, 80), 8);  // 100 bytes each
}

TEST(ConcurrencyControllerTest, ShortRequestsBringBackTheLimitStreamsLowered) {
  Streams s;
  EXPECT_EQ(s.Interval(8000, 4), 4);
  EXPECT_EQ(s.Interval(8000, 8), 2);  // kept at 4, and halved again
  EXPECT_EQ(s.Interval(8000, 8), 2);  // kept at 2
  EXPECT_EQ(s.Interval(8000, 80), 8);
}

TEST(ConcurrencyControllerTest, DoesNotTryFewerWhileTheLoopHasTimeToSpare) {
  Streams s;
  EXPECT_EQ(s.Interval(8000, 4, 0.5), 16);  // it climbs instead
}

TEST(ConcurrencyControllerTest, NeverBelowTheMinimum) {
  ConcurrencyController c(Options());
  for (int i = 0; i < 10; ++i) c.OnThrottled(i * 10.0);
  EXPECT_EQ(c.limit(), 2);
}

}  // namespace
}  // namespace s3pull::schedule
