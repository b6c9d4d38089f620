// ObjectDownload implementation; see object_download.h for the shapes of a
// download.
#include "transfer/object_download.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "s3/get_object.h"
#include "schedule/planner.h"

namespace s3pull::transfer {
namespace {

// An object whose hash disagrees is fetched again at most this often
// (corruption on the way is rare; an object corrupt at rest will not heal),
// however many transient failures its requests met.
constexpr int kMaxRestarts = 2;
// Objects up to this size keep their bytes in memory too, to be hashed on
// the event loop in batches (HashInMemory): handing each to a worker would
// cost more than hashing it.
constexpr uint64_t kMaxKeptBodySize = 16 * 1024;
// A GetObjectAttributes page lists at most 1,000 parts (about 150 KB).
constexpr size_t kMaxAttributesBody = 4 * 1024 * 1024;

Status Protocol(std::string message) {
  return Status(StatusCode::kProtocolError, std::move(message));
}

Status WriteToStdout(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(STDOUT_FILENO, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Status(StatusCode::kIoError,
                    std::string("cannot write to standard output: ") + std::strerror(errno));
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

std::optional<uint64_t> ContentLength(const http::Headers& headers) {
  const std::string* value = http::FindHeader(headers, "content-length");
  return value ? s3::ParseContentLength(*value) : std::nullopt;
}

std::string Range(uint64_t first, uint64_t last, uint64_t total) {
  return std::to_string(first) + "-" + std::to_string(last) + "/" + std::to_string(total);
}

}  // namespace

ObjectResult ResultOf(const schedule::ObjectTask& task, Status status) {
  ObjectResult result{task.bucket, task.key, task.dest_path, 0, false, std::move(status)};
  result.version_id = task.version_id;
  return result;
}

ObjectDownload::ObjectDownload(schedule::ObjectTask task, const DownloadOptions& options)
    : task_(std::move(task)),
      part_size_(options.part_size),
      size_(task_.listed_size),
      disk_flusher_(options.disk_flusher),
      // Checksums are of whole objects: a byte range has none to check.
      checksum_mode_(task_.range ? ChecksumMode::kOff : options.checksum_mode),
      verifier_(checksum_mode_, options.hash_backlog),
      durability_(options.durability),
      skip_unchanged_(options.skip_unchanged),
      folders_(options.folders),
      memory_(task_.buffer) {
  if (task_.expected_checksum) verifier_.Expect(*task_.expected_checksum);
}

PartSpec ObjectDownload::FirstPart() {
  outstanding_ = 1;
  part_count_ = 1;
  if (task_.etag_expected) if_match_ = s3::QuotedEtag(task_.listed_etag);
  if (task_.sink == schedule::Sink::kStdout) return {PartKind::kWhole};  // bytes in order
  if (task_.range) {
    // Discovered like a key of unknown size, every request offset by its start.
    offset_ = task_.range->first;
    uint64_t length = task_.range->length;
    return {PartKind::kDiscover, 0, length > 0 ? std::min(length, part_size_) : part_size_};
  }
  if (skip_unchanged_ && task_.sink == schedule::Sink::kFile) {
    if (std::optional<fs::FinishedCopy> copy =
            fs::FindFinishedCopy(task_.dest_path, task_.dest_root, folders_)) {
      if (task_.listed_etag.empty()) {
        if_none_match_ = copy->etag;
      } else if (copy->etag == s3::QuotedEtag(task_.listed_etag) &&
                 (!size_ || copy->size == *size_)) {
        phase_ = Phase::kUnchanged;
        outstanding_ = 0;
        return {};
      }
    }
  }
  if (!size_) return {PartKind::kDiscover, 0, part_size_};
  part_size_ = schedule::ChoosePartSize(*size_, task_.listed_etag, part_size_);
  uint64_t count = schedule::PartCount(*size_, part_size_);
  if (count <= 1) return {PartKind::kWhole};
  part_count_ = count;
  if (!task_.listed_etag.empty()) if_match_ = s3::QuotedEtag(task_.listed_etag);
  resumable_ = !if_match_.empty() && task_.sink == schedule::Sink::kFile;
  if (resumable_) {
    parts_.assign(count, PartState::kPending);
    if (Status resumed = ResumeFromJournal(); !resumed.ok()) failure_ = resumed;
    KeepOnePartToFetch();
  }
  if (WantsChecksumHead(task_.listed_etag)) {
    rest_from_ = 0;  // every part follows the HEAD
    return {PartKind::kHead};
  }
  phase_ = Phase::kFetching;  // the engine queues parts 1..count-1 with this one
  outstanding_ = count - parts_on_disk_;
  uint64_t first = 0;
  while (resumable_ && parts_[first] == PartState::kDone) ++first;
  return TakePart(first);
}

bool ObjectDownload::WantsChecksumHead(std::string_view etag) const {
  return checksum_mode_ != ChecksumMode::kOff && !task_.expected_checksum && part_count_ > 1 &&
         s3::MultipartCount(etag) > 0;
}

void ObjectDownload::KeepOnePartToFetch() {
  if (parts_on_disk_ < part_count_) return;
  // (The last run stopped between the last part and the rename.)
  uint64_t last = part_count_ - 1;
  parts_[last] = PartState::kPending;
  bytes_ -= RangePart(last).length;
  --parts_on_disk_;
}

std::optional<uint64_t> ObjectDownload::TakeNewSize() {
  if (size_told_ || task_.listed_size || !size_) return std::nullopt;
  size_told_ = true;
  return size_;
}

bool ObjectDownload::Wants(uint64_t index) const {
  return !resumable_ || parts_[index] == PartState::kPending;
}

PartSpec ObjectDownload::TakePart(uint64_t index) {
  if (resumable_) parts_[index] = PartState::kSent;
  return RangePart(index);
}

fs::JournalKey ObjectDownload::JournalKey() const { return {if_match_, *size_, part_size_}; }

Status ObjectDownload::ResumeFromJournal() {
  if (Status file = EnsureSink(); !file.ok()) return file;
  std::optional<std::vector<uint64_t>> done = fs::JournalDoneParts(
      writer_->reused() ? writer_->ReadJournal() : "", JournalKey(), part_count_);
  // Another version, size or part size: start afresh (the file is rewritten).
  if (!done) return ResetJournal();
  if (Status opened = OpenJournal(); !opened.ok()) return opened;
  for (uint64_t index : *done) {
    if (parts_[index] != PartState::kPending) continue;  // the part being fetched now
    parts_[index] = PartState::kDone;
    bytes_ += RangePart(index).length;
    ++parts_on_disk_;
    resumed_parts_verified_ = false;
  }
  return Status::Ok();
}

void ObjectDownload::VerifyResumedParts() {
  if (resumed_parts_verified_) return;
  resumed_parts_verified_ = true;
  for (uint64_t i = 0; i < part_count_; ++i) {
    if (parts_[i] != PartState::kDone) continue;
    schedule::ByteRange range = schedule::PartRange(*size_, part_size_, i);
    verifier_.RangeDone(range.first, range.length);
  }
}

ObjectDownload::~ObjectDownload() {
  if (writer_ && resumable_) writer_->Keep();
}

PartSpec ObjectDownload::RangePart(uint64_t index) const {
  schedule::ByteRange range = schedule::PartRange(*size_, part_size_, index);
  return {PartKind::kRange, range.first, range.length};
}

void ObjectDownload::AddRequestHeaders(const PartSpec& part, http::Headers& headers) const {
  if (!if_none_match_.empty() &&
      (part.kind == PartKind::kWhole || part.kind == PartKind::kDiscover)) {
    headers.emplace_back("if-none-match", if_none_match_);
  }
  if (part.kind == PartKind::kRange || part.kind == PartKind::kDiscover) {
    headers.emplace_back("range", s3::RangeHeader(offset_ + part.first, part.length));
  }
  bool pinned = part.kind == PartKind::kRange || part.kind == PartKind::kHead ||
                (task_.etag_expected && part.kind != PartKind::kAttributes);
  if (pinned && !if_match_.empty()) headers.emplace_back("if-match", if_match_);
}

Status ObjectDownload::EnsureSink() {
  if (task_.sink == schedule::Sink::kStdout || writer_) return Status::Ok();
  if (task_.sink == schedule::Sink::kMemory) return size_ ? memory_.Reserve(*size_) : Status::Ok();
  Result<fs::FileWriter> writer =
      resumable_ ? fs::FileWriter::CreateResumable(task_.dest_path, task_.dest_root, folders_)
                 : fs::FileWriter::Create(task_.dest_path, task_.dest_root, folders_);
  if (!writer.ok()) return writer.status();
  writer_.emplace(std::move(*writer));
  return size_ ? writer_->Preallocate(*size_) : Status::Ok();
}

Status ObjectDownload::OnPartHeaders(const PartSpec& part, int status,
                                     const http::Headers& headers) {
  if (status != 200 && status != 206) return Status::Ok();  // an S3 error: see OnPartDone
  if (failed()) return failure_;
  Status accepted;
  switch (part.kind) {
    case PartKind::kWhole:
      accepted = OnWholeHeaders(status, headers);
      break;
    case PartKind::kDiscover:
      accepted = OnDiscoveryHeaders(part, status, headers);
      break;
    case PartKind::kRange:
      accepted = OnRangeHeaders(part, status, headers);
      break;
    case PartKind::kHead:
      return OnHeadHeaders(headers);
    case PartKind::kAttributes:
      return status == 200 ? Status::Ok() : Protocol("HTTP 206 in answer to GetObjectAttributes");
  }
  if (!accepted.ok()) return accepted;
  if (part.kind != PartKind::kRange) StartReceiving();
  return ReadyForBody(part, headers);
}

std::string_view ObjectDownload::ContentRangeOf(const http::Headers& headers) {
  const std::string* header = http::FindHeader(headers, "content-range");
  return header ? std::string_view(*header) : std::string_view();
}

Status ObjectDownload::OnWholeHeaders(int status, const http::Headers& headers) {
  if (status != 200) return Protocol("HTTP 206 in answer to a GET without Range");
  if (!size_) size_ = ContentLength(headers);
  return PinVersion(headers);  // a resumed retry must get the same version
}

Status ObjectDownload::OnDiscoveryHeaders(const PartSpec& part, int status,
                                          const http::Headers& headers) {
  if (status == 200) {
    if (task_.range)
      return Protocol("HTTP 200 in answer to a ranged GET: the server ignored Range");
    // The server sent the whole object: it is complete in this one reply.
    discovered_whole_ = true;
    size_ = ContentLength(headers);
    phase_ = Phase::kFetching;
    return CheckPinnedVersion(headers);
  }
  std::string_view content_range = ContentRangeOf(headers);
  std::optional<s3::ContentRange> range = s3::ParseContentRange(content_range);
  if (!range && content_range.ends_with("/0")) {
    // An empty object. S3 answers 416, but some servers send 206 "bytes
    // 0-0/0" with a Content-Length of 1 and no body: the body is not read.
    size_ = 0;
    return Status::Ok();
  }
  bool answers = range && range->first == offset_ && range->total > offset_ &&
                 range->last == offset_ + std::min(part.length, range->total - offset_) - 1;
  if (!answers) {
    return Protocol("Content-Range '" + std::string(content_range) + "' does not answer Range " +
                    s3::RangeHeader(offset_, part.length));
  }
  total_ = range->total;
  uint64_t rest = total_ - offset_;
  size_ = task_.range && task_.range->length > 0 ? std::min(task_.range->length, rest) : rest;
  if (Status pinned = PinVersion(headers); !pinned.ok()) return pinned;
  part_count_ = schedule::PartCount(*size_, part_size_);
  if (part_count_ <= 1 || if_match_.empty() || task_.sink != schedule::Sink::kFile || task_.range) {
    return Status::Ok();
  }
  // Now that size and version are known, an earlier run's parts of this
  // version can be used; this reply is part 0.
  resumable_ = true;
  parts_.assign(part_count_, PartState::kPending);
  parts_[0] = PartState::kSent;
  return ResumeFromJournal();
}

Status ObjectDownload::OnRangeHeaders(const PartSpec& part, int status,
                                      const http::Headers& headers) {
  if (status != 206) {
    return Protocol("HTTP " + std::to_string(status) +
                    " in answer to a ranged GET: the server ignored Range");
  }
  std::string_view content_range = ContentRangeOf(headers);
  std::optional<s3::ContentRange> range = s3::ParseContentRange(content_range);
  uint64_t first = offset_ + part.first;
  uint64_t last = first + part.length - 1;
  uint64_t total = task_.range ? total_ : *size_;
  if (!range || range->first != first || range->last != last || range->total != total) {
    return Protocol("Content-Range '" + std::string(content_range) + "' does not answer bytes " +
                    Range(first, last, total));
  }
  return CheckPinnedVersion(headers);
}

Status ObjectDownload::OnHeadHeaders(const http::Headers& headers) {
  // The object's headers, as a whole reply would carry them.
  if (Status changed = CheckPinnedVersion(headers); !changed.ok()) return changed;
  if (std::optional<uint64_t> length = ContentLength(headers); length != size_) {
    return Changed("size " + (length ? std::to_string(*length) : std::string("unknown")) +
                   ", expected " + std::to_string(*size_));
  }
  if (Status chosen = verifier_.Choose(headers, /*whole_reply=*/true); !chosen.ok()) {
    return chosen;
  }
  // Asking again would not help: the object fails (unless its parts, still
  // to come, may tell).
  if (Status required = verifier_.RequireSomething();
      !required.ok() && !verifier_.wants_attributes()) {
    failure_ = required;
  }
  return failure_;
}

void ObjectDownload::StartReceiving() {
  single_request_ = part_count_ <= 1;
  // Memory of unknown size grows as the bytes come: nothing may read it meanwhile.
  hash_as_streamed_ =
      task_.sink == schedule::Sink::kStdout || (task_.sink == schedule::Sink::kMemory && !size_);
}

Status ObjectDownload::ReadyForBody(const PartSpec& part, const http::Headers& headers) {
  if (Status chosen = verifier_.Choose(headers, single_request_); !chosen.ok()) return chosen;
  keeps_body_ = task_.sink == schedule::Sink::kFile && single_request_ && size_ &&
                *size_ <= kMaxKeptBodySize && verifier_.active();
  // (A discovered multipart object may still learn its checksum from a HEAD.)
  bool head_to_come = part.kind == PartKind::kDiscover && WantsChecksumHead(if_match_);
  if (Status required = verifier_.RequireSomething(); !required.ok() && !head_to_come) {
    failure_ = required;  // not worth asking again
    return failure_;
  }
  if (Status file = EnsureSink(); !file.ok()) return file;
  VerifyResumedParts();
  return Status::Ok();
}

Status ObjectDownload::Changed(const std::string& detail) {
  return Status(StatusCode::kObjectChanged,
                "the object changed during the download (" + detail + ")");
}

Status ObjectDownload::PinVersion(const http::Headers& headers) {
  if (task_.etag_expected) return CheckPinnedVersion(headers);
  if (const std::string* etag = http::FindHeader(headers, "etag"))
    if_match_ = s3::QuotedEtag(*etag);
  return Status::Ok();
}

Status ObjectDownload::CheckPinnedVersion(const http::Headers& headers) const {
  // Servers that ignore If-Match still say which version they sent: another
  // ETag is what S3 would have answered with 412 had it honoured If-Match.
  const std::string* etag = http::FindHeader(headers, "etag");
  if (if_match_.empty() || !etag || s3::QuotedEtag(*etag) == if_match_) return Status::Ok();
  return Changed("ETag " + *etag + ", expected " + if_match_);
}

Status ObjectDownload::OnPartBody(const PartSpec& part, uint64_t offset, std::string_view data) {
  if (failed()) return failure_;
  if (part.kind == PartKind::kAttributes) {
    if (attributes_body_.size() + data.size() > kMaxAttributesBody) {
      return Protocol("GetObjectAttributes response larger than 4 MiB");
    }
    attributes_body_.append(data);
    return Status::Ok();
  }
  uint64_t limit = part.kind == PartKind::kRange ? part.length : size_.value_or(UINT64_MAX);
  if (part.kind == PartKind::kDiscover && !discovered_whole_) limit = std::min(part.length, *size_);
  if (offset + data.size() > limit) {
    return Protocol("the server sent more bytes than asked for (" +
                    std::to_string(offset + data.size()) + " > " + std::to_string(limit) + ")");
  }
  if (Status written = Write(part.first + offset, data); !written.ok()) return written;
  bytes_ += data.size();
  if (hash_as_streamed_) {
    verifier_.Stream(data);
  } else {
    verifier_.Arrived(part.first + offset, data.size());
  }
  if (keeps_body_) {
    uint64_t at = part.first + offset;
    if (body_.size() < at + data.size()) body_.resize(at + data.size());
    data.copy(body_.data() + at, data.size());
  }
  return Status::Ok();
}

Status ObjectDownload::VerifyPart(const PartSpec& part, uint64_t received) {
  if (failed() || part.kind == PartKind::kHead || part.kind == PartKind::kAttributes) {
    return Status::Ok();
  }
  if (single_request_) {
    // Done when every byte is in (a resumed request ends it too).
    if (!verifier_.active() || (size_ && bytes_ != *size_)) return Status::Ok();
    if (!hash_as_streamed_) verifier_.RangeDone(0, bytes_);
  } else {
    // Noted even before the verifier knows what to check (a HEAD may tell).
    verifier_.RangeDone(part.first, received);
  }
  return verifier_.active() && verifier_.Complete(ObjectSize()) ? FinishHashing() : Status::Ok();
}

Status ObjectDownload::Write(uint64_t offset, std::string_view data) {
  switch (task_.sink) {
    case schedule::Sink::kStdout:
      return WriteToStdout(data);
    case schedule::Sink::kMemory:
      return memory_.WriteAt(offset, data);
    case schedule::Sink::kFile:
      break;
  }
  return writer_->WriteAt(offset, data);
}

bool ObjectDownload::AwaitsHash() const {
  bool last_request = outstanding_ == 1 && (phase_ != Phase::kProbing || part_count_ <= 1);
  return last_request && !failed() && verifier_.busy();
}

std::optional<HashJob> ObjectDownload::TakeHashJob() {
  bool in_memory = task_.sink == schedule::Sink::kMemory;
  if (failed() || (!writer_ && !in_memory)) return std::nullopt;
  std::optional<ObjectVerifier::Work> work = verifier_.TakeWork();
  if (!work) return std::nullopt;
  HashJob job{0, work->hasher, writer_ ? &*writer_ : nullptr, work->first, work->end};
  if (in_memory) {
    job.bytes = memory_.At(work->first);
    job.small = single_request_ && ObjectSize() <= kMaxKeptBodySize;
  } else if (keeps_body_ && work->end <= body_.size()) {
    job.bytes = body_.data() + work->first;
    job.small = true;
  }
  return job;
}

ObjectDownload::Next ObjectDownload::OnHashed(const Status& status) {
  verifier_.WorkDone();
  if (!status.ok() && failure_.ok()) failure_ = status;
  return Settle();
}

Status ObjectDownload::FinishHashing() {
  if (failed()) return Status::Ok();  // reported by Finish()
  Status status = verifier_.Check();
  if (status.ok()) return status;
  if (restarts_ >= kMaxRestarts) {
    failure_ = status;  // a mismatch that persists: the object is corrupt at rest
    return Status::Ok();
  }
  if (single_request_) {
    ++restarts_;
    return status;  // the engine fetches it again
  }
  phase_ = Phase::kMismatched;  // every part is in: OnPartDone fetches them all again
  return Status::Ok();
}

ObjectDownload::Next ObjectDownload::OnPartDone(const PartSpec& part, const Status& status) {
  --outstanding_;
  if (part.kind == PartKind::kAttributes) {
    if (std::optional<PartSpec> next_page = OnAttributes(part, status)) return SendNow(*next_page);
    return failed() ? Settle() : QueueRest();
  }
  if (!status.ok()) return OnPartFailed(part, status);
  if (phase_ == Phase::kMismatched) return RestartAllParts();
  if (resumable_ && (part.kind == PartKind::kRange || part.kind == PartKind::kDiscover) &&
      !failed()) {
    NoteOnDisk(part.first / part_size_);
  }
  if (part.kind == PartKind::kDiscover && !failed() && !verifier_.active() &&
      WantsChecksumHead(if_match_)) {
    return SendNow(PartSpec{PartKind::kHead});  // a discovered multipart object: its checksum first
  }
  if (part.kind == PartKind::kHead && !failed() && verifier_.wants_attributes()) {
    return SendNow(PartSpec{PartKind::kAttributes});  // a checksum that may be composite: its parts
  }
  return QueueRest();
}

ObjectDownload::Next ObjectDownload::SendNow(const PartSpec& part) {
  ++outstanding_;
  Next next;
  next.send_now = part;
  return next;
}

ObjectDownload::Next ObjectDownload::OnPartFailed(const PartSpec& part, const Status& status) {
  if (status.http_status() == 304 && !if_none_match_.empty() && part.kind != PartKind::kRange) {
    phase_ = Phase::kUnchanged;  // If-None-Match held: the local copy is current
    return Settle();
  }
  if (part.kind == PartKind::kDiscover && status.http_status() == 416 && !failed()) {
    if (task_.range) {
      failure_ = Status::Service(
          416, status.s3_code(),
          "the object has no byte " + std::to_string(offset_) + ": the range starts past its end");
      return Settle();
    }
    return SendNow(PartSpec{PartKind::kWhole});  // S3's answer for an empty object: GET it plainly
  }
  if (failure_.ok()) {
    // A failed If-Match is of s3pull's asking: its own code, and words that
    // say what happened (S3's "At least one of the pre-conditions..." do not).
    bool if_match_failed =
        status.code() == StatusCode::kServiceError && status.http_status() == 412;
    if (!if_match_failed) {
      failure_ = status;
    } else if (task_.etag_expected) {
      failure_ = Status(StatusCode::kObjectChanged,
                        "the object is not the version expected: its ETag is not " + if_match_);
    } else {
      failure_ = Changed("If-Match " + if_match_ + " failed: HTTP 412");
    }
  }
  return Settle();
}

ObjectDownload::Next ObjectDownload::RestartAllParts() {
  // The hash of the whole disagreed: fetch every part again, once or twice.
  phase_ = Phase::kFetching;
  ++restarts_;
  bytes_ = 0;
  verifier_.Restart();
  if (resumable_) {
    parts_.assign(part_count_, PartState::kPending);
    if (Status reset = ResetJournal(); !reset.ok()) failure_ = reset;
  }
  outstanding_ += part_count_;
  Next next = Settle();
  next.queue_from = 0;
  next.queue_to = part_count_;
  next.restarted = true;
  return next;
}

Status ObjectDownload::ResetJournal() {
  // Lines still on their way to the old journal must not reach the new one.
  if (journal_) journal_->Retire();
  journal_.reset();
  if (Status reset = writer_->ResetJournal(fs::JournalHeader(JournalKey())); !reset.ok()) {
    return reset;
  }
  return OpenJournal();
}

Status ObjectDownload::OpenJournal() {
  Result<std::shared_ptr<fs::JournalAppender>> appender = writer_->OpenJournalAppender();
  if (!appender.ok()) return appender.status();
  journal_ = std::move(*appender);
  return Status::Ok();
}

void ObjectDownload::NoteOnDisk(uint64_t index) {
  parts_[index] = PartState::kDone;
  // The journal is a help for the next run, not part of this one's outcome:
  // a line not written costs that run one part fetched again.
  if (!journal_) return;
  if (disk_flusher_ != nullptr) {
    disk_flusher_->Append(journal_, fs::JournalDoneLine(index));
  } else {
    (void)journal_->Append(fs::JournalDoneLine(index));
  }
}

ObjectDownload::Next ObjectDownload::QueueRest() {
  if (phase_ != Phase::kProbing || !size_) return Settle();
  // The first request (discovery, the checksum HEAD or GetObjectAttributes)
  // is in: the parts may go.
  phase_ = Phase::kFetching;
  if (part_count_ <= rest_from_) return Settle();
  outstanding_ += part_count_ - rest_from_ - parts_on_disk_;
  Next next = Settle();
  next.queue_from = rest_from_;
  next.queue_to = part_count_;
  return next;
}

std::optional<PartSpec> ObjectDownload::OnAttributes(const PartSpec& page, const Status& status) {
  std::string body = std::move(attributes_body_);
  attributes_body_.clear();
  if (failed()) return std::nullopt;
  if (status.code() == StatusCode::kCancelled) {
    failure_ = status;
    return std::nullopt;
  }
  // A server that does not answer (or not understandably) leaves the
  // checksum unchecked; one that contradicts the object fails it.
  Result<s3::ObjectAttributes> reply =
      status.ok() ? s3::ParseGetObjectAttributes(body) : Result<s3::ObjectAttributes>(status);
  if (!reply.ok()) {
    verifier_.NoAttributes("GetObjectAttributes failed: " + reply.status().ToString());
  } else if (!reply->etag.empty() && s3::QuotedEtag(reply->etag) != if_match_) {
    failure_ = Changed("ETag \"" + reply->etag + "\", expected " + if_match_);
  } else if (reply->size && reply->size != size_) {
    failure_ =
        Changed("size " + std::to_string(*reply->size) + ", expected " + std::to_string(*size_));
  } else {
    uint64_t part_count = s3::MultipartCount(if_match_);
    bool more = reply->is_truncated;
    uint64_t marker = reply->next_part_number_marker;
    if (page.first == 0) {
      attributes_ = std::move(*reply);  // the object's checksum, and the first parts
    } else {
      attributes_.parts.insert(attributes_.parts.end(), reply->parts.begin(), reply->parts.end());
    }
    if (more && attributes_.parts.size() < part_count) {
      if (marker > page.first) return PartSpec{PartKind::kAttributes, marker};
      verifier_.NoAttributes("GetObjectAttributes lists parts out of order");
    } else if (Status used = verifier_.UseAttributes(attributes_, *size_, part_count); !used.ok()) {
      failure_ = used;
    }
  }
  attributes_ = {};
  if (failure_.ok()) failure_ = verifier_.RequireSomething();
  return std::nullopt;
}

std::optional<ObjectDownload::Retry> ObjectDownload::PlanRetry(const PartSpec& part,
                                                               uint64_t received,
                                                               bool resume) const {
  PartSpec again = part;
  again.attempt = part.attempt + 1;
  if (part.kind == PartKind::kHead || part.kind == PartKind::kAttributes) {
    return Retry{again, Retry::From::kSame};  // no bytes of the object came with it
  }
  if (resume) {
    if (received == 0) return Retry{again, Retry::From::kSame};
    // Resume where the body broke off: the part's remaining bytes, as a range.
    uint64_t end = part.kind == PartKind::kWhole || discovered_whole_
                       ? size_.value_or(0)
                       : part.first + std::min(part.length, size_.value_or(part.length));
    if (size_ && end > part.first + received) {
      again.kind = PartKind::kRange;
      again.first = part.first + received;
      again.length = end - again.first;
      return Retry{again, Retry::From::kResume};
    }
  }
  // Start over: the bytes received are suspect, or there is nowhere to resume
  // from. An object fetched in one request starts over from its first byte,
  // whatever piece of it this request was, since its hash covers it all.
  if (!single_request_) return Retry{again, Retry::From::kPartStart};
  if (task_.sink == schedule::Sink::kStdout && bytes_ > 0) return std::nullopt;  // already out
  // (A byte range, of a known size by now, is asked for again as a range.)
  again.kind = task_.range ? PartKind::kRange : PartKind::kWhole;
  again.first = 0;
  again.length = task_.range ? size_.value_or(0) : 0;
  return Retry{again, Retry::From::kObjectStart};
}

void ObjectDownload::CommitRetry(const PartSpec& part, uint64_t received, const Retry& retry) {
  switch (retry.from) {
    case Retry::From::kSame:
      attributes_body_.clear();
      return;
    case Retry::From::kResume:
      // The bytes that arrived stay; a ranged object hashes them like a
      // finished part (an object in one request hashes all at the end).
      if (!single_request_) verifier_.RangeDone(part.first, received);
      return;
    case Retry::From::kPartStart:
      bytes_ -= received;
      return;
    case Retry::From::kObjectStart:
      bytes_ = 0;
      verifier_.Restart();
      return;
  }
}

ObjectDownload::Next ObjectDownload::SkipPart() {
  --outstanding_;
  return Settle();
}

ObjectDownload::Next ObjectDownload::Settle() {
  Next next;
  next.finished = outstanding_ == 0 && !verifier_.hashing();
  return next;
}

ObjectResult ObjectDownload::Cancel() {
  if (!failed()) failure_ = Status(StatusCode::kCancelled, "interrupted");
  return Finish();
}

ObjectResult ObjectDownload::Finish() {
  if (phase_ == Phase::kUnchanged) {
    ObjectResult result = ResultOf(task_, Status::Ok());
    result.outcome = Outcome::kUnchanged;
    result.started = !if_none_match_.empty();  // a 304, or no request at all
    return result;
  }
  Status status = failure_;
  if (status.ok() && size_ && bytes_ != *size_) {
    status = Protocol("received " + std::to_string(bytes_) + " bytes of " + std::to_string(*size_));
  }
  if (status.ok() && task_.listed_size && bytes_ != *task_.listed_size) {
    status = Protocol("received " + std::to_string(bytes_) + " bytes, the listing said " +
                      std::to_string(*task_.listed_size));
  }
  if (status.ok() && !verifier_.checked()) {
    status = Status(StatusCode::kIntegrityError, "not every byte of the object was verified");
  }
  if (status.ok() && writer_) {
    // (A range is not the object: a later run must not take it for one.)
    if (!task_.range) writer_->NoteOrigin(if_match_);
    status = writer_->Commit(durability_);
  }
  if (writer_) {
    // An interrupted object keeps what it has for the next run; otherwise
    // nothing stays (a no-op after a successful Commit()).
    if (resumable_ && status.code() == StatusCode::kCancelled) {
      writer_->Keep();
    } else {
      writer_->Abort();
    }
  }
  ObjectResult result = ResultOf(task_, std::move(status));
  result.bytes = result.status.ok() ? bytes_ : 0;
  result.started = true;
  if (result.status.ok() && task_.sink == schedule::Sink::kMemory)
    result.data = memory_.Take(bytes_);
  return result;
}

}  // namespace s3pull::transfer
