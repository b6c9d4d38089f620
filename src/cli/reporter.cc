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
  if (result.status.ok()) {
    if (quiet_) return;
    if (result.unchanged) {
      std::fprintf(success_, "unchanged %s -> %s\n", url.c_str(), Printable(result.path).c_str());
      return;
    }
    std::fprintf(success_, "ok %s -> %s (%llu bytes)\n", url.c_str(),
                 Printable(result.path).c_str(), static_cast<unsigned long long>(result.bytes));
  } else {
    std::fprintf(stderr, "failed %s: %s\n", url.c_str(),
                 Printable(result.status.ToString()).c_str());
    if (hint_prefix_ && result.status.s3_code() == "NoSuchKey") {
      std::fprintf(stderr, "hint: to download every object under %s/, end SOURCE with '/'\n",
                   url.c_str());
    }
  }
}

void Reporter::PrintSummary(const Summary& s) const {
  // Like a failure, an interruption is said even in quiet mode.
  if (s.cancelled) {
    std::fprintf(stderr, "Interrupted: objects not yet finished were not written\n");
  }
  if (quiet_) return;
  double mb_per_s = s.seconds > 0 ? static_cast<double>(s.bytes) / 1e6 / s.seconds : 0;
  std::fprintf(
      stderr,
      "Summary: %llu objects, %llu downloaded, %llu unchanged, %llu failed, %llu bytes in %.2f s "
      "(%.1f MB/s)\n",
      static_cast<unsigned long long>(s.objects), static_cast<unsigned long long>(s.succeeded),
      static_cast<unsigned long long>(s.unchanged), static_cast<unsigned long long>(s.failed),
      static_cast<unsigned long long>(s.bytes), s.seconds, mb_per_s);
  if (s.retries > 0) {
    std::fprintf(stderr, "Retries: %llu requests were sent again after transient failures\n",
                 static_cast<unsigned long long>(s.retries));
  }
}

}  // namespace s3pull::cli
