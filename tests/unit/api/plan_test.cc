// The DownloadPlan builders: the sources they make, as `s3pull cp` uses them.
#include "s3pull/plan.h"

#include <gtest/gtest.h>

#include <string>

namespace s3pull {
namespace {

TEST(PlanTest, APrefixGoesBelowTheFolderLessThePrefix) {
  DownloadPlan plan;
  plan.AddPrefix("b", "data/2026/", "out");
  ASSERT_EQ(plan.prefixes.size(), 1u);
  const PrefixSource& source = plan.prefixes[0];
  EXPECT_EQ(source.prefix, "data/2026/");
  EXPECT_EQ(source.base, "data/2026/");
  EXPECT_EQ(source.glob, "");
  EXPECT_EQ(source.dest_dir, "out");
  plan.AddPrefix("b", "data/20", "out");
  EXPECT_EQ(plan.prefixes[1].prefix, "data/20");
  EXPECT_EQ(plan.prefixes[1].base, "data/");
}

TEST(PlanTest, AGlobListsFromItsLiteralStartAndKeepsWhatFollowsItsFolder) {
  DownloadPlan plan;
  ASSERT_TRUE(plan.AddGlob("b", "logs/2026-*/*.gz", "out").ok());
  const PrefixSource& source = plan.prefixes.at(0);
  EXPECT_EQ(source.prefix, "logs/2026-");
  EXPECT_EQ(source.base, "logs/");
  EXPECT_EQ(source.glob, "logs/2026-*/*.gz");
  EXPECT_EQ(plan.AddGlob("b", "logs/[z-a]", "out").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(plan.prefixes.size(), 1u);
}

TEST(PlanTest, KeysGoToAPathIntoAFolderOrBelowTheirPrefix) {
  DownloadPlan plan;
  plan.AddKey("b", "reports/q3.csv", "q3.csv");
  plan.AddKey("b", "logs/app.log", "-");
  plan.AddKeyToFolder("b", "reports/q4.csv", "out");
  plan.AddKeys("b", "images/", {"a.jpg", "x/b.jpg"}, "imgs");
  ASSERT_EQ(plan.objects.size(), 5u);
  EXPECT_EQ(plan.objects[0].dest_path, "q3.csv");
  EXPECT_EQ(plan.objects[1].dest_path, "-");
  EXPECT_EQ(plan.objects[2].dest_dir, "out");
  EXPECT_EQ(plan.objects[2].base, "reports/");
  EXPECT_EQ(plan.objects[4].key, "images/x/b.jpg");
  EXPECT_EQ(plan.objects[4].base, "images/");
  EXPECT_EQ(plan.objects[4].dest_dir, "imgs");
}

TEST(PlanTest, KeysKeptInMemoryNameNoDestination) {
  DownloadPlan plan;
  std::string buffer(10, ' ');
  plan.AddKeyToMemory("b", "config.json");
  plan.AddKeyToBuffer("b", "x", buffer);
  ASSERT_EQ(plan.objects.size(), 2u);
  for (const ObjectSource& object : plan.objects) {
    EXPECT_TRUE(object.to_memory);
    EXPECT_EQ(object.dest_path, "");
    EXPECT_EQ(object.dest_dir, "");
  }
  EXPECT_TRUE(plan.objects[0].buffer.empty());
  EXPECT_EQ(plan.objects[1].buffer.data(), buffer.data());
  EXPECT_EQ(plan.objects[1].buffer.size(), 10u);
}

}  // namespace
}  // namespace s3pull
