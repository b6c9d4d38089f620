// AWS credentials and where they come from.
//
// The chain, in order: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
// AWS_SESSION_TOKEN from the environment (unless a profile was named
// explicitly), then the shared credentials file (~/.aws/credentials or
// AWS_SHARED_CREDENTIALS_FILE), then the shared config file (~/.aws/config or
// AWS_CONFIG_FILE, where profiles are "[profile NAME]" except "[default]").
// The profile is the explicit one, else AWS_PROFILE, else "default".
//
// The resolution is a pure function of an Environment (variables + file
// reader), so it is unit-tested without touching the real home directory.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "s3pull/options.h"
#include "s3pull/status.h"

namespace s3pull::auth {

using Credentials = ::s3pull::Credentials;  // include/s3pull/options.h

// What the credential chain may read. Production code uses SystemEnvironment().
struct Environment {
  std::function<std::optional<std::string>(const std::string& name)> get_var;
  // Returns the file's contents, or nullopt when it does not exist/cannot be read.
  std::function<std::optional<std::string>(const std::string& path)> read_file;
};
Environment SystemEnvironment();

// Sections of an INI file (AWS style: "[section]", "key = value", whole-line
// '#' and ';' comments, keys lower-cased, values trimmed, blanks in section
// names trimmed and collapsed; indented continuation lines of nested
// sub-sections such as "s3 =" are ignored; lines outside a section ignored).
using IniSection = std::map<std::string, std::string>;
using IniFile = std::map<std::string, IniSection>;
IniFile ParseIni(const std::string& text);

struct ProfileSettings {
  std::optional<Credentials> credentials;  // when the chain found any
  std::string region;                      // from the profile's "region", if any
  // Where the credentials came from: "environment", "shared credentials file
  // (profile x)" or "shared config file (profile x)".
  std::string source;
};

// Resolves credentials and the profile's region (from the config file).
// `explicit_profile` is the --profile value (empty when not given). A profile
// named by --profile or AWS_PROFILE that exists in neither file is an error
// (kInvalidArgument), as is an access key without a secret, in the
// environment or in a profile. Paths starting with "~/" are passed to
// read_file as they are; SystemEnvironment() reads them under $HOME.
Result<ProfileSettings> ResolveProfile(const Environment& env, const std::string& explicit_profile);

}  // namespace s3pull::auth
