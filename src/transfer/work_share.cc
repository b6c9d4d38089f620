// WorkShare implementation; see work_share.h.
#include "transfer/work_share.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace s3pull::transfer {

void WorkShare::Offer(std::vector<schedule::ObjectTask> tasks) {
  std::vector<std::function<void()>> to_wake;
  {
    std::lock_guard lock(mutex_);
    for (schedule::ObjectTask& task : tasks) offered_.push_back(std::move(task));
    for (size_t i = 0; i < asked_.size(); ++i) {
      if (asked_[i] > 0) to_wake.push_back(wakes_[i]);
      asked_[i] = 0;
    }
    wanted_.store(0, std::memory_order_relaxed);
  }
  for (const auto& wake : to_wake) wake();
}

void WorkShare::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  WakeHelpers();
}

std::vector<ObjectResult> WorkShare::TakeResults() {
  std::lock_guard lock(mutex_);
  std::vector<ObjectResult> taken;
  taken.swap(results_);
  return taken;
}

std::vector<schedule::ObjectTask> WorkShare::TakeBackOffered() {
  std::lock_guard lock(mutex_);
  std::vector<schedule::ObjectTask> taken(std::make_move_iterator(offered_.begin()),
                                          std::make_move_iterator(offered_.end()));
  offered_.clear();
  return taken;
}

bool WorkShare::HelpersDone() const {
  std::lock_guard lock(mutex_);
  return left_ == static_cast<int>(wakes_.size());
}

uint64_t WorkShare::helper_retries() const {
  std::lock_guard lock(mutex_);
  return helper_retries_;
}

void WorkShare::WakeHelpers() {
  std::vector<std::function<void()>> to_wake;
  {
    std::lock_guard lock(mutex_);
    to_wake = wakes_;
  }
  for (const auto& wake : to_wake) wake();
}

int WorkShare::Join(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  wakes_.push_back(std::move(wake));
  asked_.push_back(0);
  loops_.fetch_add(1, std::memory_order_relaxed);
  return static_cast<int>(wakes_.size());
}

std::vector<schedule::ObjectTask> WorkShare::Take(int helper, size_t count) {
  std::vector<schedule::ObjectTask> taken;
  bool wake_first = false;
  {
    std::lock_guard lock(mutex_);
    size_t n = std::min(count, offered_.size());
    taken.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      taken.push_back(std::move(offered_.front()));
      offered_.pop_front();
    }
    asked_[helper - 1] = closed_ ? 0 : count - n;
    size_t wanted = std::accumulate(asked_.begin(), asked_.end(), size_t{0});
    // Wake the first loop when asking starts, not on every turn that asks.
    wake_first = wanted > 0 && wanted_.load(std::memory_order_relaxed) == 0;
    wanted_.store(wanted, std::memory_order_relaxed);
  }
  if (wake_first) wake_first_();
  return taken;
}

bool WorkShare::Exhausted() const {
  std::lock_guard lock(mutex_);
  return closed_ && offered_.empty();
}

void WorkShare::Post(ObjectResult result) {
  bool wake_first = false;
  {
    std::lock_guard lock(mutex_);
    wake_first = results_.empty();  // the first loop takes them all at once
    results_.push_back(std::move(result));
  }
  if (wake_first) wake_first_();
}

void WorkShare::Leave(int helper, uint64_t retries) {
  {
    std::lock_guard lock(mutex_);
    asked_[helper - 1] = 0;
    wanted_.store(std::accumulate(asked_.begin(), asked_.end(), size_t{0}),
                  std::memory_order_relaxed);
    helper_retries_ += retries;
    ++left_;
    loops_.fetch_sub(1, std::memory_order_relaxed);
  }
  wake_first_();
}

}  // namespace s3pull::transfer
