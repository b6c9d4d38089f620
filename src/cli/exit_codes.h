// Exit statuses of the s3pull command (documented in README.md).
#pragma once

namespace s3pull::cli {

inline constexpr int kExitOk = 0;             // every object downloaded
inline constexpr int kExitFailures = 1;       // some objects (or listings) failed
inline constexpr int kExitUsage = 2;          // bad arguments or configuration; nothing downloaded
inline constexpr int kExitInterrupted = 130;  // SIGINT or SIGTERM stopped the run (128 + SIGINT)

}  // namespace s3pull::cli
