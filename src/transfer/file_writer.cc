// FileWriter implementation; see file_writer.h.
#include "transfer/file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace s3pull::transfer {
namespace {

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Status(StatusCode::kIoError, what + " " + path + ": " + std::strerror(errno));
}

mode_t CurrentUmask() {
  // umask can only be read by setting it; done once, before any threads.
  static const mode_t mask = [] {
    mode_t m = umask(022);
    umask(m);
    return m;
  }();
  return mask;
}

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

Status MakeDirectories(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    errno = ENOTDIR;
    return ErrnoStatus("cannot create folder", dir);
  }
  std::string parent = ParentDir(dir);
  if (parent != dir) {
    Status s = MakeDirectories(parent);
    if (!s.ok()) return s;
  }
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) return ErrnoStatus("cannot create folder", dir);
  return Status::Ok();
}

Result<FileWriter> FileWriter::Create(const std::string& final_path) {
  std::string dir = ParentDir(final_path);
  Status s = MakeDirectories(dir);
  if (!s.ok()) return s;
  FileWriter w;
  w.final_path_ = final_path;
  w.temp_path_ = (dir == "/" ? "" : dir) + "/.s3pull-XXXXXX.part";
  CurrentUmask();
  // mkostemps creates the file with O_EXCL and mode 0600.
  w.fd_ = mkostemps(w.temp_path_.data(), 5, O_CLOEXEC);
  if (w.fd_ < 0) return ErrnoStatus("cannot create temporary file in", dir);
  return w;
}

FileWriter::FileWriter(FileWriter&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      final_path_(std::move(other.final_path_)),
      temp_path_(std::move(other.temp_path_)),
      bytes_written_(other.bytes_written_) {}

FileWriter& FileWriter::operator=(FileWriter&& other) noexcept {
  if (this != &other) {
    Abort();
    fd_ = std::exchange(other.fd_, -1);
    final_path_ = std::move(other.final_path_);
    temp_path_ = std::move(other.temp_path_);
    bytes_written_ = other.bytes_written_;
  }
  return *this;
}

FileWriter::~FileWriter() { Abort(); }

Status FileWriter::Append(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd_, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", temp_path_);
    }
    data.remove_prefix(static_cast<size_t>(n));
    bytes_written_ += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status FileWriter::Commit() {
  if (fchmod(fd_, 0666 & ~CurrentUmask()) != 0) return ErrnoStatus("cannot chmod", temp_path_);
  if (close(std::exchange(fd_, -1)) != 0) return ErrnoStatus("cannot close", temp_path_);
  if (rename(temp_path_.c_str(), final_path_.c_str()) != 0)
    return ErrnoStatus("cannot rename to", final_path_);
  temp_path_.clear();
  return Status::Ok();
}

void FileWriter::Abort() {
  if (fd_ >= 0) close(std::exchange(fd_, -1));
  if (!temp_path_.empty()) {
    unlink(temp_path_.c_str());
    temp_path_.clear();
  }
}

}  // namespace s3pull::transfer

