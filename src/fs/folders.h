// Destination folders: made and opened safely, and kept open across objects.
//
// Below a destination root (the folder the user named), folders are created
// and opened one by one without following symlinks: a symlink already in
// the destination can never redirect a write elsewhere (kUnsafePath). Files
// are then created and renamed relative to the folder's descriptor, so they
// land in the folder that was checked.
//
// A FolderCache keeps the folders used most recently open, so that objects
// in one folder do not each walk to it again (three system calls fewer per
// object). A folder stays open while anyone holds it.
//
// Not thread-safe: one FolderCache per event loop.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "s3pull/status.h"

namespace s3pull::fs {

// An open folder; closed when the last holder lets go.
struct Folder {
  Folder(int fd, std::string path, bool empty_when_opened)
      : fd(fd), path(std::move(path)), empty_when_opened(empty_when_opened) {}
  ~Folder();
  Folder(const Folder&) = delete;
  Folder& operator=(const Folder&) = delete;
  int fd;
  std::string path;  // for messages
  // It held nothing when opened: whatever is in it now, this run put there
  // (so there is no earlier run's file to look for).
  bool empty_when_opened;
};
using FolderRef = std::shared_ptr<const Folder>;

// The folder that the file at `final_path` goes in. With a `root` (a prefix
// of final_path) it is walked down to from root as described above; without
// one, the user-chosen path is taken as it is. Missing folders are made when
// `create` is true (else kIoError, as for any folder that cannot be opened).
Result<FolderRef> OpenParentFolder(const std::string& final_path, std::string_view root,
                                   bool create);

class FolderCache {
 public:
  explicit FolderCache(size_t capacity = 64) : capacity_(capacity) {}

  // OpenParentFolder(), from the cache when the folder was opened before
  // (for the same root: under another root other folders were checked).
  Result<FolderRef> Open(const std::string& final_path, std::string_view root, bool create);
  // The cached folder of `final_path`, or null; no system call.
  FolderRef Find(const std::string& final_path, std::string_view root) const;
  // Drops `final_path`'s folder (it vanished, say): the next Open() walks
  // to it again.
  void Forget(const std::string& final_path, std::string_view root);

 private:
  using Entry = std::pair<std::string, FolderRef>;  // key, folder
  size_t capacity_;
  std::list<Entry> recent_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// kIoError "WHAT PATH: the errno's text".
Status IoError(std::string_view what, const std::string& path);

// Creates `dir` and its missing parents (mode 0777 less the umask).
Status MakeDirectories(const std::string& dir);

// Creates the folder `relative` (and its missing parents) below `root`, never
// following a symlink below root (kUnsafePath).
Status MakeDirectoriesBeneath(const std::string& root, std::string_view relative);

}  // namespace s3pull::fs
