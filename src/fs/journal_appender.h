// JournalAppender: records parts in a temporary file's resume journal, on
// whatever thread does the flushing (transfer/disk_flusher.h), apart from
// the FileWriter that owns the file.
//
// It holds descriptors of its own for the file and the journal, so the
// writer may commit, abort or keep the file while lines wait: they then land
// in a journal no one reads again. Append() flushes the file's data first
// (fdatasync), so a journal never names bytes a crash could lose; losing a
// line costs the next run one part fetched again. Thread-safe.
#pragma once

#include <mutex>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull::fs {

class JournalAppender {
 public:
  // Takes ownership of both descriptors (FileWriter::OpenJournalAppender).
  JournalAppender(int data_fd, int journal_fd) : data_fd_(data_fd), journal_fd_(journal_fd) {}
  ~JournalAppender();
  JournalAppender(const JournalAppender&) = delete;
  JournalAppender& operator=(const JournalAppender&) = delete;

  // The file's data to disk, then `lines` at the journal's end.
  Status Append(std::string_view lines);
  // No Append() writes once this returns (the journal is about to be reset).
  void Retire();

 private:
  std::mutex mutex_;
  int data_fd_;
  int journal_fd_;
  bool retired_ = false;
};

}  // namespace s3pull::fs
