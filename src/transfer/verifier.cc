// ObjectVerifier implementation; see verifier.h.
#include "transfer/verifier.h"

#include <algorithm>

#include "common/hex.h"
#include "s3/checksums.h"
#include "s3/get_object.h"

namespace s3pull::transfer {

// Keeps the backlog's counts of this verifier's bytes right across a change
// of its state (unsigned wrap-around makes a decrease a plain addition).
class ObjectVerifier::Tally {
 public:
  explicit Tally(ObjectVerifier& verifier) : verifier_(verifier), ready_(verifier.Unsubmitted()) {}
  ~Tally() {
    if (verifier_.backlog_) verifier_.backlog_->ready_bytes += verifier_.Unsubmitted() - ready_;
  }
  Tally(const Tally&) = delete;
  Tally& operator=(const Tally&) = delete;

 private:
  ObjectVerifier& verifier_;
  uint64_t ready_;
};

Status ObjectVerifier::Choose(const http::Headers& headers, bool whole_reply) {
  if (mode_ == ChecksumMode::kOff || active()) return Status::Ok();
  Tally tally(*this);
  if (whole_reply) {
    Result<std::optional<s3::S3Checksum>> checksum = s3::ParseChecksumHeaders(headers);
    if (!checksum.ok()) return checksum.status();
    // A multipart object's checksum counts only when the server says it is
    // of the whole object: some servers send a composite one unmarked.
    const std::string* etag = http::FindHeader(headers, "etag");
    bool multipart = etag != nullptr && s3::MultipartCount(*etag) > 0;
    const std::string* type = http::FindHeader(headers, "x-amz-checksum-type");
    bool said_full = type != nullptr && *type == "FULL_OBJECT";
    if (*checksum && (*checksum)->type == s3::ChecksumType::kFullObject &&
        (!multipart || said_full)) {
      algorithm_ = (*checksum)->algorithm;
      expected_ = (*checksum)->digest;
      what_ = std::string(checksum::AlgorithmName(algorithm_));
    } else if (*checksum && multipart) {
      wants_attributes_ = true;
    }
  }
  const std::string* etag = http::FindHeader(headers, "etag");
  if (expected_.empty() && etag != nullptr) {
    if (std::optional<checksum::Digest> md5 = s3::EtagMd5(*etag, headers)) {
      algorithm_ = checksum::HashAlgorithm::kMd5;
      expected_ = std::move(*md5);
      what_ = "MD5 (the ETag)";
    }
  }
  if (!expected_.empty()) hasher_ = NewObjectHasher();
  return Status::Ok();
}

void ObjectVerifier::Expect(const s3::S3Checksum& checksum) {
  Tally tally(*this);
  algorithm_ = checksum.algorithm;
  expected_ = checksum.digest;
  what_ = std::string(checksum::AlgorithmName(algorithm_)) + " (the one expected)";
  hasher_ = NewObjectHasher();
}

Status ObjectVerifier::UseAttributes(const s3::ObjectAttributes& attributes, uint64_t size,
                                     uint64_t part_count) {
  Tally tally(*this);
  wants_attributes_ = false;
  auto bad = [](const std::string& why) {
    return Status(StatusCode::kProtocolError, "GetObjectAttributes response: " + why);
  };
  if (attributes.checksum_algorithm.empty()) {
    NoAttributes("GetObjectAttributes gives no checksum");
    return Status::Ok();
  }
  std::optional<checksum::HashAlgorithm> algorithm =
      s3::ChecksumAlgorithmNamed(attributes.checksum_algorithm);
  if (!algorithm) {
    NoAttributes("its checksum algorithm " + attributes.checksum_algorithm + " is unknown");
    return Status::Ok();
  }
  Result<s3::S3Checksum> checksum =
      s3::ParseChecksumValue(*algorithm, attributes.checksum, attributes.checksum_type);
  if (!checksum.ok()) return bad(checksum.status().message() + ": \"" + attributes.checksum + "\"");
  algorithm_ = *algorithm;
  if (checksum->type == s3::ChecksumType::kFullObject) {
    expected_ = checksum->digest;
    what_ = std::string(checksum::AlgorithmName(algorithm_));
    hasher_ = NewObjectHasher();
    return Status::Ok();
  }
  if (attributes.parts.empty()) {
    NoAttributes("its checksum is composite and the server lists no checksums of its parts");
    return Status::Ok();
  }
  if (attributes.parts.size() != part_count ||
      (checksum->part_count != 0 && checksum->part_count != part_count)) {
    return bad(std::to_string(attributes.parts.size()) + " parts listed, the ETag says " +
               std::to_string(part_count));
  }
  checksum::Digest expected;
  std::vector<checksum::Digest> digests;
  std::vector<uint64_t> sizes;
  uint64_t total = 0;
  for (const s3::ObjectPart& part : attributes.parts) {
    std::string which = "part " + std::to_string(part.number);
    if (part.number != sizes.size() + 1) {
      return bad(which + " listed in place " + std::to_string(sizes.size() + 1));
    }
    if (part.checksum_algorithm != attributes.checksum_algorithm) {
      return bad(which + " has no " + attributes.checksum_algorithm + " checksum");
    }
    Result<s3::S3Checksum> digest =
        s3::ParseChecksumValue(*algorithm, part.checksum, "FULL_OBJECT");
    if (!digest.ok()) return bad(which + ": " + digest.status().message());
    expected.insert(expected.end(), digest->digest.begin(), digest->digest.end());
    digests.push_back(std::move(digest->digest));
    sizes.push_back(part.size);
    total += part.size;
  }
  if (total != size) {
    return bad("the parts add up to " + std::to_string(total) + " bytes, the object has " +
               std::to_string(size));
  }
  s3::S3Checksum composite = s3::CompositeChecksum(*algorithm, digests);
  if (composite.digest != checksum->digest) {
    return Status(StatusCode::kIntegrityError,
                  "checksum mismatch: the " + attributes.checksum_algorithm +
                      " checksums of the parts make " + s3::ChecksumHeaderValue(composite) +
                      ", the object's is " + attributes.checksum);
  }
  expected_ = std::move(expected);
  part_sizes_ = std::move(sizes);
  what_ = attributes.checksum_algorithm;
  hasher_ = NewObjectHasher();
  return Status::Ok();
}

void ObjectVerifier::NoAttributes(std::string why) {
  wants_attributes_ = false;
  unchecked_why_ = std::move(why);
}

Status ObjectVerifier::RequireSomething() const {
  if (mode_ != ChecksumMode::kRequired || active()) return Status::Ok();
  std::string why = unchecked_why_.empty()
                        ? "the ETag is not an MD5 and S3 sent no full-object checksum"
                        : unchecked_why_;
  return Status(StatusCode::kIntegrityError,
                "no checksum to verify: " + why + " (--checksum required)");
}

std::unique_ptr<checksum::Hasher> ObjectVerifier::NewObjectHasher() const {
  return part_sizes_.empty() ? checksum::NewHasher(algorithm_)
                             : checksum::NewPartsHasher(algorithm_, part_sizes_);
}

ObjectVerifier::~ObjectVerifier() {
  if (backlog_) backlog_->ready_bytes -= Unsubmitted();
}

uint64_t ObjectVerifier::Unsubmitted() const {
  // Bytes behind a run being hashed cannot be taken yet: they count once it is done.
  if (!hasher_ || hashing_) return 0;
  return ready_ - hashed_;
}

void ObjectVerifier::Stream(std::string_view data) {
  if (!hasher_) return;
  hasher_->Update(data);
  hashed_ += data.size();
  ready_ = hashed_;
}

void ObjectVerifier::Restart() {
  Tally tally(*this);
  if (hashing_) retired_ = std::move(hasher_);  // a worker still uses it
  if (active()) hasher_ = NewObjectHasher();
  hashed_ = ready_ = 0;
  work_end_ = 0;
  waiting_.clear();
}

void ObjectVerifier::Arrived(uint64_t first, uint64_t size) {
  uint64_t end = first + size;
  if (first > ready_ || end <= ready_) return;  // out of order, or already noted
  Tally tally(*this);
  ready_ = end;
  JoinWaiting();
}

void ObjectVerifier::RangeDone(uint64_t first, uint64_t length) {
  uint64_t end = first + length;
  if (end <= ready_) return;
  Tally tally(*this);
  uint64_t& known = waiting_[std::max(first, ready_)];
  known = std::max(known, end);
  JoinWaiting();
}

void ObjectVerifier::JoinWaiting() {
  while (!waiting_.empty() && waiting_.begin()->first <= ready_) {
    ready_ = std::max(ready_, waiting_.begin()->second);
    waiting_.erase(waiting_.begin());
  }
}

std::optional<ObjectVerifier::Work> ObjectVerifier::TakeWork() {
  if (!hasher_ || hashing_ || ready_ == hashed_) return std::nullopt;
  Tally tally(*this);
  hashing_ = true;
  work_end_ = ready_;
  return Work{hasher_.get(), hashed_, work_end_};
}

void ObjectVerifier::WorkDone() {
  Tally tally(*this);
  hashing_ = false;
  if (retired_) {
    retired_.reset();  // hashed for an attempt that was restarted since
    return;
  }
  hashed_ = work_end_;
}

Status ObjectVerifier::Check() {
  if (!hasher_) return Status::Ok();
  Tally tally(*this);
  checksum::Digest actual = hasher_->Finish();
  hasher_.reset();
  if (actual == expected_) return Status::Ok();
  if (part_sizes_.empty() || actual.size() != expected_.size()) {
    return Status(StatusCode::kIntegrityError, "checksum mismatch: " + what_ + " expected " +
                                                   HexEncode(expected_) + ", got " +
                                                   HexEncode(actual));
  }
  // Name the first part that differs.
  size_t digest_size = checksum::DigestSize(algorithm_);
  size_t part =
      (std::mismatch(actual.begin(), actual.end(), expected_.begin()).first - actual.begin()) /
      digest_size;
  auto digest = [&](const checksum::Digest& all) {
    return HexEncode(std::span(all).subspan(part * digest_size, digest_size));
  };
  return Status(StatusCode::kIntegrityError, "checksum mismatch: " + what_ + " of part " +
                                                 std::to_string(part + 1) + " of " +
                                                 std::to_string(part_sizes_.size()) + " expected " +
                                                 digest(expected_) + ", got " + digest(actual));
}

}  // namespace s3pull::transfer
