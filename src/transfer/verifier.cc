// ObjectVerifier implementation; see verifier.h.
#include "transfer/verifier.h"

#include <algorithm>

namespace s3pull::transfer {
namespace {

constexpr size_t kReadBackChunk = 1024 * 1024;

std::string Hex(const Digest& digest) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

}  // namespace

Status ObjectVerifier::Choose(const http::Headers& headers, bool whole_reply) {
  if (mode_ == ChecksumMode::kOff || active()) return Status::Ok();
  if (whole_reply) {
    Result<std::optional<S3Checksum>> checksum = ParseChecksumHeaders(headers);
    if (!checksum.ok()) return checksum.status();
    if (*checksum && (*checksum)->type == ChecksumType::kFullObject) {
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
  if (expected_.empty()) {
    if (mode_ == ChecksumMode::kRequired) {
      return Status(StatusCode::kIntegrityError,
                    "no checksum to verify: the ETag is not an MD5 and S3 sent no full-object "
                    "checksum (--checksum required)");
    }
    return Status::Ok();
  }
  hasher_ = NewHasher(algorithm_);
  return Status::Ok();
}

void ObjectVerifier::Stream(std::string_view data) {
  if (!hasher_) return;
  hasher_->Update(data);
  hashed_ += data.size();
}

void ObjectVerifier::Restart() {
  if (!active()) return;
  hasher_ = NewHasher(algorithm_);
  hashed_ = 0;
  waiting_.clear();
}

Status ObjectVerifier::RangeDone(FileWriter& file, uint64_t first, uint64_t length) {
  if (!active()) return Status::Ok();
  waiting_[first] = first + length;
  // Hash every finished range that now joins the front, reading it back.
  for (auto it = waiting_.find(hashed_); it != waiting_.end(); it = waiting_.find(hashed_)) {
    uint64_t end = it->second;
    waiting_.erase(it);
    while (hashed_ < end) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(kReadBackChunk, end - hashed_));
      buffer_.resize(n);
      if (Status read = file.ReadAt(hashed_, buffer_.data(), n); !read.ok()) return read;
      hasher_->Update(buffer_);
      hashed_ += n;
    }
  }
  if (waiting_.empty()) std::string().swap(buffer_);  // no need to hold 1 MiB between parts
  return Status::Ok();
}

Status ObjectVerifier::Check() {
  if (!hasher_) return Status::Ok();
  Digest actual = hasher_->Finish();
  hasher_.reset();
  if (actual == expected_) return Status::Ok();
  return Status(StatusCode::kIntegrityError, "checksum mismatch: " + what_ + " expected " +
                                                 Hex(expected_) + ", got " + Hex(actual));
}

}  // namespace s3pull::transfer
