// DiskFlusher: the resume journal's writes, on a thread of their own.
//
// Recording a finished part flushes the file's data to disk first
// (fdatasync, journal_appender.h), which takes tens of milliseconds on a
// real disk: on the event loop it would stall every transfer of the loop.
// The loop hands the line over instead. One worker thread, started on first
// use, writes the lines in the order given, with one flush per file for all
// the lines waiting for it. The destructor writes what waits, then stops. A
// write that fails is dropped: the next run fetches that part again.
//
// Threading: Append() from any thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

#include "fs/journal_appender.h"

namespace s3pull::transfer {

class DiskFlusher {
 public:
  DiskFlusher() = default;
  ~DiskFlusher();
  DiskFlusher(const DiskFlusher&) = delete;
  DiskFlusher& operator=(const DiskFlusher&) = delete;

  void Append(std::shared_ptr<fs::JournalAppender> journal, std::string line);

 private:
  using Entry = std::pair<std::shared_ptr<fs::JournalAppender>, std::string>;
  void Work();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Entry> queue_;  // guarded by mutex_
  bool stopping_ = false;    // guarded by mutex_
  std::thread worker_;       // started by the first Append()
};

}  // namespace s3pull::transfer
