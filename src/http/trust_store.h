// TrustStore: the certificates that verify servers, loaded once per run.
//
// libcurl (7.88, OpenSSL) builds a fresh certificate store for every new TLS
// connection from the CA file and the CA folder it is given: with the
// system's bundle (~150 certificates) that is milliseconds of CPU and about
// a megabyte per connection, and a run opens hundreds. A TrustStore parses
// the bundle once; CurlHttpClient hands the same store to every connection
// of every event loop through libcurl's SSL-context callback, with no CA file
// or folder of libcurl's own, so nothing is parsed again.
//
// Which certificates: the given bundle alone (--ca-bundle, AWS_CA_BUNDLE),
// as the AWS CLI does; otherwise the system's, i.e. libcurl's own default CA
// file and CA folder (the folder is searched by subject hash, lazily, only
// for an issuer the file lacks).
//
// Threading: Load() on any thread; the store is then read-only and shared
// by all threads (OpenSSL locks its lookups).
#pragma once

#include <memory>
#include <string>

#include "s3pull/status.h"

namespace s3pull::http {

class TrustStore {
 public:
  // Reads `ca_bundle` (PEM), or the system's certificates when it is "".
  // Fails when a file cannot be read or holds no certificate, or when
  // libcurl's TLS library is not OpenSSL (nothing to share the store with;
  // see Usable()).
  static Result<std::shared_ptr<const TrustStore>> Load(const std::string& ca_bundle);

  // True when libcurl does TLS with OpenSSL, the library this store is for.
  static bool Usable();

  ~TrustStore();
  TrustStore(const TrustStore&) = delete;
  TrustStore& operator=(const TrustStore&) = delete;

  // The OpenSSL X509_STORE, for the SSL-context callback; shared, never
  // changed after Load().
  void* x509_store() const { return store_; }
  // Where the certificates came from, for error messages.
  const std::string& source() const { return source_; }
  // Certificates read by Load() (a CA folder's are read later, when looked up).
  int certificates_loaded() const { return certificates_loaded_; }

 private:
  TrustStore(void* store, std::string source, int certificates_loaded)
      : store_(store), source_(std::move(source)), certificates_loaded_(certificates_loaded) {}
  void* store_;  // X509_STORE*, kept opaque so this header needs no OpenSSL
  std::string source_;
  int certificates_loaded_;
};

}  // namespace s3pull::http
