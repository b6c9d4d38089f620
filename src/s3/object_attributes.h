// GetObjectAttributes replies (BuildGetObjectAttributes in requests.h): an
// object's ETag, size, checksum, and the parts it was uploaded in with their
// checksums, which is what a composite checksum ("BASE64-N") is made of.
// S3 lists parts only for objects uploaded with checksums, at most 1,000 per
// reply: a truncated list goes on from NextPartNumberMarker. Pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "s3pull/status.h"

namespace s3pull::s3 {

// Checksums as sent: the algorithm is the element's name without "Checksum"
// ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"); the value is base64,
// an object's composite one perhaps followed by "-N". Empty when absent.
struct ObjectPart {
  uint64_t number = 0;
  uint64_t size = 0;
  std::string checksum_algorithm;
  std::string checksum;
};

struct ObjectAttributes {
  std::string etag;  // quotes removed; "" when absent
  std::optional<uint64_t> size;
  std::string checksum_algorithm;
  std::string checksum;
  std::string checksum_type;  // "COMPOSITE", "FULL_OBJECT", or "" when not said
  std::optional<uint64_t> total_parts;
  std::vector<ObjectPart> parts;  // this reply's, in the order sent
  bool is_truncated = false;
  uint64_t next_part_number_marker = 0;
};

// Parses a GetObjectAttributesOutput document. kProtocolError naming what is
// wrong: not XML, another root, a number that is not one (ObjectSize,
// PartNumber, Size, TotalPartsCount, NextPartNumberMarker), a part without
// PartNumber or Size, two checksums in one place, or a truncated list with
// no NextPartNumberMarker.
Result<ObjectAttributes> ParseGetObjectAttributes(std::string_view xml);

}  // namespace s3pull::s3
