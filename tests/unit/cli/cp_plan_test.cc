// PlanCopy: which objects `s3pull cp SOURCE DEST` fetches and where they go.
#include "cli/cp_plan.h"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.h"

namespace s3pull::cli {
namespace {

class CpPlanTest : public ::testing::Test {
 protected:
  Result<CpPlan> Plan(const std::string& source, const std::string& dest,
                      const std::string& from_file = "") {
    Result<S3Url> url = ParseS3Url(source);
    if (!url.ok()) return url.status();
    return PlanCopy(*url, dest, from_file);
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }

  testing::TempDir dir_;
};

TEST_F(CpPlanTest, APrefixOrABucketIsListedIntoAFolder) {
  Result<CpPlan> prefix = Plan("s3://bkt/data/2026/", Path("out"));
  ASSERT_TRUE(prefix.ok());
  ASSERT_EQ(prefix->plan.prefixes.size(), 1u);
  EXPECT_EQ(prefix->plan.prefixes[0].prefix, "data/2026/");
  EXPECT_EQ(prefix->plan.prefixes[0].dest_dir, Path("out"));
  EXPECT_FALSE(prefix->single_key);
  Result<CpPlan> bucket = Plan("s3://bkt", Path("out"));
  ASSERT_TRUE(bucket.ok());
  EXPECT_EQ(bucket->plan.prefixes.at(0).prefix, "");
}

TEST_F(CpPlanTest, AGlobListsItsLiteralStart) {
  Result<CpPlan> glob = Plan("s3://bkt/logs/2026-*/*.gz", Path("logs"));
  ASSERT_TRUE(glob.ok());
  EXPECT_EQ(glob->plan.prefixes.at(0).glob, "logs/2026-*/*.gz");
  EXPECT_EQ(glob->plan.prefixes.at(0).prefix, "logs/2026-");
  EXPECT_EQ(Plan("s3://bkt/logs/[z-a]", Path("x")).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CpPlanTest, OneKeyGoesToAFileIntoAFolderOrToStandardOutput) {
  Result<CpPlan> file = Plan("s3://bkt/reports/q3.csv", Path("q3.csv"));
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->single_key);
  EXPECT_EQ(file->plan.objects.at(0).dest_path, Path("q3.csv"));

  Result<CpPlan> folder = Plan("s3://bkt/reports/q3.csv", dir_.path());  // an existing folder
  ASSERT_TRUE(folder.ok());
  EXPECT_EQ(folder->plan.objects.at(0).dest_dir, dir_.path());
  EXPECT_EQ(folder->plan.objects.at(0).base, "reports/");

  Result<CpPlan> slash = Plan("s3://bkt/reports/q3.csv", Path("new/"));  // not there yet
  ASSERT_TRUE(slash.ok());
  EXPECT_EQ(slash->plan.objects.at(0).dest_dir, Path("new/"));

  Result<CpPlan> out = Plan("s3://bkt/logs/app.log", "-");
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out->to_stdout);
  EXPECT_EQ(out->plan.objects.at(0).dest_path, "-");

  Result<CpPlan> escaped = Plan("s3://bkt/report\\[1\\].csv", Path("r.csv"));
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(escaped->plan.objects.at(0).key, "report[1].csv");
}

TEST_F(CpPlanTest, ManyObjectsNeedAFolder) {
  std::ofstream(Path("file")) << "x";
  for (const char* source : {"s3://bkt/p/", "s3://bkt/*.gz"}) {
    Result<CpPlan> to_stdout = Plan(source, "-");
    EXPECT_NE(to_stdout.status().message().find("single object only"), std::string::npos);
    Result<CpPlan> to_file = Plan(source, Path("file"));
    EXPECT_NE(to_file.status().message().find("exists and is not a folder"), std::string::npos);
  }
}

TEST_F(CpPlanTest, AKeyListIsBelowThePrefixOrWholeForUrlLines) {
  std::ofstream(Path("keys.txt")) << "a.jpg\nx/b.jpg\ns3://other/deep/c.jpg\n";
  Result<CpPlan> list = Plan("s3://bkt/images/", Path("out"), Path("keys.txt"));
  ASSERT_TRUE(list.ok()) << list.status().ToString();
  const std::vector<ObjectSource>& objects = list->plan.objects;
  ASSERT_EQ(objects.size(), 3u);
  EXPECT_EQ(objects[0].key, "images/a.jpg");
  EXPECT_EQ(objects[0].base, "images/");
  EXPECT_EQ(objects[2].bucket, "other");
  EXPECT_EQ(objects[2].key, "deep/c.jpg");
  EXPECT_EQ(objects[2].base, "");
  Result<CpPlan> not_prefix = Plan("s3://bkt/images", Path("out"), Path("keys.txt"));
  EXPECT_NE(not_prefix.status().message().find("with --from-file"), std::string::npos);
  EXPECT_FALSE(Plan("s3://bkt/", Path("out"), Path("missing.txt")).ok());
}

}  // namespace
}  // namespace s3pull::cli
