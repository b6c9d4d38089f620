// The s3pull C++ API: download prefixes, globs and lists of keys in parallel.
//
//   s3pull::ClientOptions options;                 // defaults: AWS, credential chain
//   auto downloader = s3pull::Downloader::Create(options);
//   if (!downloader.ok()) { ... downloader.status().ToString() ... }
//   s3pull::DownloadPlan plan;                     // plan.h
//   plan.AddPrefix("bucket", "data/", "/tmp/out");
//   MyObserver observer;                           // result.h: called as each object finishes
//   s3pull::Summary summary = (*downloader)->Run(plan, observer);
//
// Every object is written to a temporary file in its destination directory
// and renamed to its final path only once complete and verified; a
// failed object leaves nothing behind. One object's failure never stops the
// others. Run() blocks; observer callbacks run on the calling thread.
#pragma once

#include <functional>
#include <memory>

#include "s3pull/listing.h"
#include "s3pull/options.h"
#include "s3pull/plan.h"
#include "s3pull/result.h"
#include "s3pull/status.h"

namespace s3pull {

class Downloader {
 public:
  // Resolves region, endpoint and credentials (ClientOptions explains how).
  // Fails with kInvalidArgument for a bad endpoint or profile, or when signing
  // is on and no credentials are found.
  static Result<std::unique_ptr<Downloader>> Create(const ClientOptions& options);
  virtual ~Downloader() = default;

  // Every object of `plan` gets exactly one OnObjectDone() (but folder
  // markers, keys ending in '/' under a prefix, which become folders). Runs may follow
  // one another on the same Downloader (one at a time); connections are
  // kept between them. No exception leaves Run() (nor Create()), except
  // those an Observer throws, which it should not.
  virtual Summary Run(const DownloadPlan& plan, Observer& observer) = 0;
  // Lists without downloading: `on_entry` gets every key (and common
  // prefix), in the server's order, on the calling thread, page by page as
  // they arrive. OK when the listing ended; otherwise why it did not: the
  // server's error, kCancelled after Cancel(), kInvalidArgument for a bad
  // glob. One at a time, like Run().
  virtual Status List(const ListRequest& request,
                      const std::function<void(const ListedEntry&)>& on_entry) = 0;
  // Stops the Run() (or List()) in progress soon (or, with none in progress, the next
  // one at its start): nothing new starts, objects in flight end as
  // cancelled and leave no files (but the resumable state of large ones),
  // and every object not begun is reported cancelled too. Safe to call
  // from a signal handler or another thread.
  virtual void Cancel() = 0;
};

}  // namespace s3pull
