// JournalAppender; see journal_appender.h.
#include "fs/journal_appender.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace s3pull::fs {

JournalAppender::~JournalAppender() {
  close(data_fd_);
  close(journal_fd_);
}

Status JournalAppender::Append(std::string_view lines) {
  std::lock_guard lock(mutex_);
  if (retired_) return Status::Ok();
  if (fdatasync(data_fd_) != 0) {
    return Status(StatusCode::kIoError, std::string("cannot flush: ") + std::strerror(errno));
  }
  while (!lines.empty()) {
    ssize_t n = write(journal_fd_, lines.data(), lines.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      return Status(StatusCode::kIoError,
                    std::string("cannot write the journal: ") + std::strerror(errno));
    }
    lines.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

void JournalAppender::Retire() {
  std::lock_guard lock(mutex_);
  retired_ = true;
}

}  // namespace s3pull::fs
