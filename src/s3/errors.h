// S3's error replies as a Status: the service's code, message and request id.
#pragma once

#include <string_view>

#include "s3pull/status.h"

namespace s3pull::s3 {

// The Status for an S3 error response: parses <Error><Code>, <Message>,
// <RequestId> from `body` when it is XML (the message ends with
// "(request id ID)"; an empty <Code> gets the derived code); otherwise derives
// the code from the HTTP status (404 NotFound, 403 AccessDenied, 503 SlowDown,
// other HttpError) and the message is the start of the body. A HEAD or empty
// body gets the derived code and no message. Messages are cut to 300 bytes
// and kept on one line.
Status ErrorFromResponse(int http_status, std::string_view body);

}  // namespace s3pull::s3
