// ObjectVerifier implementation; see verifier.h.
#include "transfer/verifier.h"

#include "s3/get_object.h"

namespace s3pull::transfer {

Status ObjectVerifier::Choose(const http::Headers& headers, bool whole_reply) {
  if (mode_ == ChecksumMode::kOff || active()) return Status::Ok();
  if (whole_reply) {
    Result<std::optional<S3Checksum>> checksum = ParseChecksumHeaders(headers);
    if (!checksum.ok()) return checksum.status();
    // A multipart object's checksum counts only when the server says it is
    // of the whole object: some servers send a composite one unmarked.
    const std::string* etag = http::FindHeader(headers, "etag");
    bool multipart = etag != nullptr && s3::MultipartCount(*etag) > 0;
    const std::string* type = http::FindHeader(headers, "x-amz-checksum-type");
    bool said_full = type != nullptr && *type == "FULL_OBJECT";
    if (*checksum && (*checksum)->type == ChecksumType::kFullObject && (!multipart || said_full)) {
      algorithm_ = (*checksum)->algorithm;
      expected_ = (*checksum)->digest;
      what_ = std::string(AlgorithmName(algorithm_));
    }
  }
  const std::string* etag = http::FindHeader(headers, "etag");
  if (expected_.empty() && etag != nullptr) {
    if (std::optional<Digest> md5 = EtagMd5(*etag, headers)) {
      algorithm_ = HashAlgorithm::kMd5;
      expected_ = std::move(*md5);
      what_ = "MD5 (the ETag)";
    }
  }
  if (!expected_.empty()) hasher_ = NewHasher(algorithm_);
  return Status::Ok();
}

Status ObjectVerifier::RequireSomething() const {
  if (mode_ != ChecksumMode::kRequired || active()) return Status::Ok();
  return Status(StatusCode::kIntegrityError,
                "no checksum to verify: the ETag is not an MD5 and S3 sent no full-object "
                "checksum (--checksum required)");
}

void ObjectVerifier::Stream(std::string_view data) {
  if (!hasher_) return;
  hasher_->Update(data);
  hashed_ += data.size();
  ready_ = hashed_;
}

void ObjectVerifier::Restart() {
  if (active()) hasher_ = NewHasher(algorithm_);
  hashed_ = ready_ = 0;
  waiting_.clear();
}

void ObjectVerifier::RangeDone(uint64_t first, uint64_t length) {
  waiting_[first] = first + length;
  for (auto it = waiting_.find(ready_); it != waiting_.end(); it = waiting_.find(ready_)) {
    ready_ = it->second;
    waiting_.erase(it);
  }
}

std::optional<ObjectVerifier::Work> ObjectVerifier::TakeWork() {
  if (!hasher_ || hashing_ || ready_ == hashed_) return std::nullopt;
  hashing_ = true;
  work_end_ = ready_;
  return Work{hasher_.get(), hashed_, work_end_};
}

void ObjectVerifier::WorkDone() {
  hashing_ = false;
  hashed_ = work_end_;
}

Status ObjectVerifier::Check() {
  if (!hasher_) return Status::Ok();
  Digest actual = hasher_->Finish();
  hasher_.reset();
  if (actual == expected_) return Status::Ok();
  return Status(StatusCode::kIntegrityError, "checksum mismatch: " + what_ + " expected " +
                                                 HexEncode(expected_) + ", got " +
                                                 HexEncode(actual));
}

}  // namespace s3pull::transfer
