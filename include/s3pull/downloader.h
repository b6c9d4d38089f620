// The s3pull C++ API: download prefixes, globs and lists of keys in parallel.
//
//   s3pull::ClientOptions options;                 // defaults: AWS, credential chain
//   auto downloader = s3pull::Downloader::Create(options);
//   if (!downloader.ok()) { ... downloader.status().ToString() ... }
//   s3pull::DownloadPlan plan;
//   plan.prefixes.push_back({"bucket", "data/", "", "/tmp/out"});
//   MyObserver observer;                           // called as each object finishes
//   s3pull::Summary summary = (*downloader)->Run(plan, observer);
//
// Every object is written to a temporary file in its destination directory
// and renamed to its final path only once complete and length-verified; a
// failed object leaves nothing behind. One object's failure never stops the
// others. Run() blocks; observer callbacks run on the calling thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "s3pull/options.h"
#include "s3pull/plan.h"
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
  std::string path;  // local path ("" when refused before one was chosen)
  uint64_t bytes = 0;
  bool is_listing = false;  // a listing that failed or was cut short, not one object
  Status status;            // OK when downloaded or unchanged; kCancelled when cancelled
  Outcome outcome = Outcome::kFailed;
  bool started = false;  // a request for it was sent
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

// One entry of a list-only source, in the server's order.
struct ListedEntry {
  std::string bucket;
  std::string key;  // the object's key, or the common prefix (ending in the delimiter)
  uint64_t size = 0;
  bool is_prefix = false;
};

class Observer {
 public:
  virtual ~Observer() = default;
  virtual void OnObjectDone(const ObjectResult& result) = 0;
  virtual void OnListed(const ListedEntry& /*entry*/) {}
};

class Downloader {
 public:
  // Resolves region, endpoint and credentials (ClientOptions explains how).
  // Fails with kInvalidArgument for a bad endpoint or profile, or when signing
  // is on and no credentials are found.
  static Result<std::unique_ptr<Downloader>> Create(const ClientOptions& options);
  virtual ~Downloader() = default;

  // Every object of `plan` gets exactly one OnObjectDone(). Runs may follow
  // one another on the same Downloader (one at a time); connections are
  // kept between them. No exception leaves Run() (nor Create()), except
  // those an Observer throws, which it should not.
  virtual Summary Run(const DownloadPlan& plan, Observer& observer) = 0;
  // Stops the Run() in progress soon (or, with none in progress, the next
  // one at its start): nothing new starts, objects in flight end as
  // cancelled and leave no files (but the resumable state of large ones),
  // and every object not begun is reported cancelled too. Safe to call
  // from a signal handler or another thread.
  virtual void Cancel() = 0;
};

}  // namespace s3pull
