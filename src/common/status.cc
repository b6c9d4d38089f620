// Status formatting; see include/s3pull/status.h.
#include "s3pull/status.h"

namespace s3pull {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid argument";
    case StatusCode::kServiceError:
      return "service error";
    case StatusCode::kTransportError:
      return "transport error";
    case StatusCode::kTlsError:
      return "TLS error";
    case StatusCode::kProtocolError:
      return "protocol error";
    case StatusCode::kIntegrityError:
      return "integrity error";
    case StatusCode::kIoError:
      return "I/O error";
    case StatusCode::kUnsafePath:
      return "unsafe path";
    case StatusCode::kObjectChanged:
      return "object changed";
    case StatusCode::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

Status Status::Service(int http_status, std::string s3_code, std::string message) {
  Status s(StatusCode::kServiceError, std::move(message));
  s.http_status_ = http_status;
  s.s3_code_ = std::move(s3_code);
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  if (code_ == StatusCode::kServiceError) {
    std::string out = s3_code_ + " (HTTP " + std::to_string(http_status_) + ")";
    if (!message_.empty()) out += ": " + message_;
    return out;
  }
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace s3pull
