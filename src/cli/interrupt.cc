// InterruptGuard implementation; see interrupt.h.
#include "cli/interrupt.h"

#include <csignal>

namespace s3pull::cli {
namespace {

Downloader* g_downloader = nullptr;

extern "C" void OnInterrupt(int signal_number) {
  // Downloader::Cancel() only stores an atomic flag: async-signal-safe.
  if (g_downloader != nullptr) g_downloader->Cancel();
  std::signal(signal_number, SIG_DFL);  // a second signal kills at once
}

}  // namespace

InterruptGuard::InterruptGuard(Downloader& downloader) {
  g_downloader = &downloader;
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
}

InterruptGuard::~InterruptGuard() {
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  g_downloader = nullptr;
}

}  // namespace s3pull::cli
