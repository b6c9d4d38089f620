// The INI reader and the credential chain, over a fake environment.
#include "auth/credentials.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace s3pull::auth {
namespace {

constexpr char kSecrets[][24] = {"ENVSECRET", "CREDSECRET", "CONFIGSECRET", "DEVSECRET"};

// Variables and files in memory; "~/.aws/..." is just a file name here.
struct FakeSystem {
  std::map<std::string, std::string> vars;
  std::map<std::string, std::string> files;

  Environment Env() const {
    return {[this](const std::string& name) -> std::optional<std::string> {
              auto it = vars.find(name);
              if (it == vars.end()) return std::nullopt;
              return it->second;
            },
            [this](const std::string& path) -> std::optional<std::string> {
              auto it = files.find(path);
              if (it == files.end()) return std::nullopt;
              return it->second;
            }};
  }
  Result<ProfileSettings> Resolve(const std::string& explicit_profile = "") const {
    return ResolveProfile(Env(), explicit_profile);
  }
};

void ExpectNoSecretIn(const Status& status) {
  for (const char* secret : kSecrets) {
    EXPECT_EQ(status.ToString().find(secret), std::string::npos) << status.ToString();
  }
}

void ExpectKeys(const Result<ProfileSettings>& settings, const std::string& access_key_id,
                const std::string& secret, const std::string& token = "") {
  ASSERT_TRUE(settings.ok()) << settings.status().ToString();
  ASSERT_TRUE(settings->credentials.has_value());
  EXPECT_EQ(settings->credentials->access_key_id, access_key_id);
  EXPECT_EQ(settings->credentials->secret_access_key, secret);
  EXPECT_EQ(settings->credentials->session_token, token);
}

TEST(IniTest, ParsesSectionsKeysAndValues) {
  IniFile ini = ParseIni(
      "ignored = before any section\n"
      "# a comment\n"
      "; another comment\n"
      "[default]\n"
      "aws_access_key_id=AKID\n"
      "AWS_Secret_Access_Key   =   secret value with spaces   \n"
      "\n"
      "  # an indented comment\n"
      "[profile dev]\n"
      "role_arn = arn:aws:iam::123456789012:role/x=y\n"
      "note = keeps # and ; inside a value\n"
      "empty =\n"
      "not a key value line\n"
      "[ profile \t  spaced ]\r\n"
      "region = eu-west-1\r\n");
  EXPECT_EQ(ini.size(), 3u);
  EXPECT_EQ(ini["default"], (IniSection{{"aws_access_key_id", "AKID"},
                                        {"aws_secret_access_key", "secret value with spaces"}}));
  EXPECT_EQ(ini["profile dev"], (IniSection{{"role_arn", "arn:aws:iam::123456789012:role/x=y"},
                                            {"note", "keeps # and ; inside a value"},
                                            {"empty", ""}}));
  EXPECT_EQ(ini["profile spaced"], (IniSection{{"region", "eu-west-1"}}));
}

TEST(IniTest, IgnoresNestedSubSections) {
  IniFile ini = ParseIni(
      "[profile dev]\n"
      "s3 =\n"
      "    max_concurrent_requests = 20\n"
      "    region = nested-region\n"
      "\n"
      "    addressing_style = path\n"
      "region = us-west-2\n"
      "[default]\n"
      "  region = indented but not under a key\n");
  EXPECT_EQ(ini["profile dev"], (IniSection{{"s3", ""}, {"region", "us-west-2"}}));
  EXPECT_EQ(ini["default"], (IniSection{{"region", "indented but not under a key"}}));
}

TEST(IniTest, LaterValuesWin) {
  IniFile ini = ParseIni("[a]\nk = 1\n[b]\nk = 2\n[a]\nk = 3\n");
  EXPECT_EQ(ini["a"]["k"], "3");
  EXPECT_EQ(ini["b"]["k"], "2");
}

TEST(CredentialsTest, NothingConfiguredIsNotAnError) {
  FakeSystem system;
  Result<ProfileSettings> settings = system.Resolve();
  ASSERT_TRUE(settings.ok());
  EXPECT_FALSE(settings->credentials.has_value());
  EXPECT_EQ(settings->region, "");
}

TEST(CredentialsTest, EnvironmentComesFirst) {
  FakeSystem system;
  system.vars = {{"AWS_ACCESS_KEY_ID", "ENVKEY"},
                 {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"},
                 {"AWS_SESSION_TOKEN", "ENVTOKEN"}};
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n";
  system.files["~/.aws/config"] = "[default]\nregion = eu-central-1\n";
  Result<ProfileSettings> settings = system.Resolve();
  ExpectKeys(settings, "ENVKEY", "ENVSECRET", "ENVTOKEN");
  EXPECT_EQ(settings->source, "environment");
  EXPECT_EQ(settings->region, "eu-central-1");
}

TEST(CredentialsTest, EmptyVariablesCountAsUnset) {
  FakeSystem system;
  system.vars = {{"AWS_ACCESS_KEY_ID", ""}, {"AWS_PROFILE", ""}};
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n";
  ExpectKeys(system.Resolve(), "CREDKEY", "CREDSECRET");
}

TEST(CredentialsTest, ExplicitProfileSkipsTheEnvironment) {
  FakeSystem system;
  system.vars = {{"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}};
  system.files["~/.aws/credentials"] =
      "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n";
  Result<ProfileSettings> settings = system.Resolve("dev");
  ExpectKeys(settings, "DEVKEY", "DEVSECRET");
  EXPECT_EQ(settings->source, "shared credentials file (profile dev)");
}

TEST(CredentialsTest, AwsProfileSelectsTheProfileButNotOverTheEnvironment) {
  FakeSystem system;
  system.vars = {{"AWS_PROFILE", "dev"}};
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n"
      "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = DEVSECRET\n";
  system.files["~/.aws/config"] = "[profile dev]\nregion = ap-south-1\n";
  Result<ProfileSettings> settings = system.Resolve();
  ExpectKeys(settings, "DEVKEY", "DEVSECRET");
  EXPECT_EQ(settings->region, "ap-south-1");

  system.vars["AWS_ACCESS_KEY_ID"] = "ENVKEY";
  system.vars["AWS_SECRET_ACCESS_KEY"] = "ENVSECRET";
  settings = system.Resolve();
  ExpectKeys(settings, "ENVKEY", "ENVSECRET");
  EXPECT_EQ(settings->region, "ap-south-1");

  // --profile beats AWS_PROFILE.
  system.files["~/.aws/config"] += "[profile other]\nregion = sa-east-1\n";
  settings = system.Resolve("other");
  ASSERT_TRUE(settings.ok());
  EXPECT_FALSE(settings->credentials.has_value());
  EXPECT_EQ(settings->region, "sa-east-1");
}

TEST(CredentialsTest, CredentialsFileComesBeforeConfigFile) {
  FakeSystem system;
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n"
      "region = ignored-here\n";
  system.files["~/.aws/config"] =
      "[default]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = CONFIGSECRET\n"
      "region = us-west-1\n";
  Result<ProfileSettings> settings = system.Resolve();
  ExpectKeys(settings, "CREDKEY", "CREDSECRET");
  EXPECT_EQ(settings->source, "shared credentials file (profile default)");
  EXPECT_EQ(settings->region, "us-west-1");
}

TEST(CredentialsTest, ConfigFileProfilesAreNamedWithProfilePrefix) {
  FakeSystem system;
  system.files["~/.aws/credentials"] = "[dev]\nregion = only-a-region\n";
  system.files["~/.aws/config"] =
      "[dev]\naws_access_key_id = WRONGKEY\naws_secret_access_key = WRONGSECRET\n"
      "[profile dev]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = CONFIGSECRET\n"
      "aws_session_token = CONFIGTOKEN\nregion = eu-north-1\n";
  Result<ProfileSettings> settings = system.Resolve("dev");
  ExpectKeys(settings, "CONFIGKEY", "CONFIGSECRET", "CONFIGTOKEN");
  EXPECT_EQ(settings->source, "shared config file (profile dev)");
  EXPECT_EQ(settings->region, "eu-north-1");
}

TEST(CredentialsTest, DefaultProfileInConfigFile) {
  FakeSystem system;
  system.files["~/.aws/config"] = "[profile default]\nregion = us-east-2\n";
  EXPECT_EQ(system.Resolve()->region, "us-east-2");
  system.files["~/.aws/config"] = "[default]\nregion = us-west-2\n";
  EXPECT_EQ(system.Resolve()->region, "us-west-2");
}

TEST(CredentialsTest, SessionTokenFromCredentialsFile) {
  FakeSystem system;
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n"
      "aws_session_token = CREDTOKEN\n";
  ExpectKeys(system.Resolve(), "CREDKEY", "CREDSECRET", "CREDTOKEN");
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n"
      "aws_security_token = OLDTOKEN\n";
  ExpectKeys(system.Resolve(), "CREDKEY", "CREDSECRET", "OLDTOKEN");
}

TEST(CredentialsTest, FileLocationsFromTheEnvironment) {
  FakeSystem system;
  system.vars = {{"AWS_SHARED_CREDENTIALS_FILE", "/etc/creds"}, {"AWS_CONFIG_FILE", "/etc/conf"}};
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = WRONGKEY\naws_secret_access_key = WRONGSECRET\n";
  system.files["~/.aws/config"] = "[default]\nregion = wrong-region\n";
  system.files["/etc/creds"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n";
  system.files["/etc/conf"] = "[default]\nregion = me-south-1\n";
  Result<ProfileSettings> settings = system.Resolve();
  ExpectKeys(settings, "CREDKEY", "CREDSECRET");
  EXPECT_EQ(settings->region, "me-south-1");
}

TEST(CredentialsTest, MissingNamedProfileIsAnError) {
  FakeSystem system;
  system.vars = {{"AWS_ACCESS_KEY_ID", "ENVKEY"}, {"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}};
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n";
  Result<ProfileSettings> settings = system.Resolve("nope");
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(settings.status().message().find("'nope'"), std::string::npos);
  ExpectNoSecretIn(settings.status());

  system.vars = {{"AWS_PROFILE", "typo"}};
  settings = system.Resolve();
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.status().message().find("'typo'"), std::string::npos);
}

TEST(CredentialsTest, AccessKeyWithoutSecretIsAnError) {
  FakeSystem system;
  system.vars = {{"AWS_ACCESS_KEY_ID", "ENVKEY"}};
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n";
  Result<ProfileSettings> settings = system.Resolve();
  ASSERT_FALSE(settings.ok());
  EXPECT_EQ(settings.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(settings.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  ExpectNoSecretIn(settings.status());

  system.vars.clear();
  system.files["~/.aws/credentials"] = "[default]\naws_access_key_id = CREDKEY\n";
  system.files["~/.aws/config"] =
      "[default]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = CONFIGSECRET\n";
  settings = system.Resolve();
  ASSERT_FALSE(settings.ok());
  EXPECT_NE(settings.status().message().find("aws_secret_access_key"), std::string::npos);
  ExpectNoSecretIn(settings.status());
}

TEST(CredentialsTest, SecretWithoutAccessKeyIsIgnored) {
  FakeSystem system;
  system.vars = {{"AWS_SECRET_ACCESS_KEY", "ENVSECRET"}};
  system.files["~/.aws/credentials"] =
      "[default]\naws_access_key_id = CREDKEY\naws_secret_access_key = CREDSECRET\n";
  ExpectKeys(system.Resolve(), "CREDKEY", "CREDSECRET");
}

// SystemEnvironment reads "~/" under $HOME.
TEST(CredentialsTest, SystemEnvironmentReadsUnderHome) {
  char pattern[] = "/tmp/s3pull-credentials-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  const std::filesystem::path home(pattern);
  std::filesystem::create_directories(home / ".aws");
  std::ofstream(home / ".aws" / "credentials") << "[default]\nregion = x\n";
  const char* old_home = std::getenv("HOME");
  const std::string saved = old_home ? old_home : "";
  setenv("HOME", pattern, 1);

  Environment env = SystemEnvironment();
  EXPECT_EQ(env.read_file("~/.aws/credentials"), "[default]\nregion = x\n");
  EXPECT_EQ(env.read_file((home / ".aws" / "credentials").string()), "[default]\nregion = x\n");
  EXPECT_EQ(env.read_file("~/.aws/missing"), std::nullopt);
  EXPECT_EQ(env.read_file("~/.aws"), std::nullopt);  // a directory
  EXPECT_EQ(env.get_var("HOME"), std::string(pattern));

  if (old_home) {
    setenv("HOME", saved.c_str(), 1);
  } else {
    unsetenv("HOME");
  }
  std::filesystem::remove_all(home);
}

}  // namespace
}  // namespace s3pull::auth
