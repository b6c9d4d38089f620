// Shared connection flags; see connection_flags.h.
#include "cli/connection_flags.h"

#include <iostream>
#include <map>

#include "cli/exit_codes.h"

namespace s3pull::cli {

void ConnectionFlags::Add(CLI::App* command) {
  command->add_option("--endpoint-url", options_.endpoint_url,
                      "S3-compatible endpoint, e.g. http://127.0.0.1:9000 (default: AWS S3; "
                      "env AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL). HTTPS servers are verified "
                      "against the system's CA certificates, or --ca-bundle");
  command->add_option("--ca-bundle", options_.ca_bundle,
                      "PEM file of the CA certificates to verify HTTPS servers with, instead of "
                      "the system's (default: env AWS_CA_BUNDLE)");
  command->add_flag("--no-verify-ssl", no_verify_ssl_,
                    "do not verify the certificates of HTTPS servers (unsafe: anyone on the way "
                    "can read and change the data)");
  command->add_option("--region", options_.region,
                      "region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1)");
  command->add_option(
      "--profile", options_.profile,
      "profile in ~/.aws/credentials and ~/.aws/config (default: AWS_PROFILE, default)");
  command->add_flag("--no-sign-request", no_sign_request_,
                    "send anonymous requests (public buckets); no credentials are read");
  const std::map<std::string, AddressingStyle> styles = {{"auto", AddressingStyle::kAuto},
                                                         {"path", AddressingStyle::kPath},
                                                         {"virtual", AddressingStyle::kVirtual}};
  command
      ->add_option("--addressing-style", options_.addressing_style,
                   "auto (virtual-hosted on AWS, path-style on a custom endpoint), path, or "
                   "virtual (BUCKET.HOST, also on a custom endpoint with a DNS name)")
      ->transform(CLI::CheckedTransformer(styles))
      ->default_str("auto");
}

ClientOptions& ConnectionFlags::options() {
  options_.sign_requests = !no_sign_request_;
  options_.verify_tls = !no_verify_ssl_;
  // (Said once, and not for a plain-HTTP endpoint, where it changes nothing.)
  bool https = !options_.endpoint_url.starts_with("http://");
  if (no_verify_ssl_ && https && !warned_insecure_) {
    std::cerr << "s3pull: warning: --no-verify-ssl: HTTPS servers are not verified\n";
    warned_insecure_ = true;
  }
  return options_;
}

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "s3pull " << command << ": " << message << "\nRun 's3pull " << command
            << " --help' for usage and examples.\n";
  return kExitUsage;
}

}  // namespace s3pull::cli
