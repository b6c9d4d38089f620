// The resume journal's text: which version of an object a temporary file
// holds, and which of its parts are on disk. FileWriter stores the text
// beside the file; this says what it means.
//
//   s3pull-journal 1
//   etag "<the ETag the parts were fetched with If-Match>"
//   size <object size>
//   part-size <part size>
//   done <part index>          one line per part whose bytes are on disk
//
// Pure functions; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace s3pull::fs {

// What a journal is valid for: another ETag, size or part size means the
// file holds bytes of something else.
struct JournalKey {
  std::string etag;
  uint64_t size = 0;
  uint64_t part_size = 0;
};

// The lines a journal for `key` starts with.
std::string JournalHeader(const JournalKey& key);
// The line recording part `index` as on disk.
std::string JournalDoneLine(uint64_t index);

// The parts `journal` records as on disk, in the order written, when it was
// written for `key`; nullopt when it was not (another key, or no journal).
// Lines that are malformed, repeated, or name a part at or past
// `part_count` are skipped: a torn last line from a crash costs one part.
std::optional<std::vector<uint64_t>> JournalDoneParts(std::string_view journal,
                                                      const JournalKey& key, uint64_t part_count);

}  // namespace s3pull::fs
