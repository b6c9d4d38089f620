// RetryTimer: the requests of one event loop waiting for their retry's time.
//
// The loop schedules a send after a backoff and asks, before each wait for
// the network, which sends are due and how long it may wait for the next.
// A waiting request keeps its slot (scheduler.h) and gets it back in its
// send; one that is dropped gives it back.
// Not thread-safe: each loop has its own.
#pragma once

#include <functional>
#include <map>
#include <utility>

#include "schedule/scheduler.h"

namespace s3pull::transfer {

class RetryTimer {
 public:
  using Send = std::function<void(schedule::RequestSlot)>;
  // `send` runs with `slot` at the first RunDue() at or after `due`
  // (seconds of the steady clock).
  void Schedule(double due, schedule::RequestSlot slot, Send send);
  // Runs every send whose time has come (a send may Schedule() another);
  // returns the milliseconds until the next, at most `max_wait_ms`.
  int RunDue(double now, int max_wait_ms);
  // Drops every send waiting (the run stops).
  void Clear() { waiting_.clear(); }

 private:
  struct Waiting {
    schedule::RequestSlot slot;
    Send send;
  };
  std::multimap<double, Waiting> waiting_;  // by due time
};

}  // namespace s3pull::transfer
