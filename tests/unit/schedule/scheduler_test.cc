#include "schedule/scheduler.h"

#include <gtest/gtest.h>

namespace s3pull::schedule {
namespace {

ObjectTask Task(const std::string& key) {
  return ObjectTask{"b", key, "/tmp/x/" + key, "/tmp/x", std::nullopt, ""};
}

s3::ListPage Page(std::vector<std::string> keys, std::string next_token) {
  s3::ListPage page;
  for (auto& k : keys) page.objects.push_back({k, 1, ""});
  page.is_truncated = !next_token.empty();
  page.next_continuation_token = std::move(next_token);
  return page;
}

TEST(SchedulerTest, NeverExceedsConcurrency) {
  Scheduler s(SchedulerOptions{3});
  for (int i = 0; i < 10; ++i) s.AddObject(Task("k" + std::to_string(i)));
  std::vector<Scheduler::Action> started;
  while (auto action = s.Next()) started.push_back(std::move(*action));
  EXPECT_EQ(started.size(), 3u);
  EXPECT_EQ(s.in_flight(), 3u);
  started.pop_back();  // a request done: its slot goes back
  auto fourth = s.Next();
  ASSERT_TRUE(fourth.has_value());
  EXPECT_FALSE(s.Next().has_value());
  EXPECT_FALSE(s.Finished());
}

TEST(SchedulerTest, HandsOutObjectsInOrderAndFinishes) {
  Scheduler s(SchedulerOptions{8});
  s.AddObject(Task("a"));
  s.AddObject(Task("b"));
  auto first = s.Next();
  auto second = s.Next();
  ASSERT_TRUE(first && second);
  EXPECT_EQ(std::get<Scheduler::StartObject>(*first).task.key, "a");
  EXPECT_EQ(std::get<Scheduler::StartObject>(*second).task.key, "b");
  EXPECT_FALSE(s.Finished());
  std::get<Scheduler::StartObject>(*first).slot.Release();
  std::get<Scheduler::StartObject>(*second).slot.Release();
  EXPECT_TRUE(s.Finished());
}

TEST(SchedulerTest, ListingPagesOneAtATimeAndFollowsTokens) {
  Scheduler s(SchedulerOptions{8});
  s3::ListParams first;
  first.prefix = "p/";
  size_t id = s.AddListing("b", first);
  auto action = s.Next();
  ASSERT_TRUE(action);
  auto& list = std::get<Scheduler::ListAction>(*action);
  EXPECT_EQ(list.listing, id);
  EXPECT_EQ(list.params.prefix, "p/");
  EXPECT_EQ(list.params.continuation_token, "");
  // The next page waits for this one's token.
  EXPECT_FALSE(s.Next().has_value());
  EXPECT_TRUE(s.ListingPageDone(id, Page({"p/1"}, "T1")).ok());
  auto next = s.Next();
  ASSERT_TRUE(next);
  EXPECT_EQ(std::get<Scheduler::ListAction>(*next).params.continuation_token, "T1");
  EXPECT_TRUE(s.ListingPageDone(id, Page({"p/2"}, "")).ok());
  list.slot.Release();
  std::get<Scheduler::ListAction>(*next).slot.Release();
  EXPECT_TRUE(s.Finished());
}

TEST(SchedulerTest, ListingGoesBeforeWaitingObjects) {
  Scheduler s(SchedulerOptions{8});
  s.AddObject(Task("a"));
  s.AddListing("b", s3::ListParams{});
  auto action = s.Next();
  ASSERT_TRUE(action);
  EXPECT_TRUE(std::holds_alternative<Scheduler::ListAction>(*action));
}

TEST(SchedulerTest, ListingPausesWhileTheWindowIsFull) {
  Scheduler s(SchedulerOptions{1, 2});
  size_t id = s.AddListing("b", s3::ListParams{});
  ASSERT_TRUE(s.Next());
  s.AddObject(Task("a"));
  s.AddObject(Task("b"));
  ASSERT_TRUE(s.ListingPageDone(id, Page({"a", "b"}, "T")).ok());
  // Two objects wait: the window (2) is full, so an object goes next.
  auto action = s.Next();
  ASSERT_TRUE(action);
  EXPECT_TRUE(std::holds_alternative<Scheduler::StartObject>(*action));
  action.reset();  // its request done
  // One waits now: the listing may go on.
  auto list = s.Next();
  ASSERT_TRUE(list);
  EXPECT_TRUE(std::holds_alternative<Scheduler::ListAction>(*list));
}

TEST(SchedulerTest, RepeatedTokenEndsTheListingWithAnError) {
  Scheduler s(SchedulerOptions{4});
  size_t id = s.AddListing("b", s3::ListParams{});
  ASSERT_TRUE(s.Next());
  ASSERT_TRUE(s.ListingPageDone(id, Page({"a"}, "T")).ok());
  ASSERT_TRUE(s.Next());
  Status status = s.ListingPageDone(id, Page({"b"}, "T"));
  EXPECT_EQ(status.code(), StatusCode::kProtocolError);
  EXPECT_FALSE(s.Next().has_value());
  EXPECT_TRUE(s.Finished());
}

TEST(SchedulerTest, FailedListingFinishes) {
  Scheduler s(SchedulerOptions{4});
  size_t id = s.AddListing("b", s3::ListParams{});
  ASSERT_TRUE(s.Next());
  s.ListingFailed(id);
  EXPECT_EQ(s.in_flight(), 0u);
  EXPECT_TRUE(s.Finished());
}

TEST(SchedulerTest, WaitingObjectsCanBeTakenOldestFirst) {
  Scheduler s(SchedulerOptions{1});
  for (const char* key : {"a", "b", "c", "d"}) s.AddObject(Task(key));
  auto first = s.Next();  // "a" starts
  ASSERT_TRUE(first);
  std::vector<ObjectTask> taken = s.TakeWaitingObjects(2);
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0].key, "b");
  EXPECT_EQ(taken[1].key, "c");
  EXPECT_EQ(s.waiting_objects(), 1u);
  EXPECT_EQ(s.TakeWaitingObjects(5).size(), 1u);  // no more than there are
  EXPECT_TRUE(s.TakeWaitingObjects(5).empty());
  first.reset();
  EXPECT_FALSE(s.Next().has_value());
  EXPECT_TRUE(s.Finished());
}

