// Mapping object keys to local paths, and refusing the ones that are unsafe.
//
// A key (relative to the listed prefix) maps to the same '/'-separated path
// under the destination. Refused with kUnsafePath and a message naming the
// reason: empty key, absolute key (leading '/'), a "." or ".." segment, an
// empty segment ("a//b"), a NUL or other control character (0x01-0x1f, 0x7f),
// a segment longer than 255 bytes. A key ending in '/' is a folder marker
// (IsFolderMarker) and is not mapped to a file: SafeRelativePath refuses it.
// Any other byte is kept as is (spaces, '\', UTF-8 or not). Messages name the
// reason, not the key: a hostile key could hold terminal escape sequences.
#pragma once

#include <string>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull::fs {

bool IsFolderMarker(std::string_view key);

// The relative path for `relative_key`, or why it is refused.
Result<std::string> SafeRelativePath(std::string_view relative_key);

// `dir` + '/' + the safe relative path of `relative_key` (no doubled '/';
// a `dir` of "/" stays the root). An empty `dir` is the current directory:
// the relative path alone.
Result<std::string> DestinationPath(std::string_view dir, std::string_view relative_key);

}  // namespace s3pull::fs
