// Reporter: prints one line per finished object and the closing summary.
//
//   ok s3://BUCKET/KEY -> PATH (N bytes)                           (success stream)
//   unchanged s3://BUCKET/KEY -> PATH                              (success stream)
//   failed s3://BUCKET/KEY: NoSuchKey (HTTP 404): The specified... (stderr)
//   Summary: T objects, K downloaded, U unchanged, F failed, B bytes in S s (M MB/s)  (stderr)
//
// After Ctrl-C, objects cancelled get no line of their own: one line says
// how many were stopped midway and how many never started.
//
// Successes go to stdout, or to stderr when stdout carries object data
// ("cp s3://b/k -"). Quiet mode prints failures (and an interruption) only. Control characters in
// keys and paths are shown as \xNN so that one result is always one line.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

#include "s3pull/downloader.h"

namespace s3pull::cli {

// `text` with control characters shown as \xNN, so that it prints on one line.
std::string Printable(std::string_view text);

class Reporter final : public Observer {
 public:
  Reporter(std::FILE* success_stream, bool quiet) : success_(success_stream), quiet_(quiet) {}
  // For "cp s3://b/KEY": a missing KEY may be a folder the user meant to copy.
  void HintPrefixOnMissingKey() { hint_prefix_ = true; }
  void OnObjectDone(const ObjectResult& result) override;
  void PrintSummary(const Summary& summary) const;

 private:
  std::FILE* success_;
  bool quiet_;
  bool hint_prefix_ = false;
  bool hinted_trust_ = false;
  uint64_t stopped_midway_ = 0;  // cancelled after a request went out
};

}  // namespace s3pull::cli
