#include "transfer/retry_timer.h"

#include <gtest/gtest.h>

#include <string>

namespace s3pull::transfer {
namespace {

TEST(RetryTimerTest, RunsWhatIsDueInTimeOrderAndSaysHowLongToWait) {
  RetryTimer timer;
  std::string ran;
  // (Times that binary fractions hold exactly.)
  timer.Schedule(10.5, [&] { ran += "c"; });
  timer.Schedule(10.125, [&] { ran += "a"; });
  timer.Schedule(10.25, [&] { ran += "b"; });
  EXPECT_EQ(timer.RunDue(10.0, 1000), 125);  // the first is 125 ms away: wait that long
  EXPECT_EQ(timer.RunDue(10.0, 100), 100);   // or as long as the caller allows
  EXPECT_EQ(ran, "");
  EXPECT_EQ(timer.RunDue(10.25, 1000), 250);
  EXPECT_EQ(ran, "ab");
  EXPECT_EQ(timer.RunDue(11.0, 100), 100);  // nothing left: the caller's longest wait
  EXPECT_EQ(ran, "abc");
}

TEST(RetryTimerTest, ASendMayScheduleAnotherAndClearDropsAll) {
  RetryTimer timer;
  int sent = 0;
  timer.Schedule(1.0, [&] {
    ++sent;
    timer.Schedule(1.0, [&] { ++sent; });  // due at once: runs in the same call
  });
  timer.RunDue(1.0, 50);
  EXPECT_EQ(sent, 2);
  timer.Schedule(2.0, [&] { ++sent; });
  timer.Clear();
  timer.RunDue(3.0, 50);
  EXPECT_EQ(sent, 2);
}

}  // namespace
}  // namespace s3pull::transfer
