// Key to local path mapping; see key_path.h.
//
// The check is on the key's bytes alone, before any file system call: a key
// that passes can only name a path strictly below the destination (symlinks
// already in the destination are the file writer's concern).
#include "fs/key_path.h"

namespace s3pull::fs {
namespace {

constexpr size_t kMaxSegmentBytes = 255;  // NAME_MAX on Linux file systems

Status Refuse(std::string why) {
  return Status(StatusCode::kUnsafePath, "key refused: " + std::move(why));
}

}  // namespace

bool IsFolderMarker(std::string_view key) { return !key.empty() && key.back() == '/'; }

Result<std::string> SafeRelativePath(std::string_view relative_key) {
  if (relative_key.empty()) return Refuse("it is empty");
  if (relative_key.front() == '/') return Refuse("it is absolute (starts with '/')");
  if (IsFolderMarker(relative_key)) return Refuse("it is a folder marker (ends with '/')");
  for (char c : relative_key) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return Refuse("it contains a control character");
  }
  size_t start = 0;
  while (start <= relative_key.size()) {
    size_t slash = relative_key.find('/', start);
    if (slash == std::string_view::npos) slash = relative_key.size();
    std::string_view segment = relative_key.substr(start, slash - start);
    if (segment.empty()) return Refuse("it has an empty segment ('//')");
    if (segment == "." || segment == "..") {
      return Refuse("it has a '" + std::string(segment) + "' segment");
    }
    if (segment.size() > kMaxSegmentBytes) return Refuse("a segment is longer than 255 bytes");
    start = slash + 1;
  }
  return std::string(relative_key);
}

Result<std::string> DestinationPath(std::string_view dir, std::string_view relative_key) {
  Result<std::string> relative = SafeRelativePath(relative_key);
  if (!relative.ok() || dir.empty()) return relative;
  size_t kept = dir.find_last_not_of('/');
  // A dir of only '/' is the root: keep one.
  std::string path(kept == std::string_view::npos ? std::string_view() : dir.substr(0, kept + 1));
  path.reserve(path.size() + 1 + relative->size());
  path.push_back('/');
  path += *relative;
  return path;
}

}  // namespace s3pull::fs
