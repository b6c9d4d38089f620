// What a run reports: one ObjectResult per object as it finishes (through an
// Observer), and a Summary at the end.
#pragma once

#include <cstdint>
#include <string>

#include "s3pull/status.h"

namespace s3pull {

// How an object's part of a run ended.
enum class Outcome {
  kDownloaded,  // written, verified, at `path`
  kUnchanged,   // not fetched: the local copy an earlier run finished is current
  kFailed,      // `status` says why; nothing of it is at `path`
  kCancelled,   // Cancel() stopped it: in flight (`started`) or before it began
};

// Exactly one per object of a plan (and one per listing that did not end
// well), also when the run is cancelled.
struct ObjectResult {
  std::string bucket;
  std::string key;   // for a listing: the prefix (or glob)
  std::string path;  // local path ("" when refused before one was chosen, or in memory)
  uint64_t bytes = 0;
  bool is_listing = false;  // a listing that failed or was cut short, not one object
  Status status;            // OK when downloaded or unchanged; kCancelled when cancelled
  Outcome outcome = Outcome::kFailed;
  bool started = false;  // a request for it was sent
  // An object kept in memory (ObjectSource::to_memory, without a buffer):
  // its bytes when downloaded, verified; empty otherwise.
  std::string data = {};
  std::string version_id = {};  // the version asked for (ObjectSource::version_id)
};

struct Summary {
  uint64_t objects = 0;    // results reported, listings that failed included
  uint64_t succeeded = 0;  // downloaded
  uint64_t unchanged = 0;  // not fetched: the local copy was current
  uint64_t failed = 0;
  uint64_t cancelled = 0;  // stopped by Cancel(), in flight or before they began
  uint64_t bytes = 0;
  double seconds = 0;
  uint64_t retries = 0;      // requests sent again after a transient failure
  bool interrupted = false;  // Cancel() stopped the run
  // Not OK when the run could not go on (out of memory): then objects
  // without a result were not downloaded.
  Status error;
};

// How far a run has got, for a progress display. Counts only grow.
struct Progress {
  uint64_t objects_found = 0;    // known so far: named in the plan, or listed
  bool listing_done = false;     // no more will be found: objects_found is the total
  uint64_t objects_started = 0;  // taken up (a request sent, or the local copy found current)
  uint64_t objects_done = 0;     // with their result reported
  // The sizes known so far (listed, or told by a first reply), failed
  // objects' included.
  uint64_t bytes_expected = 0;
  uint64_t bytes_received = 0;  // body bytes in; a range fetched again counts again
  uint64_t retries = 0;
  double seconds = 0;  // since the run began
  bool operator==(const Progress&) const = default;
};

// What a Run() tells as it goes. Its calls come on the thread that called
// Run(), one at a time; they should return quickly (the first event loop
// runs on that thread) and must not throw.
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnObjectDone(const ObjectResult& result) = 0;
  // Every ClientOptions::progress_interval_ms while the run goes on, and at
  // its end unless nothing moved since the call before. The counts are gathered as the run goes
  // (one relaxed atomic add per body chunk at most), so a call costs a copy of them.
  virtual void OnProgress(const Progress& /*progress*/) {}
};

}  // namespace s3pull
