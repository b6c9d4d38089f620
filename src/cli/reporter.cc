// Reporter implementation; see reporter.h.
#include "cli/reporter.h"

#include <string>
#include <string_view>

namespace s3pull::cli {

std::string Printable(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c < 0x20 || c == 0x7f) {
      static const char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

void Reporter::OnObjectDone(const ObjectResult& result) {
  std::string url = Printable("s3://" + result.bucket + "/" + result.key);
  switch (result.outcome) {
    case Outcome::kDownloaded:
      if (quiet_) return;
      std::fprintf(success_, "ok %s -> %s (%llu bytes)\n", url.c_str(),
                   Printable(result.path).c_str(), static_cast<unsigned long long>(result.bytes));
      return;
    case Outcome::kUnchanged:
      if (quiet_) return;
      std::fprintf(success_, "unchanged %s -> %s\n", url.c_str(), Printable(result.path).c_str());
      return;
    case Outcome::kCancelled:
      if (result.started) ++stopped_midway_;
      return;
    case Outcome::kFailed:
      std::fprintf(stderr, "failed %s: %s\n", url.c_str(),
                   Printable(result.status.ToString()).c_str());
      if (hint_prefix_ && result.status.s3_code() == "NoSuchKey") {
        std::fprintf(stderr, "hint: to download every object under %s/, end SOURCE with '/'\n",
                     url.c_str());
      }
      if (!hinted_trust_ && result.status.code() == StatusCode::kTlsError &&
          result.status.message().find("certificate problem") != std::string::npos) {
        hinted_trust_ = true;
        std::fprintf(stderr,
                     "hint: to trust another CA, set AWS_CA_BUNDLE to a PEM file holding it (and "
                     "the system's certificates, to trust both); SSL_CERT_FILE and "
                     "CURL_CA_BUNDLE are not read\n");
      }
      return;
  }
}

void Reporter::PrintSummary(const Summary& s) const {
  // Like a failure, an interruption is said even in quiet mode.
  if (!s.error.ok()) std::fprintf(stderr, "s3pull: %s\n", s.error.ToString().c_str());
  if (s.interrupted) {
    std::fprintf(stderr,
                 "Interrupted: %llu objects stopped midway and %llu not started were not written; "
                 "the same command picks up what is missing\n",
                 static_cast<unsigned long long>(stopped_midway_),
                 static_cast<unsigned long long>(s.cancelled - stopped_midway_));
  }
  if (quiet_) return;
  double mb_per_s = s.seconds > 0 ? static_cast<double>(s.bytes) / 1e6 / s.seconds : 0;
  std::fprintf(
      stderr,
      "Summary: %llu objects, %llu downloaded, %llu unchanged, %llu failed, %s%llu bytes in %.2f s "
      "(%.1f MB/s)\n",
      static_cast<unsigned long long>(s.objects), static_cast<unsigned long long>(s.succeeded),
      static_cast<unsigned long long>(s.unchanged), static_cast<unsigned long long>(s.failed),
      s.interrupted ? (std::to_string(s.cancelled) + " cancelled, ").c_str() : "",
      static_cast<unsigned long long>(s.bytes), s.seconds, mb_per_s);
  if (s.retries > 0) {
    std::fprintf(stderr, "Retries: %llu requests were sent again after transient failures\n",
                 static_cast<unsigned long long>(s.retries));
  }
}

}  // namespace s3pull::cli
