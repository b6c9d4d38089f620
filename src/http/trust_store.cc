// TrustStore implementation; see trust_store.h.
#include "http/trust_store.h"

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

namespace s3pull::http {
namespace {

// Why OpenSSL could not load the bundle `quoted`, from its last error (the
// error queue is emptied).
std::string LoadError(const std::string& quoted) {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0 || ERR_GET_REASON(code) == X509_R_NO_CERTIFICATE_OR_CRL_FOUND) {
    return "no certificate in the CA bundle " + quoted +
           ": a PEM file of -----BEGIN CERTIFICATE----- blocks is expected";
  }
  const char* reason = ERR_reason_error_string(code);
  return "the CA bundle " + quoted + " holds a certificate that cannot be read (OpenSSL: " +
         (reason != nullptr ? reason : "unknown error") + ")";
}

// Why `path` cannot be read as a file; "" when it can.
std::string UnreadableReason(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) return "it is a folder, not a file";
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return std::strerror(errno);
  std::fclose(f);
  return "";
}

// libcurl's built-in CA file and folder ("" when it has none).
struct CurlDefaults {
  std::string ca_file;
  std::string ca_path;
};

CurlDefaults DefaultLocations() {
  CurlDefaults defaults;
  CURL* easy = curl_easy_init();
  if (easy == nullptr) return defaults;
  char* value = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CAINFO, &value) == CURLE_OK && value != nullptr)
    defaults.ca_file = value;
  value = nullptr;
  if (curl_easy_getinfo(easy, CURLINFO_CAPATH, &value) == CURLE_OK && value != nullptr)
    defaults.ca_path = value;
  curl_easy_cleanup(easy);
  return defaults;
}

int CertificateCount(X509_STORE* store) {
  int count = 0;
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509_OBJECT_get_type(sk_X509_OBJECT_value(objects, i)) == X509_LU_X509) ++count;
  }
  return count;
}

}  // namespace

bool TrustStore::Usable() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  return info != nullptr && info->ssl_version != nullptr &&
         std::string_view(info->ssl_version).starts_with("OpenSSL/");
}

Result<std::shared_ptr<const TrustStore>> TrustStore::Load(const std::string& ca_bundle) {
  if (!Usable()) {
    return Status(StatusCode::kInvalidArgument, "libcurl does not use OpenSSL for TLS");
  }
  std::string file = ca_bundle;
  std::string folder;
  if (file.empty()) {
    CurlDefaults defaults = DefaultLocations();
    file = defaults.ca_file;
    folder = defaults.ca_path;
  }
  if (!file.empty()) {
    std::string why = UnreadableReason(file);
    // As libcurl: a default CA file that is not there leaves the folder.
    if (!why.empty() && ca_bundle.empty() && !folder.empty()) {
      file.clear();
    } else if (!why.empty()) {
      return Status(StatusCode::kInvalidArgument,
                    "cannot read the CA bundle '" + file + "': " + why);
    }
  }
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr) return Status(StatusCode::kIoError, "out of memory for the CA store");
  ERR_clear_error();
  if (!file.empty() && X509_STORE_load_file(store, file.c_str()) != 1) {
    std::string why = LoadError("'" + file + "'");
    X509_STORE_free(store);
    return Status(StatusCode::kInvalidArgument, why);
  }
  if (!folder.empty() && X509_STORE_load_path(store, folder.c_str()) != 1) {
    ERR_clear_error();
    X509_STORE_free(store);
    return Status(StatusCode::kInvalidArgument, "cannot use the CA folder '" + folder + "'");
  }
  int certificates = CertificateCount(store);
  if (folder.empty() && certificates == 0) {
    X509_STORE_free(store);
    return Status(StatusCode::kInvalidArgument,
                  file.empty() ? std::string("no CA certificates: libcurl names no CA file or "
                                             "folder; give one with AWS_CA_BUNDLE")
                               : LoadError("'" + file + "'"));
  }
  // As libcurl does for its own stores: prefer chains that end in a trusted
  // certificate, and trust an intermediate that the store holds.
  X509_STORE_set_flags(store, X509_V_FLAG_TRUSTED_FIRST | X509_V_FLAG_PARTIAL_CHAIN);
  std::string source = file;
  if (!folder.empty()) source += (source.empty() ? "" : " and ") + folder;
  return std::shared_ptr<const TrustStore>(new TrustStore(store, std::move(source), certificates));
}

TrustStore::~TrustStore() { X509_STORE_free(static_cast<X509_STORE*>(store_)); }

}  // namespace s3pull::http
