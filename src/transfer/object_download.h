// ObjectDownload: one object in flight, from its first request to its file.
//
// It knows what has been learned of the object (size, ETag), owns its
// temporary file, and counts the parts still outstanding. The engine asks it
// which request to send and gives it every response; it checks each response
// against what was asked and says what comes next. It does no network I/O.
//
// The shapes of a download:
//   - size known and at most one part, or output to stdout: one plain GET;
//   - size known and larger: ranged GETs of the planned parts, all pinned to
//     the listed ETag with If-Match;
//   - a multipart object (ETag "...-N") has no MD5 to check, and its ranged
//     replies carry no checksum: unless checksums are off, a HEAD (pinned to
//     the ETag) asks for its checksum before the parts go out (after the
//     first part, for a discovered one); when that may be composite,
//     GetObjectAttributes (page by page) gives the stored parts' sizes and
//     checksums, by which the object is checked (verifier.h);
//   - size unknown (a key named by the user): a ranged GET of the first part
//     discovers the size (Content-Range) and the ETag; the other parts follow,
//     pinned to it (those an earlier run left on disk, by the journal, are
//     not fetched again). A 200 answer means the server sent the whole
//     object; a 416 means the object is empty, and one plain GET follows;
//   - a finished local copy of the current version: no request, or one that
//     ends with 304 (DownloadOptions::skip_unchanged).
// Each response must carry exactly what was asked (status, Content-Range,
// length); the file is renamed to its final path only when every byte of the
// object has been written and verified.
//
// The calls, in the order the engine makes them:
//   FirstPart()                   the first request; or unchanged() -> Finish()
//   QueueRestWithFirst()          the other parts may be queued at once
//   for each request sent (TakePart() for queued parts):
//     AddRequestHeaders()
//     OnPartHeaders()             a 2xx reply is checked (one handler per kind)
//     OnPartBody()...             its bytes, written at their offsets
//     VerifyPart()                the reply ended well: its bytes count
//     PlanRetry()                 or it failed: is it worth another try? and
//     CommitRetry()               when the retry goes (then no OnPartDone() yet)
//     OnPartDone()                what next: parts to queue, a request to send
//                                 at once, a restart, or finished
//   meanwhile, as bytes are ready: TakeHashJob() -> OnHashed(), and for a
//   request that AwaitsHash(): FinishHashing() before its OnPartDone()
//   SkipPart()                    for each queued part of a failed object
//   Finish() once finished; Cancel() when the run stops first
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fs/file_writer.h"
#include "fs/resume_journal.h"
#include "http/http_client.h"
#include "s3/object_attributes.h"
#include "s3pull/downloader.h"
#include "s3pull/status.h"
#include "schedule/scheduler.h"
#include "transfer/disk_flusher.h"
#include "transfer/hash_pool.h"
#include "transfer/memory_sink.h"
#include "transfer/verifier.h"

namespace s3pull::transfer {

// kHead: a HEAD that asks for the object's checksum (multipart objects,
// whose ranged parts carry none); kAttributes: a page of its
// GetObjectAttributes (its parts and their checksums).
enum class PartKind { kWhole, kDiscover, kRange, kHead, kAttributes };

struct PartSpec {
  PartKind kind = PartKind::kWhole;
  uint64_t first = 0;   // kRange/kDiscover: the first byte asked for;
                        // kAttributes: the part number the page starts after
  uint64_t length = 0;  // kRange/kDiscover: the bytes asked for
  int attempt = 0;      // 0 = first try; n = n-th retry
};

struct DownloadOptions {
  uint64_t part_size = 8 * 1024 * 1024;
  ChecksumMode checksum_mode = ChecksumMode::kAuto;
  fs::FileWriter::Durability durability = fs::FileWriter::Durability::kPageCache;
  // A file that an earlier run finished, unchanged since, holding the
  // object's current version is not fetched again (FindFinishedCopy): with
  // a listed ETag no request is sent; otherwise the first request carries
  // If-None-Match, and a 304 ends it.
  bool skip_unchanged = true;
  // Keeps destination folders open across objects; null: each opens its own.
  fs::FolderCache* folders = nullptr;
  // The event loop's bytes to hash (verifier.h); null: not counted.
  HashBacklog* hash_backlog = nullptr;
  // Writes the resume journal off the event loop; null: on the caller's
  // thread (it waits for the disk).
  DiskFlusher* disk_flusher = nullptr;
};

// The result of `task` (what it echoes of the task: bucket, key, path,
// version), not started and with no bytes.
ObjectResult ResultOf(const schedule::ObjectTask& task, Status status);

class ObjectDownload {
 public:
  ObjectDownload(schedule::ObjectTask task, const DownloadOptions& options);
  // An object left unfinished (the run was interrupted) keeps its resumable
  // state on disk; any other temporary file is removed.
  ~ObjectDownload();

