// WorkShare: objects and results passed between the event loops of a run.
//
// The first event loop lists, reports to the observer, and starts more
// loops when one is not enough (loop_spread.h). Each further loop, a
// helper, runs on its own thread with its own connections, scheduler and
// hash workers; it takes objects the first loop has not started from here,
// and leaves its results here for the first loop to report.
//
// Handing over: a helper with room calls Take(); what it did not get is
// noted as wanted, and the first loop is woken (once) to Offer() up to that
// many objects from its queue; Offer() wakes the helpers that wait. When
// the first loop has no object left to give and its listings are done, it
// Close()s the share; a helper whose own work is done leaves once the share
// is Exhausted().
//
// Threading: every method may be called from any thread. The wake
// functions are called with no lock held.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "s3pull/downloader.h"
#include "schedule/scheduler.h"

namespace s3pull::transfer {

class WorkShare {
 public:
  // `wake_first` makes the first loop's Poll() return.
  explicit WorkShare(std::function<void()> wake_first) : wake_first_(std::move(wake_first)) {}

  // --- The first loop's side.
  // Objects helpers asked for that no Offer() has answered yet.
  size_t wanted() const { return wanted_.load(std::memory_order_relaxed); }
  void Offer(std::vector<schedule::ObjectTask> tasks);
  // No more objects will be offered.
  void Close();
  std::vector<ObjectResult> TakeResults();
  // Takes back what was offered and no helper took (the run stops).
  std::vector<schedule::ObjectTask> TakeBackOffered();
  // Every helper that joined has left (and posted all its results before).
  bool HelpersDone() const;
  // The first loop and the helpers that have joined and not left.
  int loops() const { return loops_.load(std::memory_order_relaxed); }
  // The retries of the helpers that have left.
  uint64_t helper_retries() const;
  // Makes every helper's Poll() return (to see a cancellation at once).
  void WakeHelpers();

  // --- A helper's side.
  // Registers a helper; `wake` makes its Poll() return. Returns its number
  // (1, 2, ...), which the other calls take.
  int Join(std::function<void()> wake);
  // Up to `count` objects; when there are fewer, the rest is asked for.
  std::vector<schedule::ObjectTask> Take(int helper, size_t count);
  // Closed, and nothing left to take.
  bool Exhausted() const;
  void Post(ObjectResult result);
  // The helper ends; its results are all posted.
  void Leave(int helper, uint64_t retries);

 private:
  std::function<void()> wake_first_;
  std::atomic<size_t> wanted_{0};  // the sum of asked_, readable without the lock
  std::atomic<int> loops_{1};
  mutable std::mutex mutex_;
  // Guarded by mutex_:
  std::deque<schedule::ObjectTask> offered_;
  std::vector<size_t> asked_;  // by helper number - 1: objects it asked for
  std::vector<std::function<void()>> wakes_;
  std::vector<ObjectResult> results_;
  bool closed_ = false;
  int left_ = 0;
  uint64_t helper_retries_ = 0;
};

}  // namespace s3pull::transfer
