// Exit statuses of the s3pull command (documented in README.md).
#pragma once

namespace s3pull::cli {

inline constexpr int kExitOk = 0;        // every object downloaded
inline constexpr int kExitFailures = 1;  // some objects (or listings) failed
inline constexpr int kExitUsage = 2;     // bad arguments or configuration; nothing downloaded

}  // namespace s3pull::cli
