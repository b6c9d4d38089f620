// The DownloadPlan builders; see include/s3pull/plan.h.
#include "s3pull/plan.h"

#include <utility>

#include "s3/glob.h"

namespace s3pull {

void DownloadPlan::AddPrefix(const std::string& bucket, const std::string& prefix,
                             const std::string& dest_dir) {
  // Keys keep what follows the prefix's last '/': a prefix that ends inside
  // a name ("data/20") keeps that name ("data/2026/a.csv" -> 2026/a.csv).
  prefixes.push_back({bucket, prefix, "", dest_dir, prefix.substr(0, prefix.rfind('/') + 1)});
}

Status DownloadPlan::AddGlob(const std::string& bucket, const std::string& glob,
                             const std::string& dest_dir) {
  Result<s3::GlobPattern> pattern = s3::GlobPattern::Compile(glob);
  if (!pattern.ok()) return pattern.status();
  prefixes.push_back({bucket, pattern->ListPrefix(), glob, dest_dir, pattern->BaseDir()});
  return Status::Ok();
}

void DownloadPlan::AddKey(const std::string& bucket, const std::string& key,
                          const std::string& dest_path) {
  objects.push_back({bucket, key, dest_path, "", ""});
}

void DownloadPlan::AddKeyToFolder(const std::string& bucket, const std::string& key,
                                  const std::string& dest_dir) {
  objects.push_back({bucket, key, "", dest_dir, key.substr(0, key.rfind('/') + 1)});
}

void DownloadPlan::AddKeys(const std::string& bucket, const std::string& prefix,
                           const std::vector<std::string>& keys, const std::string& dest_dir) {
  for (const std::string& key : keys)
    objects.push_back({bucket, prefix + key, "", dest_dir, prefix});
}

void DownloadPlan::AddKeyToMemory(const std::string& bucket, const std::string& key) {
  AddKeyToBuffer(bucket, key, {});
}

void DownloadPlan::AddKeyToBuffer(const std::string& bucket, const std::string& key,
                                  std::span<char> buffer) {
  ObjectSource object{bucket, key, "", "", ""};
  object.to_memory = true;
  object.buffer = buffer;
  objects.push_back(std::move(object));
}

}  // namespace s3pull
