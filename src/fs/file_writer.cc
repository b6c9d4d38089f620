// FileWriter implementation; see file_writer.h.
#include "fs/file_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

namespace s3pull::fs {
namespace {

mode_t CurrentUmask() {
  // Read from /proc (Linux 4.7 on): umask() reads it only by setting it,
  // which for a moment changes it under the feet of the other event loops.
  static const mode_t mask = [] {
    if (FILE* status = std::fopen("/proc/self/status", "re")) {
      char line[256];
      unsigned int value = 0;
      bool found = false;
      while (!found && std::fgets(line, sizeof line, status) != nullptr) {
        found = std::sscanf(line, "Umask: %o", &value) == 1;
      }
      std::fclose(status);
      if (found) return static_cast<mode_t>(value);
    }
    mode_t m = umask(022);
    umask(m);
    return m;
  }();
  return mask;
}

void CloseFd(int& fd) {
  if (fd >= 0) close(std::exchange(fd, -1));
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

Result<FileWriter> FileWriter::CreateResumable(const std::string& final_path, std::string_view root,
                                               FolderCache* folders) {
  return Create(final_path, root, folders, /*resumable=*/true);
}

Result<FileWriter> FileWriter::Create(const std::string& final_path, std::string_view root,
                                      FolderCache* folders) {
  return Create(final_path, root, folders, /*resumable=*/false);
}

Result<FileWriter> FileWriter::Create(const std::string& final_path, std::string_view root,
                                      FolderCache* folders, bool resumable) {
  FileWriter w;
  w.final_path_ = final_path;
  w.final_name_ = FileName(final_path);
  if (w.final_name_.empty()) {
    return Status(StatusCode::kInvalidArgument, "no file name in " + final_path);
  }
  Result<FolderRef> folder = folders ? folders->Open(final_path, root, /*create=*/true)
                                     : OpenParentFolder(final_path, root, /*create=*/true);
  if (!folder.ok()) return folder.status();
  w.folder_ = std::move(*folder);
  int dir = w.folder_->fd;
  std::string stem = StableStem(w.final_name_);
  w.temp_name_ = stem + ".part";
  std::string journal_name = stem + ".journal";
  if (resumable) {
    w.journal_name_ = journal_name;  // removed with the file
    // Never through a symlink, and only a regular file of our own making.
    w.fd_ = openat(dir, w.temp_name_.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC);
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
    w.fd_ = openat(dir, w.temp_name_.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (w.fd_ < 0 && errno == EEXIST) {
      unlinkat(dir, w.temp_name_.c_str(), 0);
      unlinkat(dir, journal_name.c_str(), 0);
    }
  }
  if (w.fd_ < 0) {
    Status error = IoError("cannot create a temporary file in", w.folder_->path);
    bool folder_gone = errno == ENOENT;
    w.temp_name_.clear();
    w.journal_name_.clear();
    if (folder_gone && folders) {
      // The folder kept open was removed meanwhile: make it again.
      folders->Forget(final_path, root);
      return Create(final_path, root, nullptr, resumable);
    }
    return error;
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
    folder_ = std::move(other.folder_);
    fd_ = std::exchange(other.fd_, -1);
    final_path_ = std::move(other.final_path_);
    final_name_ = std::move(other.final_name_);
    temp_name_ = std::move(other.temp_name_);
    other.temp_name_.clear();
    bytes_written_ = other.bytes_written_;
  }
  return *this;
}

FileWriter::~FileWriter() { Abort(); }

std::string FileWriter::temp_path() const { return folder_->path + "/" + temp_name_; }

Status FileWriter::Preallocate(uint64_t size) {
  // A reused file from an earlier run may be longer: cut it to size first.
  if (reused_ && ftruncate(fd_, static_cast<off_t>(size)) != 0) {
    return IoError("cannot size", temp_path());
  }
  // A small file is written in a few writes anyway: not worth a system call.
  if (size <= kMinPreallocated) return Status::Ok();
  int error = posix_fallocate(fd_, 0, static_cast<off_t>(size));
  // Some file systems cannot preallocate; the writes will still work.
  if (error != 0 && error != EOPNOTSUPP && error != EINVAL) {
    errno = error;
    return IoError("cannot reserve space for", temp_path());
  }
  return Status::Ok();
}

Status FileWriter::WriteAt(uint64_t offset, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = pwrite(fd_, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", temp_path());
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
      return IoError("cannot read back", temp_path());
    }
    out += n;
    size -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return Status::Ok();
}

Status FileWriter::Commit(Durability durability) {
  bool sync = durability == Durability::kFsync;
  if (fchmod(fd_, 0666 & ~CurrentUmask()) != 0) return IoError("cannot chmod", temp_path());
  // Data before name: a crash after the rename must not find an empty file.
  if (sync && fdatasync(fd_) != 0) return IoError("cannot flush", temp_path());
  if (close(std::exchange(fd_, -1)) != 0) return IoError("cannot close", temp_path());
  // The journal goes first: a crash in between leaves a complete temporary
  // file that the next run fetches again, never a stale journal beside a
  // finished file.
  if (!journal_name_.empty()) unlinkat(folder_->fd, journal_name_.c_str(), 0);
  journal_name_.clear();
  if (renameat(folder_->fd, temp_name_.c_str(), folder_->fd, final_name_.c_str()) != 0) {
    return IoError("cannot rename to", final_path_);
  }
  temp_name_.clear();
  if (sync && fsync(folder_->fd) != 0) return IoError("cannot flush folder", folder_->path);
  folder_.reset();
  return Status::Ok();
}

void FileWriter::NoteOrigin(std::string_view etag) {
  struct stat st;
  if (etag.empty() || fstat(fd_, &st) != 0) return;
  std::string note = OriginNote(st, etag);
  fsetxattr(fd_, kOriginAttribute, note.data(), note.size(), 0);  // best effort: see the header
}

std::optional<FinishedCopy> FindFinishedCopy(const std::string& final_path, std::string_view root,
                                             FolderCache* folders) {
  std::string name = FileName(final_path);
  if (name.empty()) return std::nullopt;
  // Most lookups are for files not there yet: one stat says so, in a folder
  // kept open when there is one. (A path may follow a symlinked folder,
  // which is harmless for a negative answer; a file found is then reached
  // the safe way.)
  struct stat st;
  FolderRef folder = folders ? folders->Find(final_path, root) : nullptr;
  if (folder && folder->empty_when_opened) return std::nullopt;
  bool there = folder ? fstatat(folder->fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0
                      : lstat(final_path.c_str(), &st) == 0;
  if (!there || !S_ISREG(st.st_mode)) return std::nullopt;
  if (!folder) {
    Result<FolderRef> opened = folders ? folders->Open(final_path, root, /*create=*/false)
                                       : OpenParentFolder(final_path, root, /*create=*/false);
    if (!opened.ok()) return std::nullopt;
    folder = std::move(*opened);
  }
  int fd = openat(folder->fd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
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
  if (!temp_name_.empty() && folder_) unlinkat(folder_->fd, temp_name_.c_str(), 0);
  if (!journal_name_.empty() && folder_) unlinkat(folder_->fd, journal_name_.c_str(), 0);
  temp_name_.clear();
  journal_name_.clear();
  folder_.reset();
}

void FileWriter::Keep() {
  CloseFd(fd_);
  temp_name_.clear();
  journal_name_.clear();
  folder_.reset();
}

std::string FileWriter::ReadJournal() const {
  std::string text;
  if (journal_name_.empty()) return text;
  int fd = openat(folder_->fd, journal_name_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return text;
  char buffer[8192];
  for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;) text.append(buffer, n);
  close(fd);
  return text;
}

Status FileWriter::ResetJournal(std::string_view text) {
  int fd = openat(folder_->fd, journal_name_.c_str(),
                  O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("cannot write journal", folder_->path + "/" + journal_name_);
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok ? Status::Ok() : IoError("cannot write journal", folder_->path + "/" + journal_name_);
}

Result<std::shared_ptr<JournalAppender>> FileWriter::OpenJournalAppender() const {
  int journal =
      openat(folder_->fd, journal_name_.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (journal < 0) return IoError("cannot write journal", folder_->path + "/" + journal_name_);
  int data = fcntl(fd_, F_DUPFD_CLOEXEC, 0);
  if (data < 0) {
    close(journal);
    return IoError("cannot flush", temp_path());
  }
  return std::make_shared<JournalAppender>(data, journal);
}

}  // namespace s3pull::fs
