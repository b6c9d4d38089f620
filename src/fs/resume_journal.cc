// The resume journal's text; see resume_journal.h.
#include "fs/resume_journal.h"

#include <charconv>
#include <unordered_set>

namespace s3pull::fs {

std::string JournalHeader(const JournalKey& key) {
  return "s3pull-journal 1\netag " + key.etag + "\nsize " + std::to_string(key.size) +
         "\npart-size " + std::to_string(key.part_size) + "\n";
}

std::string JournalDoneLine(uint64_t index) { return "done " + std::to_string(index) + "\n"; }

std::optional<std::vector<uint64_t>> JournalDoneParts(std::string_view journal,
                                                      const JournalKey& key, uint64_t part_count) {
  std::string header = JournalHeader(key);
  if (!journal.starts_with(header)) return std::nullopt;
  std::vector<uint64_t> done;
  std::unordered_set<uint64_t> seen;
  std::string_view lines = journal.substr(header.size());
  constexpr std::string_view kDone = "done ";
  for (size_t end; (end = lines.find('\n')) != std::string_view::npos;
       lines.remove_prefix(end + 1)) {
    std::string_view line = lines.substr(0, end);
    if (!line.starts_with(kDone)) continue;
    uint64_t index = 0;
    const char* last = line.data() + line.size();
    auto [ptr, error] = std::from_chars(line.data() + kDone.size(), last, index);
    if (error != std::errc() || ptr != last || index >= part_count) continue;
    if (seen.insert(index).second) done.push_back(index);
  }
  return done;
}

}  // namespace s3pull::fs
