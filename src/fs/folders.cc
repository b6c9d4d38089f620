// Destination folders; see folders.h.
#include "fs/folders.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace s3pull::fs {
namespace {

std::string ParentDir(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

// Opens a folder the user named (made first, with its parents, when `create`).
Result<int> OpenNamedFolder(const std::string& path, bool create) {
  if (create) {
    if (Status s = MakeDirectories(path); !s.ok()) return s;
  }
  int dir = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) return IoError("cannot open folder", path);
  return dir;
}

// Opens `root` (following symlinks: the user named it), then walks down
// `relative` one folder at a time with O_NOFOLLOW, creating missing ones
// when `create` is true. Returns the last folder's descriptor; `shown` is
// its path, for messages.
Result<int> OpenFolderBeneath(const std::string& root, std::string_view relative,
                              std::string& shown, bool create) {
  shown = root;
  Result<int> opened = OpenNamedFolder(root, create);
  if (!opened.ok()) return opened;
  int dir = *opened;
  while (!relative.empty()) {
    size_t slash = relative.find('/');
    std::string name(relative.substr(0, slash));
    relative.remove_prefix(slash == std::string_view::npos ? relative.size() : slash + 1);
    if (name.empty()) continue;
    shown += "/" + name;
    if (create && mkdirat(dir, name.c_str(), 0777) != 0 && errno != EEXIST) {
      Status error = IoError("cannot create folder", shown);
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
      return IoError("cannot open folder", shown);
    }
    close(dir);
    dir = next;
  }
  return dir;
}

// Whether the folder open at `dir` has no entry but "." and "..". (Reading
// it moves the descriptor's position, which the *at() calls do not use.)
bool HoldsNothing(int dir) {
  alignas(dirent64) char buffer[1024];
  for (;;) {
    ssize_t n = getdents64(dir, buffer, sizeof buffer);
    if (n <= 0) return n == 0;
    for (ssize_t at = 0; at < n;) {
      const auto* entry = reinterpret_cast<const dirent64*>(buffer + at);
      std::string_view name = entry->d_name;
      if (name != "." && name != "..") return false;
      at += entry->d_reclen;
    }
  }
}

// The cache's key: the root and the folder (the path up to its last '/').
std::string CacheKey(const std::string& final_path, std::string_view root) {
  size_t slash = final_path.rfind('/');
  std::string key(root);
  key.push_back('\0');
  key.append(final_path, 0, slash == std::string::npos ? 0 : slash);
  return key;
}

}  // namespace

Folder::~Folder() { close(fd); }

Status IoError(std::string_view what, const std::string& path) {
  return Status(StatusCode::kIoError, std::string(what) + " " + path + ": " + std::strerror(errno));
}

Result<FolderRef> OpenParentFolder(const std::string& final_path, std::string_view root,
                                   bool create) {
  if (!std::string_view(final_path).starts_with(root)) {
    return Status(StatusCode::kInvalidArgument, final_path + " is not below " + std::string(root));
  }
  std::string shown;
  Result<int> fd = [&]() -> Result<int> {
    if (root.empty()) {
      shown = ParentDir(final_path);
      return OpenNamedFolder(shown, create);
    }
    std::string_view between = std::string_view(final_path).substr(root.size());
    size_t slash = between.rfind('/');
    between = between.substr(0, slash == std::string_view::npos ? 0 : slash);
    return OpenFolderBeneath(std::string(root), between, shown, create);
  }();
  if (!fd.ok()) return fd.status();
  return std::make_shared<const Folder>(*fd, std::move(shown), HoldsNothing(*fd));
}

Result<FolderRef> FolderCache::Open(const std::string& final_path, std::string_view root,
                                    bool create) {
  std::string key = CacheKey(final_path, root);
  if (auto it = index_.find(key); it != index_.end()) {
    recent_.splice(recent_.begin(), recent_, it->second);
    return it->second->second;
  }
  Result<FolderRef> folder = OpenParentFolder(final_path, root, create);
  if (!folder.ok()) return folder;
  recent_.emplace_front(key, *folder);
  index_[std::move(key)] = recent_.begin();
  if (recent_.size() > capacity_) {
    index_.erase(recent_.back().first);
    recent_.pop_back();
  }
  return folder;
}

FolderRef FolderCache::Find(const std::string& final_path, std::string_view root) const {
  auto it = index_.find(CacheKey(final_path, root));
  return it == index_.end() ? nullptr : it->second->second;
}

void FolderCache::Forget(const std::string& final_path, std::string_view root) {
  auto it = index_.find(CacheKey(final_path, root));
  if (it == index_.end()) return;
  recent_.erase(it->second);
  index_.erase(it);
}

Status MakeDirectories(const std::string& dir) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    errno = ENOTDIR;
    return IoError("cannot create folder", dir);
  }
  std::string parent = ParentDir(dir);
  if (parent != dir) {
    Status s = MakeDirectories(parent);
    if (!s.ok()) return s;
  }
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    return IoError("cannot create folder", dir);
  }
  return Status::Ok();
}

Status MakeDirectoriesBeneath(const std::string& root, std::string_view relative) {
  std::string shown;
  Result<int> dir = OpenFolderBeneath(root, relative, shown, /*create=*/true);
  if (!dir.ok()) return dir.status();
  close(*dir);
  return Status::Ok();
}

}  // namespace s3pull::fs
