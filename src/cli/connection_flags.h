// The flags every command shares: where S3 is and who we are.
//
//   --endpoint-url, --ca-bundle, --no-verify-ssl, --region, --profile,
//   --no-sign-request, --addressing-style
//
// Register them on a subcommand with Add(); after parsing, options() holds
// them in a ClientOptions for Downloader::Create (and the first call warns
// on stderr when TLS verification is off).
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "s3pull/options.h"

namespace s3pull::cli {

class ConnectionFlags {
 public:
  void Add(CLI::App* command);
  // The parsed flags; fields no flag sets keep their defaults.
  ClientOptions& options();

 private:
  ClientOptions options_;
  bool no_sign_request_ = false;
  bool no_verify_ssl_ = false;
  bool warned_insecure_ = false;
};

// Prints "s3pull COMMAND: MESSAGE" and the help hint on stderr; returns the
// usage exit status.
int UsageError(const std::string& command, const std::string& message);

}  // namespace s3pull::cli
