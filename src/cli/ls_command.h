// "s3pull ls s3://BUCKET[/PREFIX]": list keys and folders, like `aws s3 ls`.
//
// Without --recursive, the "folder" PREFIX names is listed with delimiter
// '/': one line "PRE NAME/" per common prefix, then one line "SIZE NAME" per
// object, NAME being the key less PREFIX's part up to its last '/'. With
// --recursive (or a glob), every key under the prefix, as "SIZE KEY".
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/connection_flags.h"

namespace s3pull::cli {

class LsCommand {
 public:
  explicit LsCommand(CLI::App& app);

  bool selected() const { return command_->parsed(); }
  int Run();

 private:
  CLI::App* command_;
  std::string source_;
  bool recursive_ = false;
  ConnectionFlags connection_;
};

}  // namespace s3pull::cli
