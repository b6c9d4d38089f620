// HashPool: ranges of files hashed on worker threads, every job answered.
#include "transfer/hash_pool.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "temp_dir.h"

namespace s3pull::transfer {
namespace {

using testing::TempDir;

// Collects results as the pool reports them.
class Results {
 public:
  std::function<void()> Callback() {
    return [this] {
      std::lock_guard lock(mutex_);
      changed_.notify_all();
    };
  }
  // Takes results until `count` have arrived (or 10 s passed).
  std::vector<HashResult> Await(HashPool& pool, size_t count) {
    std::vector<HashResult> all;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (all.size() < count && std::chrono::steady_clock::now() < deadline) {
      {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, std::chrono::milliseconds(10));
      }
      for (HashResult& result : pool.TakeResults()) all.push_back(std::move(result));
    }
    return all;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
};

struct File {
  std::string content;
  std::unique_ptr<fs::FileWriter> writer;
  std::unique_ptr<checksum::Hasher> hasher;
  checksum::HashAlgorithm algorithm;
};

std::vector<File> MakeFiles(const TempDir& dir, size_t count) {
  std::mt19937 random(7);
  std::vector<File> files;
  for (size_t i = 0; i < count; ++i) {
    // Sizes from empty to several of the pool's 128 KiB pieces.
    size_t size = i == 0 ? 0 : random() % (600 * 1024);
    std::string content(size, '\0');
    for (char& c : content) c = static_cast<char>(random());
    Result<fs::FileWriter> created = fs::FileWriter::Create(dir.path() + "/f" + std::to_string(i));
    EXPECT_TRUE(created.ok());
    auto writer = std::make_unique<fs::FileWriter>(std::move(*created));
    EXPECT_TRUE(writer->WriteAt(0, content).ok());
    checksum::HashAlgorithm algorithm =
        i % 5 == 4 ? checksum::HashAlgorithm::kCrc32c : checksum::HashAlgorithm::kMd5;
    files.push_back(
        {std::move(content), std::move(writer), checksum::NewHasher(algorithm), algorithm});
  }
  return files;
}

TEST(HashPoolTest, HashesEveryRangeIntoItsHasher) {
  TempDir dir;
  std::vector<File> files = MakeFiles(dir, 40);
  Results results;
  HashPool pool(2, results.Callback());
  // Each file in two jobs, the second sent when the first is done (one job
  // per hasher at a time).
  std::vector<uint64_t> cut(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    cut[i] = files[i].content.size() / 3;
    pool.Submit({i, files[i].hasher.get(), files[i].writer.get(), 0, cut[i]});
  }
  std::vector<HashResult> first = results.Await(pool, files.size());
  ASSERT_EQ(first.size(), files.size());
  for (const HashResult& result : first) {
    ASSERT_TRUE(result.status.ok()) << result.status.ToString();
    const File& file = files[result.id];
    pool.Submit(
        {result.id, file.hasher.get(), file.writer.get(), cut[result.id], file.content.size()});
  }
  std::vector<HashResult> second = results.Await(pool, files.size());
  ASSERT_EQ(second.size(), files.size());
  EXPECT_EQ(pool.pending(), 0u);
  for (File& file : files) {
    EXPECT_EQ(file.hasher->Finish(), checksum::HashBytes(file.algorithm, file.content))
        << file.content.size() << " bytes";
  }
}

TEST(HashPoolTest, AnUnreadableRangeIsAnError) {
  TempDir dir;
  std::vector<File> files = MakeFiles(dir, 2);
  Results results;
  HashPool pool(1, results.Callback());
  uint64_t size = files[1].content.size();
  pool.Submit({1, files[1].hasher.get(), files[1].writer.get(), 0, size + 10});
  std::vector<HashResult> done = results.Await(pool, 1);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].status.code(), StatusCode::kIoError) << done[0].status.ToString();
}

TEST(HashPoolTest, StopAnswersEveryJobOnce) {
  TempDir dir;
  std::vector<File> files = MakeFiles(dir, 40);
  Results results;
  HashPool pool(1, results.Callback());
  for (size_t i = 0; i < files.size(); ++i) {
    pool.Submit({i, files[i].hasher.get(), files[i].writer.get(), 0, files[i].content.size()});
  }
  pool.Stop();
  std::vector<HashResult> done = pool.TakeResults();
  ASSERT_EQ(done.size(), files.size());
  std::vector<int> seen(files.size(), 0);
  for (const HashResult& result : done) {
    ++seen[result.id];
    EXPECT_TRUE(result.status.ok() || result.status.code() == StatusCode::kCancelled)
        << result.status.ToString();
  }
  EXPECT_EQ(seen, std::vector<int>(files.size(), 1));
  EXPECT_EQ(pool.pending(), 0u);
}

TEST(HashInMemoryTest, HashesEveryJobsBytesSideBySide) {
  // 37 messages: more than two batches of 16, of assorted sizes (some
  // sharing a size, one empty), MD5s and a few CRC32Cs; no file is read.
  std::mt19937 random(11);
  std::vector<std::string> contents;
  std::vector<std::unique_ptr<checksum::Hasher>> hashers;
  std::vector<HashJob> jobs;
  for (uint64_t i = 0; i < 37; ++i) {
    std::string content(i == 5 ? 0 : random() % (16 * 1024) + (i % 3 == 0 ? 4096 : 0), '\0');
    for (char& c : content) c = static_cast<char>(random());
    contents.push_back(std::move(content));
    hashers.push_back(checksum::NewHasher(i % 7 == 6 ? checksum::HashAlgorithm::kCrc32c
                                                     : checksum::HashAlgorithm::kMd5));
  }
  for (uint64_t i = 0; i < contents.size(); ++i) {
    HashJob job{100 + i, hashers[i].get(), nullptr, 0, contents[i].size()};
    job.bytes = contents[i].data();
    jobs.push_back(job);
  }
  std::vector<HashResult> results = HashInMemory(jobs);
  ASSERT_EQ(results.size(), jobs.size());
  for (uint64_t i = 0; i < jobs.size(); ++i) {
    EXPECT_EQ(results[i].id, 100 + i);
    EXPECT_TRUE(results[i].status.ok());
    checksum::HashAlgorithm algorithm =
        i % 7 == 6 ? checksum::HashAlgorithm::kCrc32c : checksum::HashAlgorithm::kMd5;
    EXPECT_EQ(hashers[i]->Finish(), checksum::HashBytes(algorithm, contents[i])) << i;
  }
}

}  // namespace
}  // namespace s3pull::transfer
