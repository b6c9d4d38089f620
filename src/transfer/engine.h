// The engine: runs a DownloadPlan over an HttpClient from an event loop.
//
// It turns scheduler actions into signed S3 requests, hands each response to
// the ObjectDownload it belongs to, and reports one ObjectResult per object.
// Listing pages feed the scheduler as they arrive, so downloads start before
// a listing ends. When one loop's thread cannot keep up (many small objects
// on a machine with idle cores), more loops take objects the first has not
// started, each on its own thread (loop_spread.h, work_share.h).
//
// One object's download (the design in short):
//   1. a listing page or the plan names the object; the scheduler hands it
//      out (StartObject) when a request slot is free;
//   2. its ObjectDownload plans the first request: one plain GET, the first
//      of its ranged parts (the others are queued ahead of new objects), or a
//      ranged GET that discovers the size; nothing touches the disk yet;
//   3. on the first good reply the temporary file is created beside the
//      final path and preallocated; each body is written at its offset as it
//      arrives (never held in memory); an error reply's (capped) body is kept
//      for the message instead;
//   4. as the bytes from byte 0 on are in (as they arrive, or as the parts
//      before them finish), worker threads read them back and hash them,
//      many objects side by side (hash_pool.h); the object's last request
//      keeps its slot until they are done, so a checksum mismatch can be
//      retried;
//   5. when no part is outstanding: every byte received and verified, each
//      reply what was asked -> rename to the final path; otherwise the
//      temporary file is removed and the first error reported.
#pragma once

#include <atomic>
#include <ctime>
#include <functional>
#include <memory>
#include <optional>

#include "auth/credential_source.h"
#include "http/http_client.h"
#include "s3/requests.h"
#include "s3pull/downloader.h"
#include "s3pull/listing.h"
#include "transfer/loop_pool.h"
#include "transfer/plan_intake.h"
#include "transfer/verifier.h"

namespace s3pull::transfer {

struct EngineConfig {
  s3::Endpoint endpoint;
  std::shared_ptr<auth::CredentialSource> credentials;  // null = anonymous requests
  int concurrency = 0;  // requests in flight; 0 = adaptive (ConcurrencyController)
  // Event loops, each on its own thread with its own connections: 0 = one,
  // and one more (up to one per core) while the last one added saturates
  // its core and the machine has a core idle (loop_spread.h); N = N from
  // the start. Either way at most `concurrency` when that is fixed, which
  // the loops then share.
  int event_loops = 0;
  uint64_t part_size = 8 * 1024 * 1024;              // bytes per ranged GET of a large object
  int max_retries = 5;                               // per request (retry.h says which failures)
  ChecksumMode checksum_mode = ChecksumMode::kAuto;  // verifier.h
  int hash_threads = 0;  // workers that hash for verification; 0 = HashPool::DefaultThreads()
  bool fsync = false;    // each file (then its folder) is flushed to disk before it is reported
  // Local copies that an earlier run finished, unchanged since, of the
  // current version are not fetched again (object_download.h).
  bool skip_unchanged = true;
  double backoff_base = 0.1;  // seconds; the first retry waits up to this
  // Seconds between Observer::OnProgress calls (and one at the end); 0 = none.
  double progress_interval = 0;
  std::function<std::time_t()> clock = [] { return std::time(nullptr); };  // for signing
  // When set and true, the run stops: transfers in flight end as cancelled,
  // their temporary files are removed, nothing new starts. Async-signal-safe
  // to set.
  const std::atomic<bool>* cancel = nullptr;
};

// Runs `plan` to the end; every object of it gets exactly one OnObjectDone(),
// on the calling thread. The first event loop runs on the calling thread
// over `http`; with `more_loops` set, more loops may run (event_loops), each
// over a client it makes. Without it the run has one loop.
Summary RunPlan(const EngineConfig& config, http::HttpClient& http, const DownloadPlan& plan,
                Observer& observer, const HttpClientFactory& more_loops = {});

// What RunListing() tells: every entry, and (OnObjectDone, is_listing) a
// listing that fails or is cancelled.
class ListingObserver : public Observer {
 public:
  virtual void OnListed(const ListedEntry& entry) = 0;
};

// Lists `listing` to the end in one event loop, on the calling thread.
Summary RunListing(const EngineConfig& config, http::HttpClient& http, const ListingSource& listing,
                   ListingObserver& observer);

}  // namespace s3pull::transfer
