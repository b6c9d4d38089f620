// LoopSpreader: when a run starts one more event loop. A pure state
// machine: time and CPU readings are parameters.
//
// One event loop drives many transfers from one thread. With many small
// objects, the work per request can fill that thread's core while other
// cores idle; then a second loop, on its own thread with its own
// connections, takes objects the first has not started (work_share.h).
// Every `interval` seconds the first loop reports its thread's CPU time,
// the machine's idle CPU time, and whether objects waited for a request
// slot. Another loop is due when that thread was busy nearly all the time,
// objects waited, and the machine had most of a core idle, up to
// `max_loops`. The idle time is the machine's, not the process's: when a
// server on the same machine, or other jobs, keep the other cores busy, a
// second loop would only take CPU from them.
#pragma once

#include <optional>

namespace s3pull::schedule {

struct LoopSpreadOptions {
  int max_loops = 1;
  double interval = 0.25;   // seconds between judgements
  double busy = 0.9;        // the loop's share of a core that counts as saturated
  double idle_cores = 0.8;  // idle CPU, in cores, the machine must have to spare
};

class LoopSpreader {
 public:
  explicit LoopSpreader(const LoopSpreadOptions& options) : options_(options) {}

  // Objects waited for a request slot (call as often as it happens).
  void OnWorkWaiting() { work_waited_ = true; }
  bool Due(double now) const { return start_ < 0 || now - start_ >= options_.interval; }
  // Judges the interval that ends now: `now` monotonic seconds, `loop_cpu`
  // the CPU seconds the first loop's thread has used so far, `machine_idle`
  // the machine's idle CPU seconds so far (summed over its cores). True when
  // one more loop should start now; loops() then counts it.
  bool Tick(double now, double loop_cpu, double machine_idle);
  int loops() const { return loops_; }

 private:
  LoopSpreadOptions options_;
  int loops_ = 1;
  double start_ = -1;  // the interval's start (-1: none yet)
  double start_cpu_ = 0;
  double start_idle_ = 0;
  bool work_waited_ = false;
};

// The machine's idle CPU seconds since boot, summed over its cores (from
// /proc/stat); nullopt where that cannot be read.
std::optional<double> MachineIdleSeconds();

}  // namespace s3pull::schedule
