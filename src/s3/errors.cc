// S3 error replies; see errors.h.
#include "s3/errors.h"

#include <string>

#include "s3/xml.h"

namespace s3pull::s3 {
namespace {

// The code S3 would have sent, for responses that carry none (HEAD, proxies).
const char* CodeForHttpStatus(int http_status) {
  switch (http_status) {
    case 301:
      return "PermanentRedirect";
    case 304:
      return "NotModified";
    case 307:
      return "TemporaryRedirect";
    case 400:
      return "BadRequest";
    case 401:
      return "Unauthorized";
    case 403:
      return "AccessDenied";
    case 404:
      return "NotFound";
    case 405:
      return "MethodNotAllowed";
    case 409:
      return "Conflict";
    case 411:
      return "MissingContentLength";
    case 412:
      return "PreconditionFailed";
    case 416:
      return "InvalidRange";
    case 429:
      return "TooManyRequests";
    case 500:
      return "InternalError";
    case 501:
      return "NotImplemented";
    case 502:
      return "BadGateway";
    case 503:
      return "SlowDown";
    case 504:
      return "GatewayTimeout";
    default:
      return "HttpError";
  }
}

constexpr size_t kMaxMessageBytes = 300;

// At most kMaxMessageBytes, cut on a UTF-8 boundary, on one printable line.
std::string CleanMessage(std::string_view text) {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= ' ') text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= ' ') text.remove_suffix(1);
  if (text.size() > kMaxMessageBytes) {
    size_t cut = kMaxMessageBytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
    text = text.substr(0, cut);
  }
  std::string out(text);
  for (char& c : out) {
    if (static_cast<unsigned char>(c) < ' ' || c == 0x7f) c = ' ';
  }
  return out;
}

}  // namespace

Status ErrorFromResponse(int http_status, std::string_view body) {
  pugi::xml_document doc;
  if (!body.empty() && ParseXml(body, doc).ok()) {
    pugi::xml_node error = doc.document_element();
    if (std::string_view(error.name()) == "Error") {
      std::string code = CleanMessage(error.child("Code").text().get());
      std::string message = CleanMessage(error.child("Message").text().get());
      std::string request_id = CleanMessage(error.child("RequestId").text().get());
      if (code.empty()) code = CodeForHttpStatus(http_status);
      if (!request_id.empty()) {
        if (!message.empty()) message.push_back(' ');
        message += "(request id " + request_id.substr(0, 100) + ")";
      }
      return Status::Service(http_status, std::move(code), std::move(message));
    }
  }
  return Status::Service(http_status, CodeForHttpStatus(http_status), CleanMessage(body));
}

}  // namespace s3pull::s3
