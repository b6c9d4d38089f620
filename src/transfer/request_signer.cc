// RequestSigner implementation; see request_signer.h.
#include "transfer/request_signer.h"

#include <utility>

namespace s3pull::transfer {
namespace {

// "Thu, 26 Nov 2026 12:19:09 GMT" (RFC 7231's IMF-fixdate) as Unix time.
std::optional<std::time_t> ParseHttpDate(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  return timegm(&tm);
}

}  // namespace

RequestSigner::RequestSigner(std::shared_ptr<auth::CredentialSource> credentials,
                             std::string region, bool ask_checksums,
                             std::function<std::time_t()> clock)
    : source_(std::move(credentials)),
      scope_{std::move(region)},
      ask_checksums_(ask_checksums),
      clock_(std::move(clock)) {
  if (source_) keys_ = source_->Current();
}

const auth::Credentials& RequestSigner::Keys(std::time_t now) {
  if (keys_.renew_at != 0 && now >= keys_.renew_at) keys_ = source_->Current();
  return keys_.credentials;
}

http::Request RequestSigner::Prepare(const s3::S3Request& request, http::Headers unsigned_headers) {
  http::Request out;
  out.method = request.method;
  out.url = request.url;
  out.headers = std::move(unsigned_headers);
  // x-amz-* headers are signed: the call's own, and the one that asks S3 for
  // an object's checksums (sent only when asked for).
  auth::SigningRequest signing;
  signing.headers = request.headers;
  if (ask_checksums_) signing.headers.emplace_back("x-amz-checksum-mode", "ENABLED");
  out.headers.insert(out.headers.end(), signing.headers.begin(), signing.headers.end());
  if (!source_) return out;
  signing.method = request.method;
  signing.host = request.host;
  signing.canonical_uri = request.canonical_uri;
  signing.canonical_query = request.canonical_query;
  std::time_t now = clock_();
  auth::SignedHeaders signed_headers =
      auth::Sign(signing, Keys(now), scope_, now + clock_offset_, &key_cache_);
  for (auto& header : signed_headers.headers) out.headers.push_back(std::move(header));
  return out;
}

bool RequestSigner::AdoptServerClock(const http::Headers& reply_headers) {
  const std::string* date = http::FindHeader(reply_headers, "date");
  std::optional<std::time_t> server_time = date ? ParseHttpDate(*date) : std::nullopt;
  if (!server_time) return false;
  clock_offset_ = *server_time - clock_();
  return true;
}

}  // namespace s3pull::transfer
