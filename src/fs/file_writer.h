// FileWriter: one object's bytes into a temporary file, renamed when complete.
//
// Create() opens the destination's folder (making missing ones) and creates a
// temporary file in it (".s3pull-<16 hex digits of the final name's hash>.part",
// exclusively, mode 0600, so it never clobbers or exposes anything; one left
// by a killed run is replaced, so leftovers never pile up). Commit() gives the file the usual
// permissions (0666 less the umask) and renames it over the final name. A
// writer destroyed without Commit() removes its temporary file: a final path
// only ever holds a complete object.
//
// The folder is made and opened as folders.h describes (never through a
// symlink below the destination root), from a FolderCache when one is
// given; the writer keeps it open, so the rename lands in the folder that
// was checked.
//
// Move-only; not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "fs/folders.h"
#include "fs/journal_appender.h"
#include "s3pull/status.h"

namespace s3pull::fs {

class FileWriter {
 public:
  // `final_path` is where the object goes. With a `root` (a prefix of
  // final_path: the destination folder the user named), every folder between
  // root and the file is checked (OpenParentFolder); without one, the
  // user-chosen path is taken as it is. `folders`, when given, keeps the
  // folder open for the next objects in it.
  static Result<FileWriter> Create(const std::string& final_path, std::string_view root = {},
                                   FolderCache* folders = nullptr);

  // Like Create(), but for an object whose download can resume across runs:
  // a temporary file left by an earlier run is reopened instead of replaced
  // (reused() says so).
  // Beside it lives a journal of the parts already on disk.
  static Result<FileWriter> CreateResumable(const std::string& final_path, std::string_view root,
                                            FolderCache* folders = nullptr);
  bool reused() const { return reused_; }
  // The journal's contents ("" when there is none) and its lines.
  std::string ReadJournal() const;
  // Replaces the journal with `text` (a header naming no part yet).
  Status ResetJournal(std::string_view text);
  // What adds lines to the journal, from any thread (journal_appender.h).
  // One opened before a ResetJournal() must be retired first.
  Result<std::shared_ptr<JournalAppender>> OpenJournalAppender() const;
  // Leaves the temporary file and its journal for a later run to resume;
  // the writer is then empty. (Commit() and Abort() remove the journal.)
  void Keep();

  FileWriter(FileWriter&& other) noexcept;
  FileWriter& operator=(FileWriter&& other) noexcept;
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;
  ~FileWriter();

  // Reserves `size` bytes on disk up front (fallocate; files over 1 MiB),
  // so parts written at their offsets never fragment the file or fail for
  // lack of space midway. A reused file is cut to `size`.
  Status Preallocate(uint64_t size);
  // Writes `data` at `offset` (pwrite); parts may arrive in any order.
  Status WriteAt(uint64_t offset, std::string_view data);
  // Reads back `size` bytes at `offset` (written before) into `out`.
  Status ReadAt(uint64_t offset, char* out, size_t size) const;
  // Notes on the file, for a later run, which version of the object it holds
  // (`etag`), with the file's size and modification time now, in an
  // extended attribute (user.s3pull.origin). Call it after the last write,
  // before Commit(). Best effort: where the file system keeps no extended
  // attributes nothing is noted, and a later run fetches the object again.
  void NoteOrigin(std::string_view etag);
  // How durable Commit() makes the file.
  enum class Durability {
    kPageCache,  // the rename is atomic; a power loss may still lose the data
    kFsync,      // the data, then the rename (the folder), are on disk when it returns
  };
  // Renames the temporary file to the final name; the writer is then empty.
  Status Commit(Durability durability = Durability::kPageCache);
  // Removes the temporary file (also done by the destructor).
  void Abort();

  // Sum of the bytes written (overlapping writes count twice).
  uint64_t bytes_written() const { return bytes_written_; }
  const std::string& final_path() const { return final_path_; }
  // The temporary file's path, for messages and tests.
  std::string temp_path() const;

 private:
  FileWriter() = default;
  static Result<FileWriter> Create(const std::string& final_path, std::string_view root,
                                   FolderCache* folders, bool resumable);
  FolderRef folder_;
  int fd_ = -1;
  std::string final_path_;
  std::string final_name_;
  std::string temp_name_;
  uint64_t bytes_written_ = 0;
  bool reused_ = false;
  std::string journal_name_;  // "" unless resumable
};

// A file at its final path that holds the version of an object that
// NoteOrigin() noted, unchanged since: the same size and modification time.
struct FinishedCopy {
  std::string etag;  // as noted (quoted)
  uint64_t size = 0;
};
// The FinishedCopy at `final_path` (below `root`, as for Create(); folders
// are walked without following symlinks and none is created), or nullopt:
// no such regular file, no note, or the file changed since it was noted.
// In a folder of `folders` that was empty when opened there is none to look
// for (what is there, this run wrote): no system call.
std::optional<FinishedCopy> FindFinishedCopy(const std::string& final_path, std::string_view root,
                                             FolderCache* folders = nullptr);

}  // namespace s3pull::fs
