// FileWriter: one object's bytes into a temporary file, renamed when complete.
//
// Create() makes the destination's parent folders and a temporary file beside
// the final path (".s3pull-XXXXXX.part", created exclusively with mode 0600, so
// it never clobbers or exposes anything). Commit() gives the file the usual
// permissions (0666 less the umask) and renames it over the final path. A
// writer destroyed without Commit() removes its temporary file: a final path
// only ever holds a complete object.
//
// Move-only; not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull::transfer {

class FileWriter {
 public:
  static Result<FileWriter> Create(const std::string& final_path);

  FileWriter(FileWriter&& other) noexcept;
  FileWriter& operator=(FileWriter&& other) noexcept;
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;
  ~FileWriter();

  Status Append(std::string_view data);
  // Renames the temporary file to the final path; the writer is then empty.
  Status Commit();
  // Removes the temporary file (also done by the destructor).
  void Abort();

  uint64_t bytes_written() const { return bytes_written_; }
  const std::string& final_path() const { return final_path_; }
  const std::string& temp_path() const { return temp_path_; }

 private:
  FileWriter() = default;
  int fd_ = -1;
  std::string final_path_;
  std::string temp_path_;
  uint64_t bytes_written_ = 0;
};

// Creates `dir` and its missing parents (mode 0777 less the umask).
Status MakeDirectories(const std::string& dir);

}  // namespace s3pull::transfer
