#include "transfer/work_share.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>

namespace s3pull::transfer {
namespace {

// A successful result for bucket/key.
ObjectResult Done(std::string bucket, std::string key) {
  ObjectResult result;
  result.bucket = std::move(bucket);
  result.key = std::move(key);
  return result;
}

schedule::ObjectTask Task(int i) {
  return schedule::ObjectTask{"b", "k" + std::to_string(i), "/x/k" + std::to_string(i), "/x", 1,
                              ""};
}

std::vector<schedule::ObjectTask> Tasks(int from, int to) {
  std::vector<schedule::ObjectTask> tasks;
  for (int i = from; i < to; ++i) tasks.push_back(Task(i));
  return tasks;
}

class WorkShareTest : public ::testing::Test {
 protected:
  std::atomic<int> first_woken_{0};
  std::atomic<int> helper_woken_{0};
  WorkShare share_{[this] { ++first_woken_; }};
};

TEST_F(WorkShareTest, AHelperAsksAndTheFirstLoopIsWokenOnce) {
  int helper = share_.Join([this] { ++helper_woken_; });
  EXPECT_EQ(helper, 1);
  EXPECT_EQ(share_.loops(), 2);
  EXPECT_TRUE(share_.Take(helper, 8).empty());
  EXPECT_EQ(share_.wanted(), 8u);
  EXPECT_EQ(first_woken_, 1);
  EXPECT_TRUE(share_.Take(helper, 6).empty());  // still asking: no second wakeup
  EXPECT_EQ(share_.wanted(), 6u);
  EXPECT_EQ(first_woken_, 1);

  share_.Offer(Tasks(0, 4));
  EXPECT_EQ(helper_woken_, 1);
  EXPECT_EQ(share_.wanted(), 0u);
  std::vector<schedule::ObjectTask> taken = share_.Take(helper, 6);
  ASSERT_EQ(taken.size(), 4u);
  EXPECT_EQ(taken[0].key, "k0");   // in the order offered
  EXPECT_EQ(share_.wanted(), 2u);  // the rest is asked for again
  EXPECT_EQ(first_woken_, 2);
}

TEST_F(WorkShareTest, ExhaustedOnceClosedAndEverythingTaken) {
  int helper = share_.Join([this] { ++helper_woken_; });
  share_.Offer(Tasks(0, 3));
  EXPECT_FALSE(share_.Exhausted());
  share_.Close();
  EXPECT_EQ(helper_woken_, 1);  // to see the close
  EXPECT_FALSE(share_.Exhausted());
  EXPECT_EQ(share_.Take(helper, 2).size(), 2u);
  EXPECT_EQ(share_.Take(helper, 2).size(), 1u);
  EXPECT_TRUE(share_.Exhausted());
  EXPECT_EQ(share_.wanted(), 0u);  // nothing is asked of a closed share
}

TEST_F(WorkShareTest, ResultsReachTheFirstLoopWhichIsWokenForTheFirstOfABatch) {
  int helper = share_.Join([] {});
  share_.Post(Done("b", "k1"));
  share_.Post(Done("b", "k2"));
  EXPECT_EQ(first_woken_, 1);
  std::vector<ObjectResult> results = share_.TakeResults();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[1].key, "k2");
  share_.Post(Done("b", "k3"));
  EXPECT_EQ(first_woken_, 2);
  EXPECT_FALSE(share_.HelpersDone());
  share_.Leave(helper, 7);
  EXPECT_TRUE(share_.HelpersDone());
  EXPECT_EQ(share_.loops(), 1);
  EXPECT_EQ(share_.helper_retries(), 7u);
  EXPECT_EQ(share_.TakeResults().size(), 1u);  // posted before it left
}

TEST_F(WorkShareTest, NoHelpersMeansDone) { EXPECT_TRUE(share_.HelpersDone()); }

// Three helper threads take everything the first loop offers in batches as
// they ask; every object comes back exactly once.
TEST_F(WorkShareTest, ObjectsPassBetweenThreadsExactlyOnce) {
  constexpr int kObjects = 20000;
  std::vector<std::thread> helpers;
  for (int h = 0; h < 3; ++h) {
    int helper = share_.Join([] {});
    helpers.emplace_back([this, helper] {
      while (!share_.Exhausted()) {
        for (schedule::ObjectTask& task : share_.Take(helper, 64)) {
          share_.Post(Done(task.bucket, task.key));
        }
        std::this_thread::yield();
      }
      share_.Leave(helper, 1);
    });
  }
  int offered = 0;
  std::set<std::string> seen;
  auto collect = [&] {
    for (const ObjectResult& result : share_.TakeResults()) {
      EXPECT_TRUE(seen.insert(result.key).second) << result.key;
    }
  };
  while (offered < kObjects) {
    if (size_t wanted = share_.wanted(); wanted > 0) {
      int n = std::min<int>(static_cast<int>(wanted), kObjects - offered);
      share_.Offer(Tasks(offered, offered + n));
      offered += n;
    }
    collect();
    std::this_thread::yield();
  }
  share_.Close();
  while (!share_.HelpersDone()) collect();
  for (std::thread& helper : helpers) helper.join();
  collect();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kObjects));
  EXPECT_EQ(share_.helper_retries(), 3u);
}

}  // namespace
}  // namespace s3pull::transfer
