// Part planning; see planner.h.
#include "transfer/planner.h"

#include "s3/get_object.h"

namespace s3pull::transfer {

uint64_t ChoosePartSize(uint64_t size, std::string_view etag, uint64_t requested) {
  uint64_t stored_parts = s3::MultipartCount(etag);
  if (stored_parts < 2 || size == 0) return requested;
  uint64_t stored = (size + stored_parts - 1) / stored_parts;
  stored = (stored + kMiB - 1) / kMiB * kMiB;
  // The inferred size must reproduce N; otherwise the uploader used parts of
  // an odd size and no alignment can be inferred.
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

}  // namespace s3pull::transfer
