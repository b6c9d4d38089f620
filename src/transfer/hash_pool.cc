// HashPool implementation; see hash_pool.h.
#include "transfer/hash_pool.h"

#include <algorithm>
#include <memory>
#include <string_view>

namespace s3pull::transfer {
namespace {

// Jobs a worker hashes side by side (the lanes of Md5Hasher::UpdateMany).
constexpr size_t kLanes = 16;
// Bytes of each lane read back per round: large enough for few reads, small
// enough that 16 lanes' buffers stay at 2 MiB.
constexpr size_t kPiece = 128 * 1024;

}  // namespace

std::vector<HashResult> HashInMemory(std::span<const HashJob> jobs) {
  std::vector<HashResult> results;
  results.reserve(jobs.size());
  checksum::Hasher* hashers[kLanes];
  std::string_view inputs[kLanes];
  for (size_t at = 0; at < jobs.size(); at += kLanes) {
    size_t count = std::min(kLanes, jobs.size() - at);
    for (size_t i = 0; i < count; ++i) {
      const HashJob& job = jobs[at + i];
      hashers[i] = job.hasher;
      inputs[i] = std::string_view(job.bytes, job.end - job.first);
      results.push_back({job.id, Status::Ok()});
    }
    checksum::UpdateEach(std::span(hashers, count), std::span(inputs, count));
  }
  return results;
}

HashPool::HashPool(int threads, std::function<void()> on_result)
    : on_result_(std::move(on_result)) {
  for (int i = 0; i < std::max(1, threads); ++i) workers_.emplace_back([this] { Work(); });
}

HashPool::~HashPool() { Stop(); }

int HashPool::DefaultThreads() {
  int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores - 1, 1, 8);
}

void HashPool::Submit(std::span<const HashJob> jobs) {
  if (jobs.empty()) return;
  pending_ += jobs.size();
  {
    std::lock_guard lock(mutex_);
    queue_.insert(queue_.end(), jobs.begin(), jobs.end());
  }
  if (jobs.size() > 1) {
    work_ready_.notify_all();
  } else {
    work_ready_.notify_one();
  }
}

std::vector<HashResult> HashPool::TakeResults() {
  std::vector<HashResult> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(results_);
  }
  pending_ -= taken.size();
  return taken;
}

void HashPool::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  // Jobs never picked up.
  Status cancelled(StatusCode::kCancelled, "interrupted");
  for (const HashJob& job : queue_) results_.push_back({job.id, cancelled});
  queue_.clear();
}

void HashPool::Work() {
  // One slot per lane, reused for every piece: a piece is hashed in the
  // round that read it.
  auto buffers = std::make_unique_for_overwrite<char[]>(kLanes * kPiece);
  std::vector<HashJob> lanes;
  std::vector<HashResult> done;
  std::unique_lock lock(mutex_);
  for (;;) {
    while (lanes.size() < kLanes && !queue_.empty()) {
      lanes.push_back(queue_.front());
      queue_.pop_front();
    }
    if (stopping_) {
      for (const HashJob& job : lanes) {
        results_.push_back({job.id, Status(StatusCode::kCancelled, "interrupted")});
      }
      return;
    }
    if (lanes.empty()) {
      work_ready_.wait(lock);
      continue;
    }
    lock.unlock();
    HashPieces(lanes, buffers.get(), done);
    lock.lock();
    if (!done.empty()) {
      results_.insert(results_.end(), done.begin(), done.end());
      done.clear();
      lock.unlock();
      on_result_();
      lock.lock();
    }
  }
}

void HashPool::HashPieces(std::vector<HashJob>& lanes, char* buffers,
                          std::vector<HashResult>& done) {
  std::vector<checksum::Hasher*> hashers;
  std::vector<std::string_view> pieces;
  char* slot = buffers;
  for (HashJob& job : lanes) {
    size_t size = static_cast<size_t>(std::min<uint64_t>(kPiece, job.end - job.first));
    if (job.bytes != nullptr) {
      pieces.emplace_back(job.bytes, size);
      job.bytes += size;
    } else if (Status read = job.file->ReadAt(job.first, slot, size); read.ok()) {
      pieces.emplace_back(slot, size);
      slot += kPiece;
    } else {
      done.push_back({job.id, read});
      job.end = job.first;  // dropped below
      continue;
    }
    hashers.push_back(job.hasher);
    job.first += size;
    if (job.first == job.end) done.push_back({job.id, Status::Ok()});
  }
  checksum::UpdateEach(hashers, pieces);
  std::erase_if(lanes, [](const HashJob& job) { return job.first == job.end; });
}

}  // namespace s3pull::transfer
