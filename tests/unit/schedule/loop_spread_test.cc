#include "schedule/loop_spread.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace s3pull::schedule {
namespace {

LoopSpreadOptions Options(int max_loops) {
  LoopSpreadOptions options;
  options.max_loops = max_loops;
  options.interval = 1.0;
  return options;
}

class LoopSpreaderTest : public ::testing::Test {
 protected:
  // One interval of a second: the first loop's thread used `busy` seconds
  // of CPU, the machine was idle for `idle` CPU seconds, work waited or not.
  bool Next(double busy, double idle, bool waited) {
    if (waited) spreader_.OnWorkWaiting();
    now_ += 1.0;
    cpu_ += busy;
    idle_ += idle;
    return spreader_.Tick(now_, cpu_, idle_);
  }
  LoopSpreader spreader_{Options(3)};
  double now_ = 0;
  double cpu_ = 0;
  double idle_ = 0;
};

TEST_F(LoopSpreaderTest, TheFirstTickOnlyStartsMeasuring) {
  spreader_.OnWorkWaiting();
  EXPECT_FALSE(spreader_.Tick(0, 100, 100));
  EXPECT_EQ(spreader_.loops(), 1);
}

TEST_F(LoopSpreaderTest, SpreadsWhileTheLoopIsSaturatedWorkWaitsAndACoreIsIdle) {
  spreader_.Tick(0, 0, 0);
  EXPECT_TRUE(Next(0.97, 2.5, true));
  EXPECT_EQ(spreader_.loops(), 2);
  EXPECT_TRUE(Next(0.95, 1.2, true));
  EXPECT_EQ(spreader_.loops(), 3);
  EXPECT_FALSE(Next(0.99, 4.0, true));  // at max_loops
  EXPECT_EQ(spreader_.loops(), 3);
}

TEST_F(LoopSpreaderTest, NotWhenTheOtherCoresAreBusy) {
  // A server on the same machine, or other jobs, use what the loop does not.
  spreader_.Tick(0, 0, 0);
  EXPECT_FALSE(Next(0.99, 0.1, true));
  EXPECT_FALSE(Next(0.99, 0.7, true));
  EXPECT_EQ(spreader_.loops(), 1);
}

TEST_F(LoopSpreaderTest, NotWhileTheLoopHasTimeToSpare) {
  spreader_.Tick(0, 0, 0);
  EXPECT_FALSE(Next(0.6, 3.0, true));
  EXPECT_EQ(spreader_.loops(), 1);
}

TEST_F(LoopSpreaderTest, NotWhenNoWorkWaited) {
  // A busy loop with nothing waiting (one large object's hashing, say)
  // gains nothing from another loop.
  spreader_.Tick(0, 0, 0);
  EXPECT_FALSE(Next(0.99, 3.0, false));
  // Waiting is judged per interval: it does not carry over.
  spreader_.OnWorkWaiting();
  EXPECT_FALSE(Next(0.5, 3.0, false));
  EXPECT_FALSE(Next(0.99, 3.0, false));
  EXPECT_EQ(spreader_.loops(), 1);
}

TEST_F(LoopSpreaderTest, DecidesOncePerInterval) {
  LoopSpreader s(Options(4));
  EXPECT_TRUE(s.Due(0));
  s.Tick(0, 0, 0);
  EXPECT_FALSE(s.Due(0.5));
  EXPECT_TRUE(s.Due(1.0));
}

TEST(MachineIdleSecondsTest, CountsUpWhileTheMachineIdles) {
  std::optional<double> before = MachineIdleSeconds();
  ASSERT_TRUE(before.has_value());  // Linux: /proc/stat
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  std::optional<double> after = MachineIdleSeconds();
  ASSERT_TRUE(after.has_value());
  EXPECT_GE(*after, *before);
  EXPECT_GT(*before, 0);
}

}  // namespace
}  // namespace s3pull::schedule
