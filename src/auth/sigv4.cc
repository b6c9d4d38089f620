// AWS Signature Version 4; see sigv4.h. The functions below are the steps of
// the specification, in its order and with its names.
#include "auth/sigv4.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>

#include "common/ascii.h"
#include "common/hex.h"

namespace s3pull::auth {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view kTerminator = "aws4_request";
constexpr size_t kSha256Size = 32;
using Digest = std::array<unsigned char, kSha256Size>;

// A signer that cannot hash must not send anything: stop loudly.
void Check(int ok, const char* what) {
  if (ok != 1) {
    std::fprintf(stderr, "s3pull: OpenSSL %s failed\n", what);
    std::abort();
  }
}

// OpenSSL 3 looks an algorithm up by name on every implicit use. Fetching
// SHA-256 and HMAC once, and keeping one context of each per thread, keeps
// that lookup and the context allocations out of the per-request path.
class Crypto {
 public:
  static Crypto& ForThisThread() {
    thread_local Crypto crypto;
    return crypto;
  }

  Digest Sha256(std::string_view data) {
    Digest out;
    Check(EVP_DigestInit_ex2(md_ctx_, Sha256Md(), nullptr), "digest init");
    Check(EVP_DigestUpdate(md_ctx_, data.data(), data.size()), "digest update");
    Check(EVP_DigestFinal_ex(md_ctx_, out.data(), nullptr), "digest final");
    return out;
  }

  Digest Hmac(std::string_view key, std::string_view data) {
    Digest out;
    size_t length = 0;
    // The digest was set once on the context; init only re-keys it.
    Check(EVP_MAC_init(mac_ctx_, reinterpret_cast<const unsigned char*>(key.data()), key.size(),
                       nullptr),
          "HMAC init");
    Check(
        EVP_MAC_update(mac_ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()),
        "HMAC update");
    Check(EVP_MAC_final(mac_ctx_, out.data(), &length, out.size()), "HMAC final");
    return out;
  }

 private:
  Crypto() : md_ctx_(EVP_MD_CTX_new()), mac_ctx_(EVP_MAC_CTX_new(HmacMac())) {
    Check(md_ctx_ != nullptr && mac_ctx_ != nullptr, "context allocation");
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    Check(EVP_MAC_CTX_set_params(mac_ctx_, params), "HMAC digest selection");
  }
  ~Crypto() {
    EVP_MAC_CTX_free(mac_ctx_);
    EVP_MD_CTX_free(md_ctx_);
  }
  Crypto(const Crypto&) = delete;
  Crypto& operator=(const Crypto&) = delete;

  static const EVP_MD* Sha256Md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    Check(md != nullptr, "SHA-256 fetch");
    return md;
  }
  static EVP_MAC* HmacMac() {
    static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    Check(mac != nullptr, "HMAC fetch");
    return mac;
  }

  EVP_MD_CTX* md_ctx_;
  EVP_MAC_CTX* mac_ctx_;
};

std::string_view AsView(const Digest& digest) {
  return {reinterpret_cast<const char*>(digest.data()), digest.size()};
}

