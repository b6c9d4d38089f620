// URI encoding as S3 and SigV4 define it: every byte except the unreserved
// characters A-Z a-z 0-9 '-' '.' '_' '~' becomes %XY (upper-case hex);
// '/' is kept when encoding an object key path and encoded in query values.
#pragma once

#include <string>
#include <string_view>

#include "s3pull/status.h"

namespace s3pull::s3 {

std::string UriEncode(std::string_view bytes, bool encode_slash);

// Decodes a key S3 listed with encoding-type=url: %XY escapes, and '+' as a
// space (S3 encodes a '+' in a key as %2B; botocore decodes the same way).
// A malformed escape is kProtocolError.
Result<std::string> UriDecode(std::string_view encoded);

}  // namespace s3pull::s3
