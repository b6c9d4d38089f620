// DownloadPlan: which objects a Run() fetches, and where each one goes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "s3pull/status.h"

namespace s3pull {

// Every object under `prefix` (or, with a glob, every key it matches), written
// at dest_dir/<key without base>. `base` is the leading part of each key not
// reproduced locally: the prefix up to its last '/', or a glob's directory part.
struct PrefixSource {
  std::string bucket;
  std::string prefix;
  std::string glob;  // "" = every key under prefix
  std::string dest_dir;
  std::string base;  // must be a prefix of `prefix`
};

// Part of an object: `length` bytes from byte `first` (length 0: to its end).
struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};

// One object. Written at `dest_path` when it is set ("-" streams to standard
// output); otherwise at dest_dir/<key without base>, which is refused, like a
// listed key, when it would not be a safe path under dest_dir; or, with
// `to_memory`, kept in memory (the dest_* fields are not used).
struct ObjectSource {
  std::string bucket;
  std::string key;
  std::string dest_path;
  std::string dest_dir;
  std::string base;  // must be a prefix of `key`
  // The object's bytes come in its ObjectResult::data, verified like a
  // file's; or, when `buffer` is not empty, they are written into it (the
  // caller's memory, which must outlive the run and hold the whole object:
  // a larger one fails with kInvalidArgument) and ObjectResult::bytes says
  // how many.
  bool to_memory = false;
  std::span<char> buffer = {};
  // "" = the current version; otherwise this version of a versioned bucket.
  std::string version_id = {};
  // "" = any; otherwise every request asks for this ETag (If-Match; quoted
  // or not), the object fails with kObjectChanged when it has another, and
  // a local copy finished from that version is not fetched again.
  std::string expected_etag = {};
  // "" = what S3 offers (ClientOptions::checksum); otherwise what the
  // object's bytes must hash to, checked whatever that policy and S3 say:
  // "ALGORITHM:VALUE" with S3's names and values, as x-amz-checksum-* gives
  // them ("CRC64NVME:Wx0OQ+ljTfM=", "SHA256:<base64>"; CRC32, CRC32C, SHA1
  // too). A malformed one fails the object (kInvalidArgument) unsent.
  std::string expected_checksum = {};
  // Set: only these bytes of the object are fetched, and the file (or
  // memory) holds them alone. Only their count and place can be checked
  // (checksums are of whole objects); a range that starts past the
  // object's end fails (HTTP 416). Not with standard output or an expected
  // checksum (kInvalidArgument).
  std::optional<ByteRange> range = {};
};

// What a Run() fetches. The Add* builders fill in the sources the way `s3pull
// cp` does; the sources may also be filled in by hand.
struct DownloadPlan {
  std::vector<PrefixSource> prefixes;
  std::vector<ObjectSource> objects;

  // Every object under s3://bucket/prefix ("" = the whole bucket), each at
  // dest_dir/<key less the prefix>; a prefix that does not end in '/' keeps
  // the name it ends inside ("data/20": data/2026/a.csv at dest_dir/2026/a.csv).
  // A key ending in '/' (a folder marker) becomes a folder, with no result.
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
  // One key, kept in memory: its bytes come in ObjectResult::data.
  void AddKeyToMemory(const std::string& bucket, const std::string& key);
  // One key, written into `buffer` (ObjectSource::buffer says how).
  void AddKeyToBuffer(const std::string& bucket, const std::string& key, std::span<char> buffer);
};

}  // namespace s3pull