// Header names compare as their lower-case forms, byte by byte.
int CompareNames(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    auto ca = static_cast<unsigned char>(AsciiLower(a[i]));
    auto cb = static_cast<unsigned char>(AsciiLower(b[i]));
    if (ca != cb) return ca < cb ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

// Trimall: no leading or trailing blanks, inner runs of blanks become one space.
void AppendTrimmed(std::string& out, std::string_view value) {
  bool pending_space = false;
  bool wrote = false;
  for (char c : value) {
    if (IsAsciiSpace(c)) {
      pending_space = wrote;
      continue;
    }
    if (pending_space) out += ' ';
    out += c;
    pending_space = false;
    wrote = true;
  }
}

struct HeaderRef {
  std::string_view name;
  std::string_view value;
  size_t order;  // position given, so that repeated names keep their value order
};

// Step 1: the canonical request. Writes the canonical request to `out` and the
// SignedHeaders list to `signed_headers`.
void CanonicalRequest(const SigningRequest& request, std::string_view amz_date,
                      std::string_view session_token, std::string& out,
                      std::string& signed_headers) {
  // Requests carry a handful of headers: sort views of them in place
  // rather than building lower-cased copies.
  constexpr size_t kInline = 12;
  std::array<HeaderRef, kInline> inline_refs;
  std::vector<HeaderRef> heap_refs;
  size_t count =
      2 + request.content_sha256_header + !session_token.empty() + request.headers.size();
  HeaderRef* refs = inline_refs.data();
  if (count > kInline) {
    heap_refs.resize(count);
    refs = heap_refs.data();
  }
  size_t n = 0;
  auto add = [&](std::string_view name, std::string_view value) {
    refs[n] = {name, value, n};
    ++n;
  };
  add("host", request.host);
  add("x-amz-date", amz_date);
  if (request.content_sha256_header) add("x-amz-content-sha256", request.payload_sha256);
  if (!session_token.empty()) add("x-amz-security-token", session_token);
  for (const auto& [name, value] : request.headers) add(name, value);
  std::sort(refs, refs + n, [](const HeaderRef& a, const HeaderRef& b) {
    int c = CompareNames(a.name, b.name);
    return c != 0 ? c < 0 : a.order < b.order;
  });

  size_t estimate = request.method.size() + request.canonical_uri.size() +
                    request.canonical_query.size() + request.payload_sha256.size() + 8;
  for (size_t i = 0; i < n; ++i) estimate += 2 * refs[i].name.size() + refs[i].value.size() + 3;
  out.reserve(estimate);
  out.append(request.method).append("\n");
  out.append(request.canonical_uri).append("\n");
  out.append(request.canonical_query).append("\n");
  for (size_t i = 0; i < n; ++i) {
    bool repeat = i > 0 && CompareNames(refs[i - 1].name, refs[i].name) == 0;
    if (repeat) {
      out += ',';
    } else {
      if (i > 0) {
        out += '\n';
        signed_headers += ';';
      }
      for (char c : refs[i].name) {
        out += AsciiLower(c);
        signed_headers += AsciiLower(c);
      }
      out += ':';
    }
    AppendTrimmed(out, refs[i].value);
  }
  out.append("\n\n").append(signed_headers).append("\n");
  out.append(request.payload_sha256);
}

std::string CredentialScope(std::string_view date, const SigningScope& scope) {
  std::string out;
  out.reserve(date.size() + scope.region.size() + scope.service.size() + kTerminator.size() + 3);
  out.append(date).append("/").append(scope.region).append("/").append(scope.service);
  out.append("/").append(kTerminator);
  return out;
}

// Step 2: the string to sign.
std::string StringToSign(std::string_view amz_date, std::string_view credential_scope,
                         std::string_view canonical_request) {
  std::string out;
  out.reserve(kAlgorithm.size() + amz_date.size() + credential_scope.size() + 2 * kSha256Size + 3);
  out.append(kAlgorithm).append("\n").append(amz_date).append("\n");
  out.append(credential_scope).append("\n");
  AppendHex(out, Crypto::ForThisThread().Sha256(canonical_request));
  return out;
}

void PutDigits(char* out, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

// Step 3: the signing key, kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret,
// date), region), service), "aws4_request").
std::string DeriveSigningKey(std::string_view secret_access_key, std::string_view date,
                             const SigningScope& scope) {
  Crypto& crypto = Crypto::ForThisThread();
  std::string secret;
  secret.reserve(4 + secret_access_key.size());
  secret.append("AWS4").append(secret_access_key);
  Digest key = crypto.Hmac(secret, date);
  std::fill(secret.begin(), secret.end(), '\0');
  key = crypto.Hmac(AsView(key), scope.region);
  key = crypto.Hmac(AsView(key), scope.service);
  key = crypto.Hmac(AsView(key), kTerminator);
  return std::string(AsView(key));
}

const std::string& SigningKeyCache::Get(std::string_view secret_access_key, std::string_view date,
                                        const SigningScope& scope) {
  if (key_.empty() || date_ != date || region_ != scope.region || service_ != scope.service ||
      secret_ != secret_access_key) {
    key_ = DeriveSigningKey(secret_access_key, date, scope);
    secret_ = secret_access_key;
    date_ = date;
    region_ = scope.region;
    service_ = scope.service;
  }
  return key_;
}

std::string FormatAmzDate(std::time_t unix_time) {
  std::tm tm{};
  gmtime_r(&unix_time, &tm);
  std::string out(16, '\0');  // YYYYMMDDTHHMMSSZ
  PutDigits(&out[0], tm.tm_year + 1900, 4);
  PutDigits(&out[4], tm.tm_mon + 1, 2);
  PutDigits(&out[6], tm.tm_mday, 2);
  out[8] = 'T';
  PutDigits(&out[9], tm.tm_hour, 2);
  PutDigits(&out[11], tm.tm_min, 2);
  PutDigits(&out[13], tm.tm_sec, 2);
  out[15] = 'Z';
  return out;
}

SignedHeaders Sign(const SigningRequest& request, const Credentials& credentials,
                   const SigningScope& scope, std::time_t unix_time, SigningKeyCache* cache) {
  SignedHeaders result;
  std::string amz_date = FormatAmzDate(unix_time);
  std::string_view date = std::string_view(amz_date).substr(0, 8);

  std::string signed_headers;
  CanonicalRequest(request, amz_date, credentials.session_token, result.canonical_request,
                   signed_headers);
  std::string credential_scope = CredentialScope(date, scope);
  result.string_to_sign = StringToSign(amz_date, credential_scope, result.canonical_request);

  std::string derived;
  const std::string& key =
      cache != nullptr ? cache->Get(credentials.secret_access_key, date, scope)
                       : (derived = DeriveSigningKey(credentials.secret_access_key, date, scope));
  // Step 4: the signature, hex of HMAC(kSigning, StringToSign).
  result.signature.reserve(2 * kSha256Size);
  AppendHex(result.signature, Crypto::ForThisThread().Hmac(key, result.string_to_sign));

  std::string authorization;
  authorization.reserve(kAlgorithm.size() + credentials.access_key_id.size() +
                        credential_scope.size() + signed_headers.size() + result.signature.size() +
                        40);
  authorization.append(kAlgorithm).append(" Credential=").append(credentials.access_key_id);
  authorization.append("/").append(credential_scope);
  authorization.append(", SignedHeaders=").append(signed_headers);
  authorization.append(", Signature=").append(result.signature);

  result.headers.reserve(4);
  result.headers.emplace_back("x-amz-date", std::move(amz_date));
  if (request.content_sha256_header) {
    result.headers.emplace_back("x-amz-content-sha256", request.payload_sha256);
  }
  if (!credentials.session_token.empty()) {
    result.headers.emplace_back("x-amz-security-token", credentials.session_token);
  }
  result.headers.emplace_back("authorization", std::move(authorization));
  return result;
}

}  // namespace s3pull::auth
