// HashPool: hashes byte ranges of files on worker threads, so the event loop
// never waits for a digest.
//
// The engine submits a job for each run of an object's bytes that is ready
// to be hashed (the bytes from byte 0 on that are in, verifier.h); a worker
// reads the range back from the file (the bytes are still in the page cache),
// or from memory for an object kept there, into the job's hasher. A worker takes up to 16 jobs at
// once and feeds them through UpdateEach, which hashes MD5s side by side: that is what keeps
// verifying thousands of objects cheap, as long as jobs come in batches (the
// engine gathers them; a lone MD5 costs several times more per byte). The
// smallest objects' bytes are kept in memory
// and hashed by HashInMemory on the event loop, also side by side: a
// worker's wakeup would cost more than hashing one of them.
//
// Threading: Submit, TakeResults and Stop are called from one thread (the
// event loop). `on_result` runs on a worker thread after it queued results
// (to wake the loop). A job's hasher and file (or bytes) must stay alive,
// and untouched by anyone else, until its result has been taken.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "checksum/hashers.h"
#include "fs/file_writer.h"
#include "s3pull/status.h"

namespace s3pull::transfer {

struct HashJob {
  uint64_t id = 0;  // the caller's; echoed in the result
  checksum::Hasher* hasher = nullptr;
  const fs::FileWriter* file = nullptr;
  uint64_t first = 0;  // bytes [first, end) of the file, in order
  uint64_t end = 0;
  // The bytes [first, end) in memory (an object kept in memory, or a small
  // one's copy); null: read from `file`.
  const char* bytes = nullptr;
  // In memory and few: for HashInMemory() on the event loop, not for the pool.
  bool small = false;
};

struct HashResult {
  uint64_t id = 0;
  Status status;  // OK: every byte of the range went into the hasher
};

// Hashes jobs whose bytes are in memory on the calling thread, MD5s up to
// 16 side by side: for a batch of small objects that costs less than one
// worker's wakeup per object. Every result is OK.
std::vector<HashResult> HashInMemory(std::span<const HashJob> jobs);

class HashPool {
 public:
  // `threads` workers, at least one.
  HashPool(int threads, std::function<void()> on_result);
  // Stop()s.
  ~HashPool();
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  // The workers a pool should have on this machine: one core is the event
  // loop's, the others hash (at least one worker, at most 8).
  static int DefaultThreads();

  // Jobs for different hashers (one job per hasher at a time), with one
  // wake-up.
  void Submit(std::span<const HashJob> jobs);
  void Submit(const HashJob& job) { Submit(std::span(&job, 1)); }
  // The results ready so far, in no particular order.
  std::vector<HashResult> TakeResults();
  // Jobs submitted whose results have not been taken.
  size_t pending() const { return pending_; }
  // Ends the workers; every job not finished gets a kCancelled result.
  void Stop();

 private:
  void Work();
  // Reads the next piece of every lane's range (each lane its slot of
  // `buffers`) and hashes them together; moves the lanes that finished (or
  // failed) to `done`.
  void HashPieces(std::vector<HashJob>& lanes, char* buffers, std::vector<HashResult>& done);

  std::function<void()> on_result_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::deque<HashJob> queue_;        // guarded by mutex_
  std::vector<HashResult> results_;  // guarded by mutex_
  bool stopping_ = false;            // guarded by mutex_
  size_t pending_ = 0;               // the loop thread's count
  std::vector<std::thread> workers_;
};

}  // namespace s3pull::transfer
