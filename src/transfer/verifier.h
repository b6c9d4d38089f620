// ObjectVerifier: what an object's bytes must hash to, and the hashing.
//
// What is checked ("--checksum auto", the default): a full-object checksum
// S3 sent with a whole-object reply or a HEAD (x-amz-checksum-crc32/crc32c/
// crc64nvme/sha1/sha256, asked for with x-amz-checksum-mode: ENABLED; for a
// multipart object only when x-amz-checksum-type says FULL_OBJECT, since
// some servers send a composite one unmarked), else the MD5 that a
// single-part ETag is (32 hex digits; not for SSE-KMS or SSE-C).
// A multipart object's checksum that is not marked FULL_OBJECT may be
// composite (the digest of its parts' digests): then GetObjectAttributes
// gives the stored parts' sizes and checksums (UseAttributes), each part is
// checked, and the parts' checksums must make the object's; a server that
// lists no parts leaves it unchecked.
// "required" fails an object that offers nothing checkable; "off" checks
// nothing.
//
// How: bytes are hashed in order, from byte 0, off the event loop
// (hash_pool.h), as soon as they are in: bytes that continue every byte
// before them count as they arrive (an object fetched in one request, the
// ranged part at the front), parts that finish ahead of the front once the
// bytes before them are in. Workers read them back from the file while they
// are still in the page cache. (Copying them to memory on arrival instead
// was measured slower: the copy lands on the event loop's thread, the
// busiest one, while reading back runs beside it.) Small objects (16 KiB at
// most) are hashed from a copy kept in memory instead, on the event loop,
// many side by side (HashInMemory). Bytes going to standard output are
// hashed as they stream.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checksum/hashers.h"
#include "http/http_client.h"
#include "s3/checksums.h"
#include "s3/object_attributes.h"
#include "s3pull/status.h"

namespace s3pull::transfer {

enum class ChecksumMode { kAuto, kRequired, kOff };

// What one event loop's objects have ready to hash, kept by their verifiers
// (one thread): the engine hands work to the hash pool in batches by it.
struct HashBacklog {
  uint64_t ready_bytes = 0;  // ready to hash and not yet taken as work
};

class ObjectVerifier {
 public:
  // `backlog` (may be null) outlives the verifier.
  ObjectVerifier(ChecksumMode mode, HashBacklog* backlog) : mode_(mode), backlog_(backlog) {}
  // Gives back what it counted in the backlog.
  ~ObjectVerifier();
  ObjectVerifier(const ObjectVerifier&) = delete;
  ObjectVerifier& operator=(const ObjectVerifier&) = delete;

  // Chooses the check from the first good reply. `whole_reply`: the reply
  // carries the whole object's headers (a whole GET, or a HEAD), so its
  // checksum headers are the object's. kProtocolError for a malformed
  // checksum header.
  Status Choose(const http::Headers& headers, bool whole_reply);
  // The caller said what the object must hash to: that is checked, whatever
  // the mode and the replies say (Choose() then changes nothing).
  void Expect(const s3::S3Checksum& checksum);
  // Choose() found a checksum that may be composite: UseAttributes() or
  // NoAttributes() is to follow.
  bool wants_attributes() const { return wants_attributes_; }
  // The object's GetObjectAttributes (every page's parts joined), for an
  // object of `size` bytes uploaded in `part_count` parts. Sets the check
  // from its checksum: a full-object one, or a composite one by its parts.
  // kIntegrityError when the parts' checksums do not make the object's;
  // kProtocolError when the reply contradicts itself or the object (part
  // count, sizes, part numbers, malformed values).
  Status UseAttributes(const s3::ObjectAttributes& attributes, uint64_t size, uint64_t part_count);
  // GetObjectAttributes could not tell (`why`): the checksum stays unchecked.
  void NoAttributes(std::string why);
  // kIntegrityError in "required" mode when Choose() found nothing to check.
  Status RequireSomething() const;
  bool active() const { return !expected_.empty(); }

  // Bytes of the object in order, as they arrive (standard output): hashed
  // at once.
  void Stream(std::string_view data);
  // The object is fetched again from byte 0: forget what was hashed (a run
  // being hashed is dropped when WorkDone() comes).
  void Restart();
  // Bytes [first, first + size) are in the file, just arrived: when they
  // continue the finished bytes from byte 0 they are finished too.
  void Arrived(uint64_t first, uint64_t size);
  // Bytes [first, first + length) are in the file (noted also before
  // Choose() found something to check); bytes already noted are ignored.
  void RangeDone(uint64_t first, uint64_t length);
  // The next run of finished bytes to hash from the file, [first, end), into
  // hasher(); nullopt when there is none or one is still being hashed.
  struct Work {
    checksum::Hasher* hasher;
    uint64_t first;
    uint64_t end;
  };
  std::optional<Work> TakeWork();
  bool hashing() const { return hashing_; }
  // Bytes finished and not yet taken as work.
  uint64_t ready_to_hash() const { return Unsubmitted(); }
  // Bytes are being hashed or are ready to be.
  bool busy() const { return hasher_ && (hashing_ || ready_ > hashed_); }
  // The run TakeWork() gave has been hashed.
  void WorkDone();
  // Every byte was hashed: compare. kIntegrityError "checksum mismatch: ...".
  Status Check();
  // Check() was called since the last Restart(), or there is nothing to check.
  bool checked() const { return !active() || !hasher_; }
  // Every byte of an object of `size` bytes has been hashed.
  bool Complete(uint64_t size) const { return hashed_ == size && !hashing_; }

 private:
  std::unique_ptr<checksum::Hasher> NewObjectHasher() const;
  // Finished ranges that ready_ reached join it.
  void JoinWaiting();
  // What the backlog counts of this verifier: bytes ready to be taken as work.
  uint64_t Unsubmitted() const;
  class Tally;

  ChecksumMode mode_;
  HashBacklog* backlog_;
  checksum::HashAlgorithm algorithm_ = checksum::HashAlgorithm::kMd5;
  // The object's digest, or (a composite checksum) its parts' digests one
  // after another.
  checksum::Digest expected_;
  std::vector<uint64_t> part_sizes_;  // a composite checksum's stored parts
  std::string what_;                  // "MD5 (the ETag)", "CRC64NVME"
  bool wants_attributes_ = false;
  std::string unchecked_why_;  // why a checksum S3 has cannot be checked
  std::unique_ptr<checksum::Hasher> hasher_;
  std::unique_ptr<checksum::Hasher>
      retired_;           // the hasher a Restart() replaced while it was in use
  uint64_t hashed_ = 0;   // bytes hashed, from byte 0
  uint64_t ready_ = 0;    // bytes finished, from byte 0
  bool hashing_ = false;  // [hashed_, work_end_) is being hashed
  uint64_t work_end_ = 0;
  std::map<uint64_t, uint64_t> waiting_;  // finished ranges past ready_: first -> end
};

}  // namespace s3pull::transfer