  const schedule::ObjectTask& task() const { return task_; }
  bool failed() const { return !failure_.ok(); }

  // The first request to send. Not to be sent when unchanged() says the
  // local copy is current: Finish() then.
  PartSpec FirstPart();
  // After FirstPart(): parts 1..part_count()-1 are to be queued with the
  // first request (a listed object fetched in ranges, no HEAD first).
  bool QueueRestWithFirst() const { return phase_ == Phase::kFetching && part_count_ > 1; }
  bool unchanged() const { return phase_ == Phase::kUnchanged; }
  uint64_t part_count() const { return part_count_; }
  // The object's size, once, when a reply has told it (it was not listed).
  std::optional<uint64_t> TakeNewSize();
  // Whether part `index` still has to be fetched: false for parts already on
  // disk from an earlier run, or already sent. TakePart() marks it sent.
  bool Wants(uint64_t index) const;
  PartSpec TakePart(uint64_t index);

  // Range and If-Match for `part`.
  void AddRequestHeaders(const PartSpec& part, http::Headers& headers) const;

  // A response's status line and headers. An error Status (a reply that is
  // not what was asked) fails the object; error statuses from S3 are not
  // errors here: OnPartDone() reports them with the body.
  Status OnPartHeaders(const PartSpec& part, int status, const http::Headers& headers);
  // False when the headers of `part` showed there is no body to read (an
  // empty object announced with a bogus Content-Length).
  bool BodyExpected(const PartSpec& part) const {
    return part.kind != PartKind::kDiscover || size_ != 0u;
  }
  // A piece of a successful response's body, `offset` bytes into the part.
  Status OnPartBody(const PartSpec& part, uint64_t offset, std::string_view data);
  // A response ended well after `received` body bytes: its bytes join the
  // object's hashed front. An object streamed to standard output is checked
  // here; so is an object whose every byte is already hashed (an empty one).
  // A mismatch of an object fetched in one request is returned (the request
  // is worth retrying); a ranged object whose hash disagrees has every part
  // fetched again (no single part is to blame), twice at most, and then
  // fails.
  Status VerifyPart(const PartSpec& part, uint64_t received);

  // What the engine does after a response.
  struct Next {
    uint64_t queue_from = 0;  // queue RangePart(i) for i in [queue_from, queue_to)
    uint64_t queue_to = 0;
    // A request to send at once, in the slot of the one that ended: a plain
    // GET after a 416 to discovery, the checksum HEAD after discovery, or
    // GetObjectAttributes after the HEAD (and its next page).
    std::optional<PartSpec> send_now;
    bool restarted = false;  // the object is being fetched again from scratch
    bool finished = false;   // nothing outstanding, nothing being hashed: call Finish()
  };
  // `status` is the request's outcome: OK, or why it failed.
  Next OnPartDone(const PartSpec& part, const Status& status);
  // A queued part that was not sent because the object had already failed.
  Next SkipPart();

