// PlanCopy; see cp_plan.h.
#include "cli/cp_plan.h"

#include <sys/stat.h>

#include <utility>
#include <vector>

#include "cli/key_list.h"

namespace s3pull::cli {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

bool IsPrefix(std::string_view key) { return key.empty() || key.ends_with('/'); }

Status Usage(std::string why) { return Status(StatusCode::kInvalidArgument, std::move(why)); }

Result<DownloadPlan> KeyListPlan(const S3Url& source, const std::string& dest,
                                 const std::string& from_file) {
  if (!IsPrefix(source.key)) {
    return Usage("with --from-file, SOURCE is s3://BUCKET/ or s3://BUCKET/PREFIX/ (ending in '/')");
  }
  Result<std::string> text = ReadKeyListFile(from_file);
  if (!text.ok()) return text.status();
  Result<std::vector<KeyListEntry>> entries = ParseKeyList(*text);
  if (!entries.ok()) return entries.status();
  DownloadPlan plan;
  for (KeyListEntry& entry : *entries) {
    // A URL line keeps its whole key below DEST; a plain line is below the prefix.
    if (entry.from_url) {
      plan.AddKeys(entry.bucket, "", {entry.key}, dest);
    } else {
      plan.AddKeys(source.bucket, source.key, {entry.key}, dest);
    }
  }
  return plan;
}

}  // namespace

Result<CpPlan> PlanCopy(const S3Url& source, const std::string& dest,
                        const std::string& from_file) {
  const std::string& bucket = source.bucket;
  const std::string& key = source.key;
  CpPlan out;
  if (!from_file.empty() || IsPrefix(key) || IsGlob(key)) {
    if (dest == "-") return Usage("'-' (standard output) takes a single object only");
    if (Exists(dest) && !IsDirectory(dest)) {
      return Usage("destination " + dest + " exists and is not a folder");
    }
  }
  if (!from_file.empty()) {
    Result<DownloadPlan> plan = KeyListPlan(source, dest, from_file);
    if (!plan.ok()) return plan.status();
    out.plan = std::move(*plan);
  } else if (IsGlob(key)) {
    if (Status added = out.plan.AddGlob(bucket, key, dest); !added.ok()) return added;
  } else if (IsPrefix(key)) {
    out.plan.AddPrefix(bucket, key, dest);
  } else {
    out.single_key = true;
    out.to_stdout = dest == "-";
    std::string one_key = UnescapeKey(key);
    if (!out.to_stdout && (dest.ends_with('/') || IsDirectory(dest))) {
      out.plan.AddKeyToFolder(bucket, one_key, dest);
    } else {
      out.plan.AddKey(bucket, one_key, dest);
    }
  }
  return out;
}

}  // namespace s3pull::cli
