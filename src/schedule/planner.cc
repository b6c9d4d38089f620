// Part planning; see planner.h.
#include "schedule/planner.h"

#include <algorithm>

#include "s3/get_object.h"

namespace s3pull::schedule {
namespace {

// S3 refuses parts under 5 MiB, except the last one.
constexpr uint64_t kMinStoredPart = 5 * kMiB;

}  // namespace

uint64_t ChoosePartSize(uint64_t size, std::string_view etag, uint64_t requested) {
  uint64_t stored_parts = s3::MultipartCount(etag);
  if (stored_parts < 2 || size <= requested) return requested;
  // The whole-MiB part sizes p that give N parts: p >= size / N (the parts
  // hold everything) and p < size / (N - 1) (the last part is not empty),
  // and at least S3's minimum. The smallest is the uploader's usual choice.
  uint64_t lowest = std::max(kMinStoredPart, (size + stored_parts - 1) / stored_parts);
  uint64_t stored = (lowest + kMiB - 1) / kMiB * kMiB;
  if (PartCount(size, stored) != stored_parts || stored > 4 * requested) return requested;
  return stored;
}

uint64_t PartCount(uint64_t size, uint64_t part_size) {
  return size / part_size + (size % part_size != 0 ? 1 : 0);
}

ByteRange PartRange(uint64_t size, uint64_t part_size, uint64_t index) {
  uint64_t first = index * part_size;
  uint64_t length = size - first < part_size ? size - first : part_size;
  return {first, length};
}

}  // namespace s3pull::schedule
