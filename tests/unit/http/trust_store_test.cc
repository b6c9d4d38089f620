#include "http/trust_store.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace s3pull::http {
namespace {

class TrustStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    if (!TrustStore::Usable()) GTEST_SKIP() << "libcurl does not use OpenSSL here";
  }
  std::string TempFile(const std::string& text) {
    std::string path = testing::TempDir() + "trust_store_test_" +
                       testing::UnitTest::GetInstance()->current_test_info()->name();
    std::ofstream(path) << text;
    return path;
  }
};

TEST_F(TrustStoreTest, TheSystemStoreIsLibcurlsCaFileAndFolder) {
  Result<std::shared_ptr<const TrustStore>> store = TrustStore::Load("");
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  // Debian: /etc/ssl/certs/ca-certificates.crt and /etc/ssl/certs.
  EXPECT_NE((*store)->source().find("/etc/ssl/certs"), std::string::npos) << (*store)->source();
  EXPECT_GT((*store)->certificates_loaded(), 50);
}

TEST_F(TrustStoreTest, AGivenBundleIsTheOnlySource) {
  Result<std::shared_ptr<const TrustStore>> system = TrustStore::Load("");
  ASSERT_TRUE(system.ok());
  // The system's bundle file, given by name: the same certificates, and no folder.
  std::string file = (*system)->source().substr(0, (*system)->source().find(" and "));
  Result<std::shared_ptr<const TrustStore>> given = TrustStore::Load(file);
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  EXPECT_EQ((*given)->source(), file);
  EXPECT_EQ((*given)->certificates_loaded(), (*system)->certificates_loaded());
}

TEST_F(TrustStoreTest, AMissingBundleOrAFolderSaysWhy) {
  Result<std::shared_ptr<const TrustStore>> missing = TrustStore::Load("/nonexistent/ca.pem");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "cannot read the CA bundle '/nonexistent/ca.pem': No such file or directory");
  Result<std::shared_ptr<const TrustStore>> folder = TrustStore::Load("/");
  ASSERT_FALSE(folder.ok());
  EXPECT_EQ(folder.status().message(), "cannot read the CA bundle '/': it is a folder, not a file");
}

TEST_F(TrustStoreTest, ABundleWithoutCertificatesIsRefused) {
  for (const std::string& text : {std::string(""), std::string("not a certificate\n")}) {
    std::string path = TempFile(text);
    Result<std::shared_ptr<const TrustStore>> store = TrustStore::Load(path);
    ASSERT_FALSE(store.ok()) << text;
    EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store.status().message(),
              "no certificate in the CA bundle '" + path +
                  "': a PEM file of -----BEGIN CERTIFICATE----- blocks is expected");
    std::remove(path.c_str());
  }
}

TEST_F(TrustStoreTest, ABundleWithABrokenCertificateIsRefused) {
  std::string path = TempFile("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
  Result<std::shared_ptr<const TrustStore>> store = TrustStore::Load(path);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(store.status().message().starts_with(
      "the CA bundle '" + path + "' holds a certificate that cannot be read (OpenSSL: "))
      << store.status().message();
  std::remove(path.c_str());
}

}  // namespace
}  // namespace s3pull::http
