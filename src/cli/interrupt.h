// Ctrl-C and SIGTERM: stop a run cleanly instead of dying mid-write.
//
// While an InterruptGuard lives, the first SIGINT or SIGTERM cancels the
// downloader (transfers in flight end, their temporary files are removed,
// nothing new starts); a second one acts as usual and kills the process.
// Commands then exit with kExitInterrupted.
#pragma once

#include "s3pull/downloader.h"

namespace s3pull::cli {

class InterruptGuard {
 public:
  explicit InterruptGuard(Downloader& downloader);
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;
};

}  // namespace s3pull::cli
