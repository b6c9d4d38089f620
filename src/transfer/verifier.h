// ObjectVerifier: what an object's bytes must hash to, and the hashing.
//
// What is checked ("--checksum auto", the default): a full-object checksum
// S3 sent with a whole-object reply (x-amz-checksum-crc32/crc32c/crc64nvme/
// sha1/sha256, asked for with x-amz-checksum-mode: ENABLED), else the MD5
// that a single-part ETag is (32 hex digits; not for SSE-KMS or SSE-C).
// "required" fails an object that offers neither; "off" checks nothing.
//
// How: bytes that arrive in order (an object fetched in one request) are
// hashed as they arrive. Ranged parts arrive out of order, so they are
// hashed from the file in offset order as each run of finished parts joins
// the hashed front (the data is still in the page cache). Composite
// checksums of multipart uploads are not checked.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_client.h"
#include "s3pull/status.h"
#include "transfer/file_writer.h"
#include "transfer/integrity.h"

namespace s3pull::transfer {

enum class ChecksumMode { kAuto, kRequired, kOff };

class ObjectVerifier {
 public:
  explicit ObjectVerifier(ChecksumMode mode) : mode_(mode) {}

  // Chooses the check from the first good reply. `whole_reply`: the reply
  // carries the whole object (its checksum headers are the object's).
  // kIntegrityError in "required" mode when there is nothing to check;
  // kProtocolError for a malformed checksum header.
  Status Choose(const http::Headers& headers, bool whole_reply);
  bool active() const { return !expected_.empty(); }

  // Bytes of an object fetched in one request, in order.
  void Stream(std::string_view data);
  // The object is fetched again from byte 0: forget what was hashed.
  void Restart();
  // Bytes [first, first + length) of a ranged object are on disk in `file`.
  Status RangeDone(FileWriter& file, uint64_t first, uint64_t length);
  // Every byte was hashed: compare. kIntegrityError "checksum mismatch: ...".
  Status Check();
  // Every byte of an object of `size` bytes has reached the hashed front.
  bool Complete(uint64_t size) const { return hashed_ == size; }

 private:
  ChecksumMode mode_;
  HashAlgorithm algorithm_ = HashAlgorithm::kMd5;
  Digest expected_;
  std::string what_;  // "MD5 of the ETag", "CRC64NVME"
  std::unique_ptr<Hasher> hasher_;
  uint64_t hashed_ = 0;                   // bytes hashed, from byte 0
  std::map<uint64_t, uint64_t> waiting_;  // finished ranges past the front: first -> end
  std::string buffer_;                    // for reading finished ranges back
};

}  // namespace s3pull::transfer
