// The planner: how an object is cut into ranged GETs. Pure functions.
//
// An object of at most one part is fetched with one plain GET. A larger one
// is cut into parts of `part_size` bytes (the last one shorter), all of them
// eligible at once. When the ETag says the object was uploaded in N parts
// ("...-N"), the stored part size is inferred and used instead, so that
// ranges line up with the stored parts: the smallest whole number of MiB, at
// least S3's 5 MiB minimum, that cuts the object into exactly N parts (size
// and N alone cannot tell 5 from 6 MiB parts for a 13 MiB object in 3 parts;
// the usual sizes, 5, 8 and 16 MiB, come out right). It is not used when
// it is more than four times the requested size.
#pragma once

#include <cstdint>
#include <string_view>

namespace s3pull::schedule {

inline constexpr uint64_t kMiB = 1024 * 1024;
inline constexpr uint64_t kDefaultPartSize = 8 * kMiB;

// The part size to use for an object of `size` bytes with `etag` ("" when
// unknown); `requested` is the user's --part-size (> 0).
uint64_t ChoosePartSize(uint64_t size, std::string_view etag, uint64_t requested);

// Number of parts of an object of `size` bytes (0 for an empty object).
uint64_t PartCount(uint64_t size, uint64_t part_size);

struct ByteRange {
  uint64_t first = 0;
  uint64_t length = 0;
};
// Part `index` (0-based, < PartCount) of an object of `size` bytes.
ByteRange PartRange(uint64_t size, uint64_t part_size, uint64_t index);

}  // namespace s3pull::schedule
