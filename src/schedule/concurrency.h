// ConcurrencyController: how many requests to keep in flight ("--concurrency
// auto"). A pure state machine: time and measurements are parameters.
//
// Hill climbing on throughput. Every `interval` seconds the engine reports
// the body bytes received and whether the limit was what held it back (all
// slots were busy). While the limit binds and throughput keeps growing, the
// limit doubles; when throughput falls well below the best seen, the
// limit returns to the one that gave the best. Small objects are bound by
// latency, so they climb to hundreds of requests; large ones stop where the
// link or the server saturates. Nor does it climb while the event loop's
// thread is busy nearly all the time: the machine, not the limit, is then
// the bound, and more connections only cost. When that happens while the
// requests are long streams (large parts), it tries fewer: each halving is
// judged once the requests in flight before it have finished, and kept only
// if throughput held (the loop then moves the same bytes over fewer sockets
// for less CPU); one that costs throughput (a per-connection rate cap) is
// undone and not tried again. Short requests need many in flight to hide
// their latency, so they bring the limit back to where it started. A
// throttling answer (503 SlowDown) halves the limit at once and holds it for
// a while: fewer requests, not just later ones.
#pragma once

#include <cstdint>

namespace s3pull::schedule {

struct ConcurrencyOptions {
  int initial = 64;
  int min = 4;
  int max = 512;
  double interval = 0.1;            // seconds between decisions
  double throttle_hold = 2.0;       // seconds without growth after a throttle
  double saturated = 0.9;           // the loop's CPU share above which it does not climb
  uint64_t stream_bytes = 1 << 20;  // bytes per finished request that make it a long stream
  double descent_keep = 0.9;        // share of throughput a halving must keep to stay
};

class ConcurrencyController {
 public:
  explicit ConcurrencyController(const ConcurrencyOptions& options);

  int limit() const { return limit_; }

  // `bytes` of response bodies arrived.
  void OnBytes(uint64_t bytes) { interval_bytes_ += bytes; }
  // Every slot is busy and work is waiting: the limit is what holds us back.
  void OnLimitReached() { limit_bound_ = true; }
  // A request finished (its bytes were reported by OnBytes).
  void OnRequestDone() {
    ++interval_requests_;
    ++requests_since_descent_;
  }
  // Whether Tick() would decide now.
  bool Due(double now) const {
    return interval_start_ < 0 || now - interval_start_ >= options_.interval;
  }
  // Called from the event loop; decides at most once per interval. `now` is
  // a monotonic time in seconds, `loop_cpu` the CPU seconds the event loop's
  // thread has used so far.
  void Tick(double now, double loop_cpu);
  // The server asked us to slow down.
  void OnThrottled(double now);

 private:
  // The descent's part of Tick(): `cpu_bound` when every slot was busy and
  // the loop saturated. True when it decided the interval.
  bool Descend(double rate, bool cpu_bound, bool streaming);

  ConcurrencyOptions options_;
  int limit_;
  double interval_start_ = -1;
  double interval_cpu_ = 0;  // loop_cpu at interval_start_
  uint64_t interval_bytes_ = 0;
  uint64_t interval_requests_ = 0;
  bool limit_bound_ = false;  // the limit was reached during the interval
  double best_rate_ = 0;
  int best_limit_;
  double hold_until_ = 0;
  // The limit before the current series of halvings (0: none), to return to
  // when short requests come back.
  int descent_start_ = 0;
  // A halving under judgement: the limit before it (0: none), the
  // throughput then, and the requests finished since.
  int descent_from_ = 0;
  double descent_rate_ = 0;
  uint64_t requests_since_descent_ = 0;
  int floor_;  // no halving below this (one was undone there)
};

}  // namespace s3pull::schedule
