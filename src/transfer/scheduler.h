// The scheduler: which request to send next. An I/O-free state machine.
//
// It holds the objects waiting to be fetched and the listings still to be
// paged through, and keeps at most `concurrency` requests in flight. The
// engine asks Next() for work while it has room, sends the request, and
// reports the outcome with ListingPageDone/ListingFailed/ObjectDone.
//
// Listing pages go first, so downloads start as soon as the first page is in
// and discovery stays ahead of them; but a listing pauses while `list_window`
// objects are already waiting, which bounds memory for listings of millions
// of keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "s3/list_objects.h"
#include "s3pull/status.h"

namespace s3pull::transfer {

struct ObjectTask {
  std::string bucket;
  std::string key;
  std::string dest_path;                // "-" = standard output
  std::string dest_root;                // the destination folder dest_path lies in; "" = none
  std::optional<uint64_t> listed_size;  // from the listing, when known
};

struct SchedulerOptions {
  int concurrency = 64;
  size_t list_window = 10000;
};

class Scheduler {
 public:
  explicit Scheduler(const SchedulerOptions& options) : options_(options) {}

  // Registers a listing; returns its id for ListAction / ListingPageDone.
  size_t AddListing(std::string bucket, s3::ListParams first_page);
  void AddObject(ObjectTask task);

  struct ListAction {
    size_t listing;
    std::string bucket;
    s3::ListParams params;
  };
  struct GetAction {
    ObjectTask task;
  };
  using Action = std::variant<ListAction, GetAction>;

  // The next request to send, or nullopt when none may start now (all slots
  // busy, or nothing ready).
  std::optional<Action> Next();

  // A page of listing `listing` arrived and was parsed. The caller adds its
  // objects (AddObject) after or before; the result is the paginator's
  // verdict (a repeated continuation token ends the listing with an error).
  Status ListingPageDone(size_t listing, const s3::ListPage& page);
  void ListingFailed(size_t listing);
  void ObjectDone();

  // Nothing waiting, nothing in flight, every listing finished.
  bool Finished() const;
  size_t in_flight() const { return in_flight_; }
  size_t waiting_objects() const { return objects_.size(); }

 private:
  struct Listing {
    std::string bucket;
    s3::ListPaginator paginator;
    bool page_in_flight = false;
    bool failed = false;
  };
  bool HasRoom() const { return in_flight_ < static_cast<size_t>(options_.concurrency); }

  SchedulerOptions options_;
  std::vector<Listing> listings_;
  std::deque<ObjectTask> objects_;
  size_t in_flight_ = 0;
};

}  // namespace s3pull::transfer
