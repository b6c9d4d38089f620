// PlanIntake: what enters a run from the plan and from listing pages, and
// what is refused with a result.
#include "transfer/plan_intake.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace s3pull::transfer {
namespace {

class PlanIntakeTest : public ::testing::Test {
 protected:
  PlanIntakeTest()
      : scheduler_(schedule::SchedulerOptions{1000}),
        intake_(scheduler_, tally_, [this](ObjectResult result) { refused_.push_back(result); }) {}

  // The objects the scheduler was given, in order.
  std::vector<schedule::ObjectTask> Taken() {
    return scheduler_.TakeWaitingObjects(scheduler_.waiting_objects());
  }

  schedule::Scheduler scheduler_;
  ProgressTally tally_;
  std::vector<ObjectResult> refused_;
  PlanIntake intake_;
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  testing::TempDir dir_;
};

TEST_F(PlanIntakeTest, NamedObjectsGoToTheirPathsAndASecondOneToAPathIsRefused) {
  DownloadPlan plan;
  plan.AddKeys("b", "p/", {"a", "../up", "a"}, dir_.path());
  plan.AddKey("b", "x", "-");
  plan.AddKeyToMemory("b", "m");
  plan.AddKey("b", "", Path("empty"));  // an empty key would list the bucket
  plan.AddKeyToMemory("b!", "m");
  for (const ObjectSource& object : plan.objects) intake_.AddObject(object);
  std::vector<schedule::ObjectTask> taken = Taken();
  ASSERT_EQ(taken.size(), 3u);
  EXPECT_EQ(taken[0].dest_path, dir_.path() + "/a");
  EXPECT_EQ(taken[1].sink, schedule::Sink::kStdout);
  EXPECT_EQ(taken[2].sink, schedule::Sink::kMemory);
  ASSERT_EQ(refused_.size(), 4u);
  EXPECT_EQ(refused_[0].key, "p/../up");
  EXPECT_EQ(refused_[0].status.code(), StatusCode::kUnsafePath);
  EXPECT_NE(refused_[1].status.message().find("same path"), std::string::npos);
  EXPECT_EQ(refused_[2].status.message(), "the key is empty: an object needs one");
  EXPECT_EQ(refused_[3].status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(intake_.found(), 7u);
}

TEST_F(PlanIntakeTest, ListedKeysBecomeObjectsFolderMarkersFoldersAndStraysRefusals) {
  PrefixSource source{"b", "d/", "", dir_.path(), "d/"};
  intake_.AddPrefix(source);
  s3::ListPage page;
  page.objects = {{"d/", 0, ""}, {"d/sub/", 0, ""}, {"d/f", 7, "e"}, {"elsewhere", 1, "e"}};
  intake_.OnPage(0, page);
  std::vector<schedule::ObjectTask> taken = Taken();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].dest_path, dir_.path() + "/f");
  EXPECT_EQ(taken[0].listed_size, 7u);
  EXPECT_EQ(taken[0].listed_etag, "e");
  EXPECT_TRUE(std::filesystem::is_directory(dir_.path() + "/sub"));
  ASSERT_EQ(refused_.size(), 1u);
  EXPECT_EQ(refused_[0].key, "elsewhere");
  EXPECT_EQ(intake_.found(), 2u);
  EXPECT_EQ(ProgressTally::Read(tally_.bytes_expected), 7u);
  EXPECT_TRUE(scheduler_.ListingsFinished());
}

TEST_F(PlanIntakeTest, ABadGlobAndARepeatedTokenAreListingFailures) {
  intake_.AddListing({"b", "", "logs/[z-a]", ""});
  ASSERT_EQ(refused_.size(), 1u);
  EXPECT_TRUE(refused_[0].is_listing);
  EXPECT_EQ(refused_[0].status.code(), StatusCode::kInvalidArgument);

  std::vector<ListedEntry> listed;
  PlanIntake lister(
      scheduler_, tally_, [this](ObjectResult r) { refused_.push_back(r); },
      [&listed](const ListedEntry& entry) { listed.push_back(entry); });
  lister.AddListing({"b", "", "logs/*.gz", ""});
  s3::ListPage page;
  page.objects = {{"logs/a.gz", 3, "e"}, {"logs/b.txt", 4, "e"}};
  page.is_truncated = true;
  page.next_continuation_token = "t";
  lister.OnPage(0, page);
  lister.OnPage(0, page);  // the same token again: a looping server
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].key, "logs/a.gz");
  ASSERT_EQ(refused_.size(), 2u);
  EXPECT_TRUE(refused_[1].is_listing);
  EXPECT_EQ(refused_[1].key, "logs/*.gz");
}

}  // namespace
}  // namespace s3pull::transfer
