// ObjectVerifier: bytes hashed in order from byte 0 as soon as they are in
// (as they arrive, or as the parts before them finish); every order of
// parts, retries midway, restarts and resumed parts give the object's hash.
#include "transfer/verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include "common/hex.h"
#include "fs/file_writer.h"
#include "random_bytes.h"
#include "temp_dir.h"

namespace s3pull::transfer {
namespace {

using testing::RandomBytes;
using testing::TempDir;

// An object of `content` written to a temporary file, its verifier set to
// check the MD5 that a single-part ETag is: that of `stored` (by default the
// content itself).
class VerifiedObject {
 public:
  VerifiedObject(std::string content, HashBacklog* backlog,
                 std::optional<std::string> stored = std::nullopt)
      : content_(std::move(content)), verifier_(ChecksumMode::kAuto, backlog) {
    Result<fs::FileWriter> created = fs::FileWriter::Create(dir_.path() + "/object");
    EXPECT_TRUE(created.ok());
    writer_.emplace(std::move(*created));
    std::string md5 =
        HexEncode(checksum::HashBytes(checksum::HashAlgorithm::kMd5, stored.value_or(content_)));
    EXPECT_TRUE(verifier_.Choose({{"etag", "\"" + md5 + "\""}}, /*whole_reply=*/true).ok());
    EXPECT_TRUE(verifier_.active());
  }

  ObjectVerifier& verifier() { return verifier_; }
  uint64_t size() const { return content_.size(); }

  // Bytes [first, end) of the object arrive as a request would bring them,
  // in pieces of `chunk` bytes: written, then told to the verifier.
  void Arrive(uint64_t first, uint64_t end, size_t chunk = 16 * 1024) {
    for (uint64_t at = first; at < end; at += chunk) {
      std::string_view piece = std::string_view(content_).substr(at, std::min(chunk, end - at));
      ASSERT_TRUE(writer_->WriteAt(at, piece).ok());
      verifier_.Arrived(at, piece.size());
    }
  }
  // Bytes [first, end) written without being told (a part ahead of the front).
  void Write(uint64_t first, uint64_t end) {
    ASSERT_TRUE(
        writer_->WriteAt(first, std::string_view(content_).substr(first, end - first)).ok());
  }

  // Hashes every run the verifier hands out, as the hash pool would, from
  // the file. Returns the bytes hashed.
  uint64_t HashReadyWork() {
    uint64_t hashed = 0;
    while (std::optional<ObjectVerifier::Work> work = verifier_.TakeWork()) {
      std::string bytes(work->end - work->first, '\0');
      EXPECT_TRUE(writer_->ReadAt(work->first, bytes.data(), bytes.size()).ok());
      work->hasher->Update(bytes);
      hashed += bytes.size();
      verifier_.WorkDone();
    }
    return hashed;
  }

