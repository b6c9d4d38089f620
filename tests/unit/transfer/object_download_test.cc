// ObjectDownload on its own: how a failed request is retried, planned apart
// from what the retry does to the object.
#include "transfer/object_download.h"

#include <gtest/gtest.h>

#include "temp_dir.h"

namespace s3pull::transfer {
namespace {

using Retry = ObjectDownload::Retry;

class ObjectDownloadTest : public ::testing::Test {
 protected:
  ObjectDownloadTest() {
    options_.part_size = 16;
    options_.checksum_mode = ChecksumMode::kOff;
  }

  // A listed object of `size` bytes, ETag "x", into the test's folder.
  ObjectDownload Listed(uint64_t size) {
    return ObjectDownload(
        schedule::ObjectTask{"b", "k", dir_.path() + "/k", dir_.path(), size, "x"}, options_);
  }

  // `part` answered as S3 would, with `bytes` of its body delivered.
  static void Deliver(ObjectDownload& download, const PartSpec& part, uint64_t size,
                      uint64_t bytes) {
    http::Headers headers = {{"etag", "\"x\""}};
    int status = 200;
    if (part.kind == PartKind::kRange) {
      status = 206;
      headers.emplace_back("content-range", "bytes " + std::to_string(part.first) + "-" +
                                                std::to_string(part.first + part.length - 1) + "/" +
                                                std::to_string(size));
    }
    ASSERT_TRUE(download.OnPartHeaders(part, status, headers).ok());
    ASSERT_TRUE(download.OnPartBody(part, 0, std::string(bytes, 'a')).ok());
  }

  DownloadOptions options_;
  testing::TempDir dir_;
};

TEST_F(ObjectDownloadTest, ABrokenPartResumesOrStartsOverAndOnlyTheCommitCounts) {
  ObjectDownload download = Listed(40);
  PartSpec first = download.FirstPart();
  ASSERT_EQ(first.kind, PartKind::kRange);
  Deliver(download, first, 40, 10);

  std::optional<Retry> resume = download.PlanRetry(first, 10, /*resume=*/true);
  ASSERT_TRUE(resume);
  EXPECT_EQ(resume->from, Retry::From::kResume);
  EXPECT_EQ(resume->request.kind, PartKind::kRange);
  EXPECT_EQ(resume->request.first, 10u);
  EXPECT_EQ(resume->request.length, 6u);
  EXPECT_EQ(resume->request.attempt, 1);

  std::optional<Retry> over = download.PlanRetry(first, 10, /*resume=*/false);
  ASSERT_TRUE(over);
  EXPECT_EQ(over->from, Retry::From::kPartStart);
  EXPECT_EQ(over->request.first, 0u);
  EXPECT_EQ(over->request.length, 16u);

  // Planning changed nothing: the part still counts its 10 bytes, and
  // starting it over drops them.
  download.CommitRetry(first, 10, *over);
  Deliver(download, over->request, 40, 16);
  ASSERT_TRUE(download.VerifyPart(over->request, 16).ok());
  for (uint64_t i = 1; i < download.part_count(); ++i) {
    PartSpec part = download.TakePart(i);
    Deliver(download, part, 40, part.length);
    ASSERT_TRUE(download.VerifyPart(part, part.length).ok());
    (void)download.OnPartDone(part, Status::Ok());
  }
  ObjectDownload::Next next = download.OnPartDone(over->request, Status::Ok());
  ASSERT_TRUE(next.finished);
  ObjectResult result = download.Finish();
  EXPECT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.bytes, 40u);
}

TEST_F(ObjectDownloadTest, AnObjectInOneRequestStartsOverFromItsFirstByte) {
  ObjectDownload download = Listed(12);
  PartSpec whole = download.FirstPart();
  ASSERT_EQ(whole.kind, PartKind::kWhole);
  Deliver(download, whole, 12, 5);
  std::optional<Retry> retry = download.PlanRetry(whole, 5, /*resume=*/false);
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->from, Retry::From::kObjectStart);
  EXPECT_EQ(retry->request.kind, PartKind::kWhole);
  std::optional<Retry> same = download.PlanRetry(whole, 0, /*resume=*/true);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->from, Retry::From::kSame);
}

TEST_F(ObjectDownloadTest, AFinishedLocalCopyOfTheListedVersionIsUnchanged) {
  {
    ObjectDownload download = Listed(12);
    PartSpec whole = download.FirstPart();
    Deliver(download, whole, 12, 12);
    ASSERT_TRUE(download.VerifyPart(whole, 12).ok());
    ASSERT_TRUE(download.OnPartDone(whole, Status::Ok()).finished);
    ASSERT_TRUE(download.Finish().status.ok());
  }
  ObjectDownload again = Listed(12);
  (void)again.FirstPart();
  EXPECT_TRUE(again.unchanged());
  EXPECT_EQ(again.Finish().outcome, Outcome::kUnchanged);
}

}  // namespace
}  // namespace s3pull::transfer
