// "s3pull cp SOURCE DEST": download a prefix, a glob, one key or a key list.
//
// The command turns its arguments into a DownloadPlan (cp_plan.h: which
// objects, which local paths), runs it with a Downloader, and prints per-object results and
// a summary through the Reporter.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/connection_flags.h"
#include "s3pull/downloader.h"
#include "s3pull/location.h"

namespace s3pull::cli {

class CpCommand {
 public:
  // Registers the "cp" subcommand, its options and its help on `app`.
  explicit CpCommand(CLI::App& app);

  bool selected() const { return command_->parsed(); }
  // Runs the parsed command; returns the exit status.
  int Run();

 private:
  CLI::App* command_;
  std::string source_;
  std::string dest_;
  std::string from_file_;
  bool quiet_ = false;
  bool refetch_ = false;
  ConnectionFlags connection_;
};

}  // namespace s3pull::cli
