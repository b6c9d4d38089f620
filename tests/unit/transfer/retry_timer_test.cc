#include "transfer/retry_timer.h"

#include <gtest/gtest.h>

#include <string>

namespace s3pull::transfer {
namespace {

TEST(RetryTimerTest, RunsWhatIsDueInTimeOrderAndSaysHowLongToWait) {
  RetryTimer timer;
  std::string ran;
  // (Times that binary fractions hold exactly.)
  timer.Schedule(10.5, {}, [&](schedule::RequestSlot) { ran += "c"; });
  timer.Schedule(10.125, {}, [&](schedule::RequestSlot) { ran += "a"; });
  timer.Schedule(10.25, {}, [&](schedule::RequestSlot) { ran += "b"; });
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
  timer.Schedule(1.0, {}, [&](schedule::RequestSlot) {
    ++sent;
    // Due at once: runs in the same call.
    timer.Schedule(1.0, {}, [&](schedule::RequestSlot) { ++sent; });
  });
  timer.RunDue(1.0, 50);
  EXPECT_EQ(sent, 2);
  timer.Schedule(2.0, {}, [&](schedule::RequestSlot) { ++sent; });
  timer.Clear();
  timer.RunDue(3.0, 50);
  EXPECT_EQ(sent, 2);
}

TEST(RetryTimerTest, AWaitingRequestKeepsItsSlotUntilItsSendOrTheClear) {
  schedule::Scheduler scheduler(schedule::SchedulerOptions{4});
  scheduler.AddObject({"b", "k", "/x/k", "/x", std::nullopt, ""});
  scheduler.AddObject({"b", "l", "/x/l", "/x", std::nullopt, ""});
  RetryTimer timer;
  for (double due : {1.0, 2.0}) {
    auto action = scheduler.Next();
    ASSERT_TRUE(action);
    timer.Schedule(due, std::move(std::get<schedule::Scheduler::StartObject>(*action).slot),
                   [&](schedule::RequestSlot slot) { EXPECT_TRUE(slot.held()); });
  }
  EXPECT_EQ(scheduler.in_flight(), 2u);  // the actions are gone, their slots wait
  timer.RunDue(1.0, 50);
  EXPECT_EQ(scheduler.in_flight(), 1u);  // the send dropped the slot it got
  timer.Clear();
  EXPECT_EQ(scheduler.in_flight(), 0u);
  EXPECT_TRUE(scheduler.Finished());
}

}  // namespace
}  // namespace s3pull::transfer