  // Whether the outcome of a request that just ended well (VerifyPart)
  // waits for hashing: it is the object's last request and not every byte
  // is hashed yet. The
  // engine then holds the request until the hashing is done and takes its
  // outcome from FinishHashing().
  bool AwaitsHash() const;
  // The next run of the file to hash (hash_pool.h; the id is the caller's
  // to fill in); nullopt when none is ready, one is out, or the object failed.
  std::optional<HashJob> TakeHashJob();
  // Bytes ready for TakeHashJob().
  uint64_t ready_to_hash() const { return failed() ? 0 : verifier_.ready_to_hash(); }
  // The job from TakeHashJob() ended with `status`.
  Next OnHashed(const Status& status);
  // Every byte is hashed (or the object failed): the outcome of the request
  // that AwaitsHash() held, as VerifyPart() describes.
  Status FinishHashing();

  // A retry of a request that failed: what to send, and what becomes of the
  // bytes the failed one delivered.
  struct Retry {
    PartSpec request;
    enum class From : uint8_t {
      kSame,         // nothing of the object came: the same request again
      kResume,       // the bytes received stay; the rest of the part is asked for
      kPartStart,    // the part starts over
      kObjectStart,  // an object in one request starts over from its first byte
    } from;
  };
  // The retry of `part` after it failed having delivered `received` body
  // bytes; changes nothing. With `resume`, it asks only for the bytes still
  // missing (pinned with If-Match, so they come from the same version);
  // otherwise (the bytes received are suspect) the part starts over.
  // nullopt when the part cannot be retried: bytes already went to stdout.
  std::optional<Retry> PlanRetry(const PartSpec& part, uint64_t received, bool resume) const;
  // The planned `retry` goes (the run's budget allowed it): the object
  // keeps or drops what `part` delivered. Without it, OnPartDone() follows.
  void CommitRetry(const PartSpec& part, uint64_t received, const Retry& retry);

  // Commits or removes the file; the result to report.
  ObjectResult Finish();
  // The run stops with parts of this object outstanding but none in flight
  // (waiting for a retry or in the queue): Finish() as cancelled.
  ObjectResult Cancel();

 private:
  // OnPartHeaders() for each kind of request; kAttributes needs no handler.
  Status OnWholeHeaders(int status, const http::Headers& headers);
  Status OnDiscoveryHeaders(const PartSpec& part, int status, const http::Headers& headers);
  Status OnRangeHeaders(const PartSpec& part, int status, const http::Headers& headers);
  Status OnHeadHeaders(const http::Headers& headers);
  static std::string_view ContentRangeOf(const http::Headers& headers);
  // The first reply with the object's bytes: whether they come in one request.
  void StartReceiving();
  // What to check is known from `headers`: the file to write into is ready.
  Status ReadyForBody(const PartSpec& part, const http::Headers& headers);

  // OnPartDone() for a failed request.
  Next OnPartFailed(const PartSpec& part, const Status& status);
  // Every part is fetched again (the hash of the whole disagreed).
  Next RestartAllParts();
  // Part `index` is on disk: the journal says so.
  void NoteOnDisk(uint64_t index);
  // `part` goes at once, in the slot of the request that ended.
  Next SendNow(const PartSpec& part);

