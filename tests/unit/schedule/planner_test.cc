#include "schedule/planner.h"

#include <gtest/gtest.h>

namespace s3pull::schedule {
namespace {

constexpr uint64_t kTiB = 1024 * 1024 * kMiB;

TEST(PlannerTest, PartCountAtAndAroundBoundaries) {
  const uint64_t p = kDefaultPartSize;
  EXPECT_EQ(PartCount(0, p), 0u);
  EXPECT_EQ(PartCount(1, p), 1u);
  EXPECT_EQ(PartCount(p - 1, p), 1u);
  EXPECT_EQ(PartCount(p, p), 1u);
  EXPECT_EQ(PartCount(p + 1, p), 2u);
  EXPECT_EQ(PartCount(2 * p, p), 2u);
  EXPECT_EQ(PartCount(2 * p + 1, p), 3u);
  EXPECT_EQ(PartCount(5 * kTiB, p), 655360u);
}

TEST(PlannerTest, RangesCoverTheObjectExactlyOnce) {
  for (uint64_t size : {1ull, 7ull, 8ull, 9ull, 15ull, 16ull, 17ull, 100ull}) {
    uint64_t next = 0;
    for (uint64_t i = 0; i < PartCount(size, 8); ++i) {
      ByteRange r = PartRange(size, 8, i);
      EXPECT_EQ(r.first, next) << size;
      EXPECT_GT(r.length, 0u);
      EXPECT_LE(r.length, 8u);
      next += r.length;
    }
    EXPECT_EQ(next, size);
  }
}

TEST(PlannerTest, LastPartOfAFiveTebibyteObject) {
  ByteRange last = PartRange(5 * kTiB, kDefaultPartSize, 655359);
  EXPECT_EQ(last.first, 5 * kTiB - kDefaultPartSize);
  EXPECT_EQ(last.length, kDefaultPartSize);
  ByteRange odd = PartRange(5 * kTiB + 3, kDefaultPartSize, 655360);
  EXPECT_EQ(odd.first, 5 * kTiB);
  EXPECT_EQ(odd.length, 3u);
}

TEST(PlannerTest, SinglePartEtagsKeepTheRequestedSize) {
  EXPECT_EQ(ChoosePartSize(100 * kMiB, "", kDefaultPartSize), kDefaultPartSize);
  EXPECT_EQ(ChoosePartSize(100 * kMiB, "9b2cf535f27731c974343645a3985328", kDefaultPartSize),
            kDefaultPartSize);
  EXPECT_EQ(ChoosePartSize(100 * kMiB, "\"abc-1\"", kDefaultPartSize), kDefaultPartSize);
  EXPECT_EQ(ChoosePartSize(0, "abc-3", kDefaultPartSize), kDefaultPartSize);
}

TEST(PlannerTest, ObjectsWithinOnePartKeepOnePartWhateverTheirEtag) {
  EXPECT_EQ(ChoosePartSize(5 * kMiB + 1, "x-2", kDefaultPartSize), kDefaultPartSize);
  EXPECT_EQ(ChoosePartSize(12 * kMiB, "x-3", 16 * kMiB), 16 * kMiB);
}

TEST(PlannerTest, StoredPartsAreAtLeastFiveMebibytes) {
  // 12 MiB in 3 parts: 4 MiB parts would give 3 too, but S3 allows no part
  // under 5 MiB except the last.
  EXPECT_EQ(ChoosePartSize(12 * kMiB, "x-3", 4 * kMiB), 5 * kMiB);
  EXPECT_EQ(ChoosePartSize(5 * kMiB + 1, "x-2", 4 * kMiB), 5 * kMiB);
  EXPECT_EQ(ChoosePartSize(12 * kMiB, "x-2", 4 * kMiB), 6 * kMiB);
}

TEST(PlannerTest, MultipartEtagsAlignToTheStoredParts) {
  // 50 MiB uploaded in 8 MiB parts: 7 parts (the last one 2 MiB).
  EXPECT_EQ(ChoosePartSize(50 * kMiB, "\"0123abcd-7\"", kDefaultPartSize), 8 * kMiB);
  // 21 MiB in 5 MiB parts: 5 parts.
  EXPECT_EQ(ChoosePartSize(21 * kMiB, "0123abcd-5", kDefaultPartSize), 5 * kMiB);
  // 1 GiB in 16 MiB parts: 64 parts.
  EXPECT_EQ(ChoosePartSize(1024 * kMiB, "x-64", kDefaultPartSize), 16 * kMiB);
  // 100 MiB + 1 byte in 10 MiB parts: 11 parts.
  EXPECT_EQ(ChoosePartSize(100 * kMiB + 1, "x-11", kDefaultPartSize), 10 * kMiB);
}

TEST(PlannerTest, StoredPartsMuchLargerThanRequestedAreNotFollowed) {
  // 5 GiB in 512 MiB parts: ranges of 512 MiB would serialise the download.
  EXPECT_EQ(ChoosePartSize(5120 * kMiB, "x-10", kDefaultPartSize), kDefaultPartSize);
}

TEST(PlannerTest, PartSizesThatDoNotReproduceTheCountAreNotFollowed) {
  // 30 MiB in 2 parts: 15 MiB parts would give 2, but that is over 4 x 1 MiB.
  EXPECT_EQ(ChoosePartSize(30 * kMiB, "x-2", kMiB), kMiB);
  // 9 MiB in 3 parts: no part size of 5 MiB or more gives 3 parts.
  EXPECT_EQ(ChoosePartSize(9 * kMiB, "x-3", kMiB), kMiB);
  // 10 bytes in 3 parts.
  EXPECT_EQ(ChoosePartSize(10, "x-3", 1), 1u);
}

}  // namespace
}  // namespace s3pull::schedule
