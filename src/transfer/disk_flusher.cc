// DiskFlusher; see disk_flusher.h.
#include "transfer/disk_flusher.h"

#include <algorithm>
#include <vector>

namespace s3pull::transfer {

DiskFlusher::~DiskFlusher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (worker_.joinable()) worker_.join();
}

void DiskFlusher::Append(std::shared_ptr<fs::JournalAppender> journal, std::string line) {
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(std::move(journal), std::move(line));
    if (!worker_.joinable()) worker_ = std::thread([this] { Work(); });
  }
  wake_.notify_one();
}

void DiskFlusher::Work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything written
    std::deque<Entry> batch;
    batch.swap(queue_);
    lock.unlock();
    // The lines of each file together, in their order: one flush for them.
    std::vector<Entry> by_file;
    for (Entry& entry : batch) {
      auto same = [&](const Entry& e) { return e.first == entry.first; };
      auto it = std::find_if(by_file.begin(), by_file.end(), same);
      if (it == by_file.end()) {
        by_file.push_back(std::move(entry));
      } else {
        it->second += entry.second;
      }
    }
    for (const auto& [journal, lines] : by_file) {
      (void)journal->Append(lines);  // a line lost costs the next run one part
    }
    lock.lock();
  }
}

}  // namespace s3pull::transfer
