// DownloadPlan: which objects a Run() fetches, and where each one goes.
#pragma once

#include <string>
#include <vector>

#include "s3pull/status.h"

namespace s3pull {

// Every object under `prefix` (or, with a glob, every key it matches), written
// at dest_dir/<key without base>. `base` is the leading part of each key not
// reproduced locally: the prefix itself, or a glob's directory part.
// With `list_only`, nothing is downloaded: each key (and, with a delimiter,
// each common prefix) goes to Observer::OnListed instead.
struct PrefixSource {
  std::string bucket;
  std::string prefix;
  std::string glob;  // "" = every key under prefix
  std::string dest_dir;
  std::string base;  // must be a prefix of `prefix`
  bool list_only = false;
  std::string delimiter = {};  // list_only: "/" groups keys into common prefixes
};

// One object. Written at `dest_path` when it is set ("-" streams to standard
// output); otherwise at dest_dir/<key without base>, which is refused, like a
// listed key, when it would not be a safe path under dest_dir.
struct ObjectSource {
  std::string bucket;
  std::string key;
  std::string dest_path;
  std::string dest_dir;
  std::string base;  // must be a prefix of `key`
};

// What a Run() fetches. The Add* builders fill in the sources the way `s3pull
// cp` does; the sources may also be filled in by hand.
struct DownloadPlan {
  std::vector<PrefixSource> prefixes;
  std::vector<ObjectSource> objects;

  // Every object under s3://bucket/prefix ("" = the whole bucket), each at
  // dest_dir/<key less the prefix>.
  void AddPrefix(const std::string& bucket, const std::string& prefix, const std::string& dest_dir);
  // The keys matching `glob` (IsGlob), each at dest_dir/<key less the glob's
  // folder before its first wildcard>: "logs/2026-*/*.gz" puts
  // "logs/2026-01-02/x.gz" at dest_dir/2026-01-02/x.gz. kInvalidArgument for
  // a bad pattern.
  Status AddGlob(const std::string& bucket, const std::string& glob, const std::string& dest_dir);
  // One key, written at `dest_path` ("-" = standard output).
  void AddKey(const std::string& bucket, const std::string& key, const std::string& dest_path);
  // One key, into the folder dest_dir under its last segment ("a/b.csv" ->
  // dest_dir/b.csv).
  void AddKeyToFolder(const std::string& bucket, const std::string& key,
                      const std::string& dest_dir);
  // Keys named relative to `prefix`: s3://bucket/<prefix><key>, each at
  // dest_dir/<key>.
  void AddKeys(const std::string& bucket, const std::string& prefix,
               const std::vector<std::string>& keys, const std::string& dest_dir);
  // A listing without downloads (Observer::OnListed): the keys under a
  // prefix, or matching a glob; unless `recursive`, a prefix's keys below
  // its next '/' come grouped as common prefixes. kInvalidArgument for a bad
  // glob.
  Status AddListing(const std::string& bucket, const std::string& prefix_or_glob, bool recursive);
};

}  // namespace s3pull