 private:
  TempDir dir_;
  std::string content_;
  std::optional<fs::FileWriter> writer_;
  ObjectVerifier verifier_;
};

TEST(ObjectVerifierTest, BytesArrivingInOrderAreReadyAsTheyArrive) {
  HashBacklog backlog;
  {
    VerifiedObject object(RandomBytes(300 * 1024 + 17, 1), &backlog);
    uint64_t hashed = 0;
    for (uint64_t at = 0; at < object.size(); at += 100 * 1024) {
      uint64_t end = std::min(object.size(), at + 100 * 1024);
      object.Arrive(at, end);  // one request, still going
      EXPECT_EQ(object.verifier().ready_to_hash(), end - at);
      EXPECT_EQ(backlog.ready_bytes, end - at);
      hashed += object.HashReadyWork();
      EXPECT_EQ(backlog.ready_bytes, 0u);
    }
    EXPECT_EQ(hashed, object.size());
    EXPECT_TRUE(object.verifier().Complete(object.size()));
    EXPECT_TRUE(object.verifier().Check().ok());
  }
  EXPECT_EQ(backlog.ready_bytes, 0u);
}

TEST(ObjectVerifierTest, BytesBehindARunBeingHashedCountOnceItIsDone) {
  HashBacklog backlog;
  VerifiedObject object(RandomBytes(200 * 1024, 9), &backlog);
  object.Arrive(0, 50 * 1024);
  std::optional<ObjectVerifier::Work> work = object.verifier().TakeWork();
  ASSERT_TRUE(work.has_value());
  object.Arrive(50 * 1024, object.size());
  EXPECT_EQ(backlog.ready_bytes, 0u);  // they cannot be taken yet
  EXPECT_FALSE(object.verifier().TakeWork().has_value());
  object.verifier().WorkDone();
  EXPECT_EQ(backlog.ready_bytes, object.size() - 50 * 1024);
}

TEST(ObjectVerifierTest, PartsFinishingInEveryOrderGiveTheObjectsHash) {
  // Four ranged parts: the part at the front is ready as it arrives; a part
  // ahead of it once the bytes before it are in.
  constexpr uint64_t kPart = 100 * 1024;
  std::vector<int> order(4);
  std::iota(order.begin(), order.end(), 0);
  int orders = 0;
  do {
    HashBacklog backlog;
    VerifiedObject object(RandomBytes(4 * kPart - 1000, 2), &backlog);
    uint64_t front = 0;
    for (int part : order) {
      uint64_t first = part * kPart;
      uint64_t end = std::min(object.size(), first + kPart);
      if (first == front) {
        object.Arrive(first, end);
      } else {
        object.Write(first, end);
      }
      object.verifier().RangeDone(first, end - first);
      object.HashReadyWork();
      while (front < object.size() &&
             object.verifier().Complete(std::min(object.size(), front + kPart))) {
        front += kPart;
      }
    }
    ASSERT_TRUE(object.verifier().Complete(object.size()));
    EXPECT_TRUE(object.verifier().Check().ok())
        << "order " << order[0] << order[1] << order[2] << order[3];
    EXPECT_EQ(backlog.ready_bytes, 0u);
    ++orders;
  } while (std::next_permutation(order.begin(), order.end()));
  EXPECT_EQ(orders, 24);
}

TEST(ObjectVerifierTest, APartRetriedMidwayKeepsTheBytesThatArrived) {
  HashBacklog backlog;
  VerifiedObject object(RandomBytes(200 * 1024, 3), &backlog);
  // The first request breaks after 70,000 bytes; the retry asks for the rest.
  object.Arrive(0, 70000, 7000);
  object.verifier().RangeDone(0, 70000);  // what a resumed retry notes: nothing new
  EXPECT_EQ(object.HashReadyWork(), 70000u);
  // A part that started over sends bytes already noted again: ignored.
  object.Arrive(0, 20000);
  object.Arrive(70000, object.size());
  EXPECT_EQ(object.HashReadyWork(), object.size() - 70000);
  ASSERT_TRUE(object.verifier().Complete(object.size()));
  EXPECT_TRUE(object.verifier().Check().ok());
}

TEST(ObjectVerifierTest, ARestartWhileARunIsBeingHashedDropsThatRun) {
  HashBacklog backlog;
  VerifiedObject object(RandomBytes(150 * 1024, 4), &backlog);
  object.Arrive(0, 90 * 1024);
  std::optional<ObjectVerifier::Work> work = object.verifier().TakeWork();
  ASSERT_TRUE(work.has_value());
  // The object is fetched again from byte 0 while a worker hashes the run.
  object.verifier().Restart();
  EXPECT_TRUE(object.verifier().hashing());
  EXPECT_FALSE(object.verifier().TakeWork().has_value());
  work->hasher->Update("bytes of the attempt that was dropped");
  object.verifier().WorkDone();
  EXPECT_EQ(backlog.ready_bytes, 0u);
  object.Arrive(0, object.size());
  object.HashReadyWork();
  ASSERT_TRUE(object.verifier().Complete(object.size()));
  EXPECT_TRUE(object.verifier().Check().ok());
}

TEST(ObjectVerifierTest, PartsOnDiskFromAnEarlierRunAreHashedFirst) {
  constexpr uint64_t kPart = 64 * 1024;
  HashBacklog backlog;
  VerifiedObject object(RandomBytes(5 * kPart, 6), &backlog);
  object.Write(0, 2 * kPart);  // the earlier run's parts 0 and 1
  object.verifier().RangeDone(0, kPart);
  object.verifier().RangeDone(kPart, kPart);
  object.Arrive(2 * kPart, object.size());
  EXPECT_EQ(object.HashReadyWork(), object.size());
  ASSERT_TRUE(object.verifier().Complete(object.size()));
  EXPECT_TRUE(object.verifier().Check().ok());
}

TEST(ObjectVerifierTest, ACorruptByteIsAMismatch) {
  HashBacklog backlog;
  std::string stored = RandomBytes(100 * 1024, 7);
  std::string corrupt = stored;
  corrupt[5000] ^= 1;
  VerifiedObject object(corrupt, &backlog, stored);
  object.Arrive(0, object.size());
  object.HashReadyWork();
  Status status = object.verifier().Check();
  EXPECT_EQ(status.code(), StatusCode::kIntegrityError);
  EXPECT_NE(status.message().find("checksum mismatch: MD5 (the ETag)"), std::string::npos)
      << status.ToString();
}

TEST(ObjectVerifierTest, NothingIsReadyWhenChecksAreOff) {
  HashBacklog backlog;
  ObjectVerifier off(ChecksumMode::kOff, &backlog);
  EXPECT_TRUE(off.Choose({{"etag", "\"0123456789abcdef0123456789abcdef\""}}, true).ok());
  off.Arrived(0, 1000);
  EXPECT_EQ(backlog.ready_bytes, 0u);
  EXPECT_FALSE(off.TakeWork().has_value());
  EXPECT_TRUE(off.Check().ok());
}

}  // namespace
}  // namespace s3pull::transfer
