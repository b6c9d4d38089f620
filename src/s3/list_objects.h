// ListObjectsV2: parsing one page, and the pagination state kept apart from it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include "s3/requests.h"
#include "s3pull/status.h"

namespace s3pull::s3 {

struct ListedObject {
  std::string key;  // decoded when the page says <EncodingType>url</EncodingType>
  uint64_t size = 0;
  std::string etag;                // with the quotes removed
  std::string last_modified = {};  // as the page says it ("2026-12-05T20:30:17.000Z")
};

struct ListPage {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;  // decoded likewise
  bool is_truncated = false;
  std::string next_continuation_token;
};

// Parses a ListBucketResult document (pugixml). Errors are kProtocolError
// naming what is wrong: not XML, wrong root, missing <Key>, bad <Size>, bad
// %-escape, truncated with no NextContinuationToken.
Result<ListPage> ParseListObjectsV2(std::string_view xml);

// Walks the pages of one listing. Usage:
//   ListPaginator p(params);
//   while (auto params = p.NextParams()) { ...send, parse...; status = p.OnPage(page); }
class ListPaginator {
 public:
  explicit ListPaginator(ListParams first) : params_(std::move(first)) {}
  // Parameters of the next page to fetch, or nullopt when the listing is done.
  std::optional<ListParams> NextParams() const;
  // Records a parsed page. A continuation token seen before (a server looping)
  // is kProtocolError and ends the listing.
  Status OnPage(const ListPage& page);
  bool done() const { return done_; }
  uint64_t pages() const { return pages_; }

 private:
  ListParams params_;
  std::unordered_set<std::string> seen_tokens_;
  bool done_ = false;
  uint64_t pages_ = 0;
};

}  // namespace s3pull::s3
