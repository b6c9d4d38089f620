// FileWriter implementation; see file_writer.h.
#include "transfer/file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
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

void CloseFd(int& fd) {
  if (fd >= 0) close(std::exchange(fd, -1));
}

// Opens a folder the user named (OpenFolder makes it and its parents first).
Result<int> OpenExistingFolder(const std::string& path, std::string& shown) {
  shown = path;
  int dir = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return ErrnoStatus("cannot open folder", path);
  return dir;
}

Result<int> OpenFolder(const std::string& path, std::string& shown) {
  if (Status s = MakeDirectories(path); !s.ok()) return s;
  return OpenExistingFolder(path, shown);
}

// Opens `root` (following symlinks: the user named it), then walks down
// `relative` one folder at a time with O_NOFOLLOW, creating missing ones
// when `create` is true. Returns the last folder's descriptor; `shown` is
// its path, for messages.
Result<int> OpenFolderBeneath(const std::string& root, std::string_view relative,
                              std::string& shown, bool create = true) {
  Result<int> opened = create ? OpenFolder(root, shown) : OpenExistingFolder(root, shown);
  if (!opened.ok()) return opened;
  int dir = *opened;
  while (!relative.empty()) {
    size_t slash = relative.find('/');
    std::string name(relative.substr(0, slash));
    relative.remove_prefix(slash == std::string_view::npos ? relative.size() : slash + 1);
    if (name.empty()) continue;
    shown += "/" + name;
    if (create && mkdirat(dir, name.c_str(), 0777) != 0 && errno != EEXIST) {
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

// Opens the folder that the file `name` at `final_path` goes in: below
// `root` with OpenFolderBeneath; without a root, as the user named it.
Result<int> OpenParentFolder(const std::string& final_path, std::string_view root,
                             std::string_view name, std::string& shown, bool create = true) {
  if (root.empty()) {
    std::string parent = ParentDir(final_path);
    return create ? OpenFolder(parent, shown) : OpenExistingFolder(parent, shown);
  }
  if (!std::string_view(final_path).starts_with(root)) {
    return Status(StatusCode::kInvalidArgument, final_path + " is not below " + std::string(root));
  }
  std::string_view between = std::string_view(final_path).substr(root.size());
  between.remove_suffix(name.size());
  return OpenFolderBeneath(std::string(root), between, shown, create);
}

std::string FileName(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

constexpr char kOriginAttribute[] = "user.s3pull.origin";

constexpr uint64_t kMinPreallocated = 1024 * 1024;

// "size=N mtime=SECONDS.NANOSECONDS etag=ETAG": the file as it was when
// noted. A later stat of the same, unchanged file gives the same prefix.
std::string OriginNote(const struct stat& st, std::string_view etag) {
  return "size=" + std::to_string(st.st_size) + " mtime=" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec) + " etag=" + std::string(etag);
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

namespace {

// ".s3pull-<16 hex digits>" from the final name (FNV-1a): the same object
// gets the same temporary name in every run.
std::string StableStem(std::string_view final_name) {
  uint64_t hash = 1469598103934665603ull;
  for (unsigned char c : final_name) hash = (hash ^ c) * 1099511628211ull;
  static const char kHex[] = "0123456789abcdef";
  std::string stem = ".s3pull-";
  for (int shift = 60; shift >= 0; shift -= 4) stem += kHex[(hash >> shift) & 15];
  return stem;
}

}  // namespace

Result<FileWriter> FileWriter::CreateResumable(const std::string& final_path,
                                               std::string_view root) {
  return Create(final_path, root, /*resumable=*/true);
}

Result<FileWriter> FileWriter::Create(const std::string& final_path, std::string_view root) {
  return Create(final_path, root, /*resumable=*/false);
}

Result<FileWriter> FileWriter::Create(const std::string& final_path, std::string_view root,
                                      bool resumable) {
  FileWriter w;
  w.final_path_ = final_path;
  w.final_name_ = FileName(final_path);
  if (w.final_name_.empty()) {
    return Status(StatusCode::kInvalidArgument, "no file name in " + final_path);
  }
  Result<int> dir = OpenParentFolder(final_path, root, w.final_name_, w.dir_path_);
  if (!dir.ok()) return dir.status();
  w.dir_fd_ = *dir;
  CurrentUmask();
  std::string stem = StableStem(w.final_name_);
  w.temp_name_ = stem + ".part";
  std::string journal_name = stem + ".journal";
  if (resumable) {
    w.journal_name_ = journal_name;  // removed with the file
    // Never through a symlink, and only a regular file of our own making.
    w.fd_ = openat(w.dir_fd_, w.temp_name_.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (w.fd_ >= 0 && fstat(w.fd_, &st) == 0 && S_ISREG(st.st_mode)) {
      w.reused_ = true;
      return w;
    }
    if (w.fd_ >= 0) close(std::exchange(w.fd_, -1));
  }
  // A file of this name is what a killed run left behind: replace it (and
  // any journal of it).
  for (int attempt = 0; attempt < 2 && w.fd_ < 0; ++attempt) {
    w.fd_ = openat(w.dir_fd_, w.temp_name_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w.fd_ < 0 && errno == EEXIST) {
      unlinkat(w.dir_fd_, w.temp_name_.c_str(), 0);
      unlinkat(w.dir_fd_, journal_name.c_str(), 0);
    }
  }
  if (w.fd_ < 0) {
    w.temp_name_.clear();
    w.journal_name_.clear();
    return ErrnoStatus("cannot create a temporary file in", w.dir_path_);
  }
  return w;
}

FileWriter::FileWriter(FileWriter&& other) noexcept { *this = std::move(other); }

FileWriter& FileWriter::operator=(FileWriter&& other) noexcept {
  if (this != &other) {
    Abort();
    reused_ = other.reused_;
    journal_name_ = std::move(other.journal_name_);
    other.journal_name_.clear();
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
  // A reused file from an earlier run may be longer: cut it to size first.
  if (reused_ && ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return ErrnoStatus("cannot size", temp_path());
  }
  // A small file is written in a few writes anyway: not worth a system call.
  if (size <= kMinPreallocated) return Status::Ok();
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
  // The journal goes first: a crash in between leaves a complete temporary
  // file that the next run fetches again, never a stale journal beside a
  // finished file.
  if (!journal_name_.empty()) unlinkat(dir_fd_, journal_name_.c_str(), 0);
  journal_name_.clear();
  if (renameat(dir_fd_, temp_name_.c_str(), dir_fd_, final_name_.c_str()) != 0) {
    return ErrnoStatus("cannot rename to", final_path_);
  }
  temp_name_.clear();
  if (sync && fsync(dir_fd_) != 0) return ErrnoStatus("cannot flush folder", dir_path_);
  CloseFd(dir_fd_);
  return Status::Ok();
}

void FileWriter::NoteOrigin(std::string_view etag) {
  struct stat st;
  if (etag.empty() || fstat(fd_, &st) != 0) return;
  std::string note = OriginNote(st, etag);
  fsetxattr(fd_, kOriginAttribute, note.data(), note.size(), 0);  // best effort: see the header
}

std::optional<FinishedCopy> FindFinishedCopy(const std::string& final_path, std::string_view root) {
  // Most lookups are for files not there yet: one lstat says so. (It may
  // follow a symlinked folder, which is harmless for a negative answer; a
  // file found is then reached the safe way.)
  struct stat st;
  if (lstat(final_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  std::string name = FileName(final_path);
  std::string shown;
  Result<int> dir = OpenParentFolder(final_path, root, name, shown, /*create=*/false);
  if (name.empty() || !dir.ok()) return std::nullopt;
  int fd = openat(*dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  close(*dir);
  if (fd < 0) return std::nullopt;
  char note[1024];
  ssize_t size = -1;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    size = fgetxattr(fd, kOriginAttribute, note, sizeof note);
  }
  close(fd);
  if (size <= 0) return std::nullopt;
  std::string_view text(note, static_cast<size_t>(size));
  std::string unchanged = OriginNote(st, "");
  if (!text.starts_with(unchanged) || text.size() == unchanged.size()) return std::nullopt;
  return FinishedCopy{std::string(text.substr(unchanged.size())),
                      static_cast<uint64_t>(st.st_size)};
}

void FileWriter::Abort() {
  CloseFd(fd_);
  if (!temp_name_.empty() && dir_fd_ >= 0) unlinkat(dir_fd_, temp_name_.c_str(), 0);
  if (!journal_name_.empty() && dir_fd_ >= 0) unlinkat(dir_fd_, journal_name_.c_str(), 0);
  temp_name_.clear();
  journal_name_.clear();
  CloseFd(dir_fd_);
}

void FileWriter::Keep() {
  CloseFd(fd_);
  temp_name_.clear();
  journal_name_.clear();
  CloseFd(dir_fd_);
}

std::string FileWriter::ReadJournal() const {
  std::string text;
  if (journal_name_.empty()) return text;
  int fd = openat(dir_fd_, journal_name_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[8192];
  for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) text.append(buffer, n);
  close(fd);
  return text;
}

Status FileWriter::ResetJournal(std::string_view text) {
  if (fdatasync(fd_) != 0) return ErrnoStatus("cannot flush", temp_path());
  int fd = openat(dir_fd_, journal_name_.c_str(),
                  O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoStatus("cannot write journal", dir_path_ + "/" + journal_name_);
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok ? Status::Ok() : ErrnoStatus("cannot write journal", dir_path_ + "/" + journal_name_);
}

Status FileWriter::AppendJournal(std::string_view line) {
  if (fdatasync(fd_) != 0) return ErrnoStatus("cannot flush", temp_path());
  int fd = openat(dir_fd_, journal_name_.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot write journal", dir_path_ + "/" + journal_name_);
  bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  close(fd);
  return ok ? Status::Ok() : ErrnoStatus("cannot write journal", dir_path_ + "/" + journal_name_);
}

}  // namespace s3pull::transfer
