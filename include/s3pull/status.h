// Status and Result<T>: how every s3pull operation reports failure.
//
// A Status has a code from a closed set and a human-readable message. Errors
// that S3 itself returned (NoSuchKey, AccessDenied, SlowDown, ...) are kept
// apart from transport errors (refused, reset, timeout) and local errors, so
// that callers can decide what to retry and what to report. Messages never
// contain secrets.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace s3pull {

enum class StatusCode {
  kOk,
  kInvalidArgument,  // bad input from the user: a URL, a flag, a key list
  kServiceError,     // S3 answered with an error (see s3_code, http_status)
  kTransportError,   // no usable HTTP response: DNS, connect, reset, timeout
  kTlsError,         // the server's TLS certificate or host name did not verify
  kProtocolError,    // a response S3 would not send: bad XML, wrong length
  kIntegrityError,   // the bytes do not match the object's checksum or MD5
  kIoError,          // the local file system failed
  kUnsafePath,       // the key cannot be written safely under the destination
  kObjectChanged,    // a reply came from another version of the object than the first
                     // (or than the one expected)
  kCancelled,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  // An error response from S3: `s3_code` is the <Code> of the error body (or a
  // name derived from the HTTP status when the body has none).
  static Status Service(int http_status, std::string s3_code, std::string message);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  int http_status() const { return http_status_; }
  const std::string& s3_code() const { return s3_code_; }

  // "NoSuchKey (HTTP 404): The specified key does not exist." or
  // "transport error: Connection refused".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  int http_status_ = 0;
  std::string s3_code_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT
  Result(Status status) : v_(std::move(status)) {}  // NOLINT
  bool ok() const { return std::holds_alternative<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T& value() & { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }
  // The error; Status::Ok() when there is a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace s3pull