TEST(SchedulerTest, ListingsFinishWithTheirLastPage) {
  Scheduler s(SchedulerOptions{4});
  EXPECT_TRUE(s.ListingsFinished());  // none at all
  size_t id = s.AddListing("b", s3::ListParams{});
  EXPECT_FALSE(s.ListingsFinished());
  ASSERT_TRUE(s.Next());
  ASSERT_TRUE(s.ListingPageDone(id, Page({"a"}, "T")).ok());
  EXPECT_FALSE(s.ListingsFinished());  // another page to come
  ASSERT_TRUE(s.Next());
  ASSERT_TRUE(s.ListingPageDone(id, Page({"b"}, "")).ok());
  EXPECT_TRUE(s.ListingsFinished());
  size_t failing = s.AddListing("b", s3::ListParams{});
  ASSERT_TRUE(s.Next());
  s.ListingFailed(failing);
  EXPECT_TRUE(s.ListingsFinished());
}

TEST(SchedulerTest, PartsOfStartedObjectsGoBeforeNewObjects) {
  Scheduler s(SchedulerOptions{8});
  s.AddObject(Task("big"));
  s.AddObject(Task("next"));
  auto start = s.Next();
  ASSERT_TRUE(start);
  EXPECT_EQ(std::get<Scheduler::StartObject>(*start).task.key, "big");
  s.AddParts(7, 1, 4);
  std::vector<Scheduler::Action> parts;
  for (uint64_t index = 1; index < 4; ++index) {
    auto part = s.Next();
    ASSERT_TRUE(part);
    auto& action = std::get<Scheduler::PartAction>(*part);
    EXPECT_EQ(action.object_id, 7u);
    EXPECT_EQ(action.index, index);
    parts.push_back(std::move(*part));
  }
  auto after = s.Next();
  ASSERT_TRUE(after);
  EXPECT_EQ(std::get<Scheduler::StartObject>(*after).task.key, "next");
  EXPECT_EQ(s.in_flight(), 5u);
}

TEST(SchedulerTest, PartsRespectConcurrencyAndKeepFinishedFalseUntilDone) {
  Scheduler s(SchedulerOptions{2});
  s.AddParts(1, 0, 655360);  // a 5 TiB object in 8 MiB parts is one entry
  auto first = s.Next();
  auto second = s.Next();
  ASSERT_TRUE(first && second);
  EXPECT_FALSE(s.Next().has_value());
  first.reset();
  second.reset();
  EXPECT_FALSE(s.Finished());
  s.AddParts(2, 3, 3);  // an empty run adds nothing
  uint64_t handed_out = 2;
  while (auto action = s.Next()) {
    EXPECT_EQ(std::get<Scheduler::PartAction>(*action).index, handed_out);
    ++handed_out;
  }  // (each action's slot goes back as it is destroyed)
  EXPECT_EQ(handed_out, 655360u);
  EXPECT_TRUE(s.Finished());
}

}  // namespace
}  // namespace s3pull::schedule