  // The file (or memory) the bytes go to is ready; sized when the size is known.
  Status EnsureSink();
  // Body bytes at `offset` of the object, to where they go.
  Status Write(uint64_t offset, std::string_view data);
  Next Settle();
  // The parts after the first request (discovery, HEAD, attributes) go.
  Next QueueRest();
  // A page of GetObjectAttributes ended with `status`: the next page to ask
  // for, or nullopt when the verifier has had what there is.
  std::optional<PartSpec> OnAttributes(const PartSpec& page, const Status& status);
  // kObjectChanged "the object changed during the download (`detail`)".
  static Status Changed(const std::string& detail);
  // Changed() when a reply names another ETag than the pinned one.
  Status CheckPinnedVersion(const http::Headers& headers) const;
  // The first reply with the object's bytes: its ETag pins the requests to
  // come (or, for an ETag the caller expects, is checked).
  Status PinVersion(const http::Headers& headers);
  // Whether a multipart object should get its checksum from a HEAD.
  bool WantsChecksumHead(std::string_view etag) const;
  // Every part is on disk from an earlier run: one is fetched again, so the
  // object finishes (and is verified) the usual way.
  void KeepOnePartToFetch();
  // The object's size: from a reply, or (no Content-Length) the bytes received.
  uint64_t ObjectSize() const { return size_.value_or(bytes_); }
  PartSpec RangePart(uint64_t index) const;
  // Resumable objects: picks up the journal of an earlier run (or starts
  // one) and marks the parts it names as done.
  Status ResumeFromJournal();
  // A new journal naming no part (RestartAllParts), or the first.
  Status ResetJournal();
  // journal_: what records parts in the journal as it stands.
  Status OpenJournal();
  fs::JournalKey JournalKey() const;
  // Hands the verifier the parts found on disk, once it knows what to check.
  void VerifyResumedParts();

  enum class PartState : uint8_t { kPending, kSent, kDone };
  // Where the object stands (a failure is failure_, whatever the phase).
  enum class Phase : uint8_t {
    kProbing,     // its first request (and a HEAD or attributes after it) learn the
                  // object; its other parts wait
    kFetching,    // its parts are handed to the engine
    kMismatched,  // every part is in and the hash of the whole disagreed:
                  // OnPartDone() fetches them all again
    kUnchanged,   // the local copy is current: nothing to fetch
  };
  Phase phase_ = Phase::kProbing;

  schedule::ObjectTask task_;
  uint64_t part_size_;
  std::optional<uint64_t> size_;
  std::string if_match_;  // quoted ETag to pin parts to; "" = none
  uint64_t part_count_ = 0;
  uint64_t outstanding_ = 0;  // requests planned and not yet done
  uint64_t bytes_ = 0;        // body bytes accepted
  std::optional<fs::FileWriter> writer_;
  Status failure_;
  bool discovered_whole_ = false;  // a 200 answered the discovery request
  bool single_request_ = false;    // the object comes in order in one reply (and its retries)
  bool hash_as_streamed_ = false;  // hashed as the bytes arrive (stdout)
  bool keeps_body_ = false;        // a small object: its bytes kept in body_ to be hashed
  std::string body_;
  int restarts_ = 0;
  // Ranged objects with a known ETag, written to a file, resume across runs:
  // their parts' states, and whether the parts found done are yet hashed.
  bool resumable_ = false;
  std::vector<PartState> parts_;
  std::shared_ptr<fs::JournalAppender> journal_;  // records parts done
  DiskFlusher* disk_flusher_;
  uint64_t parts_on_disk_ = 0;  // parts an earlier run finished (from the journal)
  uint64_t rest_from_ = 1;      // the first part queued once the first request is in
  bool resumed_parts_verified_ = true;
  ChecksumMode checksum_mode_;
  ObjectVerifier verifier_;
  fs::FileWriter::Durability durability_;
  bool skip_unchanged_;
  fs::FolderCache* folders_;
  std::string if_none_match_;        // the ETag of a finished local copy; "" = none
  bool size_told_ = false;           // TakeNewSize() gave it
  std::string attributes_body_;      // the GetObjectAttributes page being received
  s3::ObjectAttributes attributes_;  // its pages so far, their parts joined
  MemorySink memory_;                // Sink::kMemory: where the bytes go
  // A byte range (task_.range): where it starts in the object, and the
  // object's size once a reply told it. (size_ is the range's.)
  uint64_t offset_ = 0;
  uint64_t total_ = 0;
};

}  // namespace s3pull::transfer
