// FileWriter implementation; see file_writer.h.
#include "transfer/file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
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

void CloseFd(int& fd) {
  if (fd >= 0) close(std::exchange(fd, -1));
}

// Opens (making it and its parents first) a folder the user named.
Result<int> OpenFolder(const std::string& path, std::string& shown) {
  if (Status s = MakeDirectories(path); !s.ok()) return s;
  shown = path;
  int dir = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return ErrnoStatus("cannot open folder", path);
  return dir;
}

// Opens `root` (following symlinks: the user named it), then walks down
// `relative` one folder at a time, creating missing ones, with O_NOFOLLOW.
// Returns the last folder's descriptor; `shown` is its path, for messages.
Result<int> OpenFolderBeneath(const std::string& root, std::string_view relative,
                              std::string& shown) {
  Result<int> opened = OpenFolder(root, shown);
  if (!opened.ok()) return opened;
  int dir = *opened;
  while (!relative.empty()) {
    size_t slash = relative.find('/');
    std::string name(relative.substr(0, slash));
    relative.remove_prefix(slash == std::string_view::npos ? relative.size() : slash + 1);
    if (name.empty()) continue;
    shown += "/" + name;
    if (mkdirat(dir, name.c_str(), 0777) != 0 && errno != EEXIST) {
      Status error = ErrnoStatus("cannot create folder", shown);
      close(dir);
      return error;
    }
    int next = openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (next < 0) {
      int saved = errno;
      struct stat st;
      bool is_link =
          fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
      close(dir);
      if (is_link) {
        return Status(
            StatusCode::kUnsafePath,
            shown + " is a symlink; nothing is written through symlinks in the destination");
      }
      errno = saved;
      return ErrnoStatus("cannot open folder", shown);
    }
    close(dir);
    dir = next;
  }
  return dir;
}

std::string TempName() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static const char kChars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string name = ".s3pull-XXXXXXXX.part";
  for (size_t i = 8; i < 16; ++i) name[i] = kChars[random() % (sizeof(kChars) - 1)];
  return name;
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
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
    return ErrnoStatus("cannot create folder", dir);
  return Status::Ok();
}

Status MakeDirectoriesBeneath(const std::string& root, std::string_view relative) {
  std::string shown;
  Result<int> dir = OpenFolderBeneath(root, relative, shown);
  if (!dir.ok()) return dir.status();
  close(*dir);
  return Status::Ok();
}

Result<FileWriter> FileWriter::Create(const std::string& final_path, std::string_view root) {
  FileWriter w;
  w.final_path_ = final_path;
  size_t slash = final_path.rfind('/');
  w.final_name_ = slash == std::string::npos ? final_path : final_path.substr(slash + 1);
  if (w.final_name_.empty()) {
    return Status(StatusCode::kInvalidArgument, "no file name in " + final_path);
  }
  if (!root.empty() && !std::string_view(final_path).starts_with(root)) {
    return Status(StatusCode::kInvalidArgument, final_path + " is not below " + std::string(root));
  }
  Result<int> dir = [&]() -> Result<int> {
    // Without a root the folder is the user's choice: open it as named.
    if (root.empty()) return OpenFolder(ParentDir(final_path), w.dir_path_);
    std::string_view between = std::string_view(final_path).substr(root.size());
    between.remove_suffix(w.final_name_.size());
    return OpenFolderBeneath(std::string(root), between, w.dir_path_);
  }();
  if (!dir.ok()) return dir.status();
  w.dir_fd_ = *dir;
  CurrentUmask();
  for (int attempt = 0; attempt < 100 && w.fd_ < 0; ++attempt) {
    w.temp_name_ = TempName();
    w.fd_ = openat(w.dir_fd_, w.temp_name_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w.fd_ < 0 && errno != EEXIST) break;
  }
  if (w.fd_ < 0) {
    w.temp_name_.clear();
    return ErrnoStatus("cannot create a temporary file in", w.dir_path_);
  }
  return w;
}

FileWriter::FileWriter(FileWriter&& other) noexcept { *this = std::move(other); }

FileWriter& FileWriter::operator=(FileWriter&& other) noexcept {
  if (this != &other) {
    Abort();
    dir_fd_ = std::exchange(other.dir_fd_, -1);
    fd_ = std::exchange(other.fd_, -1);
    final_path_ = std::move(other.final_path_);
    dir_path_ = std::move(other.dir_path_);
    final_name_ = std::move(other.final_name_);
    temp_name_ = std::move(other.temp_name_);
    other.temp_name_.clear();
    bytes_written_ = other.bytes_written_;
  }
  return *this;
}

FileWriter::~FileWriter() { Abort(); }

std::string FileWriter::temp_path() const { return dir_path_ + "/" + temp_name_; }

Status FileWriter::Preallocate(uint64_t size) {
  if (size == 0) return Status::Ok();
  int error = posix_fallocate(fd_, 0, static_cast<off_t>(size));
  // Some file systems cannot preallocate; the writes will still work.
  if (error != 0 && error != EOPNOTSUPP && error != EINVAL) {
    errno = error;
    return ErrnoStatus("cannot reserve space for", temp_path());
  }
  return Status::Ok();
}

Status FileWriter::WriteAt(uint64_t offset, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("cannot write", temp_path());
    }
    data.remove_prefix(static_cast<size_t>(n));
    offset += static_cast<uint64_t>(n);
    bytes_written_ += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status FileWriter::ReadAt(uint64_t offset, char* out, size_t size) const {
  while (size > 0) {
    ssize_t n = pread(fd_, out, size, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;  // the bytes were written: the file cannot be shorter
      return ErrnoStatus("cannot read back", temp_path());
    }
    out += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status FileWriter::Commit(Durability durability) {
  bool sync = durability == Durability::kFsync;
  if (fchmod(fd_, 0666 & ~CurrentUmask()) != 0) return ErrnoStatus("cannot chmod", temp_path());
  // Data before name: a crash after the rename must not find an empty file.
  if (sync && fdatasync(fd_) != 0) return ErrnoStatus("cannot flush", temp_path());
  if (close(std::exchange(fd_, -1)) != 0) return ErrnoStatus("cannot close", temp_path());
  if (renameat(dir_fd_, temp_name_.c_str(), dir_fd_, final_name_.c_str()) != 0) {
    return ErrnoStatus("cannot rename to", final_path_);
  }
  temp_name_.clear();
  if (sync && fsync(dir_fd_) != 0) return ErrnoStatus("cannot flush folder", dir_path_);
  CloseFd(dir_fd_);
  return Status::Ok();
}

void FileWriter::Abort() {
  CloseFd(fd_);
  if (!temp_name_.empty() && dir_fd_ >= 0) unlinkat(dir_fd_, temp_name_.c_str(), 0);
  temp_name_.clear();
  CloseFd(dir_fd_);
}

}  // namespace s3pull::transfer
