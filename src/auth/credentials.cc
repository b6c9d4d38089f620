// The credential chain and the AWS shared-file INI format; see credentials.h.
#include "auth/credentials.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string_view>
#include <utility>

#include "common/ascii.h"

namespace s3pull::auth {
namespace {

// "[ profile   dev ]" and "[profile dev]" name the same section.
std::string SectionName(std::string_view inner) {
  std::string out;
  for (char c : TrimAsciiSpace(inner)) {
    bool blank = c == ' ' || c == '\t';
    if (blank && !out.empty() && out.back() == ' ') continue;
    out += blank ? ' ' : c;
  }
  return out;
}

std::optional<std::string> ReadRegularFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::optional<std::string> contents;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    std::string data;
    char buffer[8192];
    ssize_t n;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) data.append(buffer, static_cast<size_t>(n));
    if (n == 0) contents = std::move(data);
  }
  ::close(fd);
  return contents;
}

std::string Var(const Environment& env, const char* name) {
  std::optional<std::string> value = env.get_var(name);
  return value ? *value : std::string();
}

std::string Get(const IniSection& section, const char* key) {
  auto it = section.find(key);
  return it == section.end() ? std::string() : it->second;
}

// One shared file, parsed, and the profile's section in it (null when absent).
struct SharedFile {
  std::string path;
  IniFile ini;
  const IniSection* profile = nullptr;
};

SharedFile LoadSharedFile(const Environment& env, const char* path_var, const char* default_path) {
  SharedFile file;
  file.path = Var(env, path_var);
  if (file.path.empty()) file.path = default_path;
  if (std::optional<std::string> text = env.read_file(file.path)) file.ini = ParseIni(*text);
  return file;
}

const IniSection* FindSection(const IniFile& ini, const std::string& name) {
  auto it = ini.find(name);
  return it == ini.end() ? nullptr : &it->second;
}

// Static keys from a profile section; nothing when it has no access key id.
Result<std::optional<Credentials>> StaticKeys(const IniSection& section, const std::string& profile,
                                              const std::string& path) {
  Credentials credentials;
  credentials.access_key_id = Get(section, "aws_access_key_id");
  if (credentials.access_key_id.empty()) return std::optional<Credentials>();
  credentials.secret_access_key = Get(section, "aws_secret_access_key");
  if (credentials.secret_access_key.empty()) {
    return Status(StatusCode::kInvalidArgument, "profile '" + profile + "' in " + path +
                                                    " has aws_access_key_id but no "
                                                    "aws_secret_access_key");
  }
  credentials.session_token = Get(section, "aws_session_token");
  if (credentials.session_token.empty()) {
    credentials.session_token = Get(section, "aws_security_token");  // the older name
  }
  return std::optional<Credentials>(std::move(credentials));
}

}  // namespace

Environment SystemEnvironment() {
  Environment env;
  env.get_var = [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
  env.read_file = [](const std::string& path) -> std::optional<std::string> {
    if (path.rfind("~/", 0) != 0) return ReadRegularFile(path);
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') return std::nullopt;
    return ReadRegularFile(std::string(home) + path.substr(1));
  };
  return env;
}

IniFile ParseIni(const std::string& text) {
  IniFile ini;
  IniSection* section = nullptr;
  // Indented lines under a key continue its value (the AWS CLI reads them as
  // a nested sub-section, e.g. "s3 =" with its settings below): skip them.
  bool after_key = false;
  size_t key_indent = 0;

  std::string_view rest(text);
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

    size_t indent = line.find_first_not_of(" \t");
    if (indent == std::string_view::npos) continue;  // blank
    std::string_view content = TrimAsciiSpace(line);
    if (content.front() == '#' || content.front() == ';') continue;
    if (after_key && indent > key_indent) continue;
    after_key = false;

    if (content.front() == '[') {
      size_t close = content.find(']');
      section = close == std::string_view::npos ? nullptr
                                                : &ini[SectionName(content.substr(1, close - 1))];
      continue;
    }
    size_t equals = content.find('=');
    if (section == nullptr || equals == std::string_view::npos) continue;
    (*section)[AsciiLower(TrimAsciiSpace(content.substr(0, equals)))] =
        std::string(TrimAsciiSpace(content.substr(equals + 1)));
    after_key = true;
    key_indent = indent;
  }
  return ini;
}

Result<ProfileSettings> ResolveProfile(const Environment& env,
                                       const std::string& explicit_profile) {
  ProfileSettings settings;
  std::string profile = explicit_profile.empty() ? Var(env, "AWS_PROFILE") : explicit_profile;
  bool named = !profile.empty();
  if (!named) profile = "default";

  if (explicit_profile.empty()) {
    std::string access_key_id = Var(env, "AWS_ACCESS_KEY_ID");
    if (!access_key_id.empty()) {
      std::string secret = Var(env, "AWS_SECRET_ACCESS_KEY");
      if (secret.empty()) {
        return Status(StatusCode::kInvalidArgument,
                      "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");
      }
      settings.credentials =
          Credentials{std::move(access_key_id), std::move(secret), Var(env, "AWS_SESSION_TOKEN")};
      settings.source = "environment";
    }
  }

  SharedFile credentials_file =
      LoadSharedFile(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials");
  credentials_file.profile = FindSection(credentials_file.ini, profile);
  SharedFile config_file = LoadSharedFile(env, "AWS_CONFIG_FILE", "~/.aws/config");
  // In the config file every profile but the default is "[profile NAME]".
  config_file.profile = FindSection(config_file.ini, "profile " + profile);
  if (config_file.profile == nullptr && profile == "default") {
    config_file.profile = FindSection(config_file.ini, "default");
  }

  if (named && credentials_file.profile == nullptr && config_file.profile == nullptr) {
    return Status(StatusCode::kInvalidArgument, "profile '" + profile + "' not found in " +
                                                    credentials_file.path + " or " +
                                                    config_file.path);
  }
  if (config_file.profile != nullptr) settings.region = Get(*config_file.profile, "region");

  const std::pair<const SharedFile*, const char*> files[] = {
      {&credentials_file, "shared credentials file"}, {&config_file, "shared config file"}};
  for (const auto& [file, kind] : files) {
    if (settings.credentials || file->profile == nullptr) continue;
    Result<std::optional<Credentials>> keys = StaticKeys(*file->profile, profile, file->path);
    if (!keys.ok()) return keys.status();
    if (*keys) {
      settings.credentials = std::move(**keys);
      settings.source = std::string(kind) + " (profile " + profile + ")";
    }
  }
  return settings;
}

}  // namespace s3pull::auth
