// The scheduler: which request to send next. An I/O-free state machine.
//
// It holds the objects waiting to start, the parts of started objects still
// to fetch, and the listings still to be paged through, and keeps at most
// `concurrency` requests in flight. The engine asks Next() for work while it
// has room; each action comes with a RequestSlot, which the request (its
// retries, the hashing its last reply waits for, a request sent in its
// place) carries until it is done: the slot is given back when it is
// released or destroyed, so none can leak. Listings also report each page
// (ListingPageDone) or their end (ListingFailed).
//
// Priorities: listing pages first, so downloads start as soon as the first
// page is in and discovery stays ahead of them; then the parts of objects
// already started, so open files finish first and stay few; then new
// objects. A listing pauses while `list_window` objects are waiting, which
// bounds memory for listings of millions of keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "s3/checksums.h"
#include "s3/list_objects.h"
#include "s3pull/plan.h"
#include "s3pull/status.h"

namespace s3pull::schedule {

// Where an object's bytes go.
enum class Sink : uint8_t {
  kFile,    // dest_path, through a temporary file beside it
  kStdout,  // standard output, in order as they arrive
  kMemory,  // `buffer`, or memory of the download's own handed over in its result
};

struct ObjectTask {
  std::string bucket;
  std::string key;
  std::string dest_path;                // kFile: the final path; "-" for kStdout
  std::string dest_root;                // the destination folder dest_path lies in; "" = none
  std::optional<uint64_t> listed_size;  // from the listing, when known
  std::string listed_etag;              // from the listing or the caller ("" = unknown)
  Sink sink = Sink::kFile;
  std::span<char> buffer = {};  // kMemory: the caller's memory (empty = the download's own)
  std::string version_id = {};  // "" = the current version
  // What the object must hash to, said by the caller; nullopt = what S3 offers.
  std::optional<s3::S3Checksum> expected_checksum = {};
  // Only these bytes of the object; nullopt = all of it.
  std::optional<ByteRange> range = {};
  // listed_etag is the caller's: every request is pinned to it (If-Match),
  // the first included.
  bool etag_expected = false;
};

class Scheduler;

// One of the `concurrency` places of requests in flight. Move-only; gives
// its place back on Release() or destruction. Must not outlive its Scheduler.
class RequestSlot {
 public:
  RequestSlot() = default;  // holds no place
  RequestSlot(RequestSlot&& other) noexcept
      : scheduler_(std::exchange(other.scheduler_, nullptr)) {}
  RequestSlot& operator=(RequestSlot&& other) noexcept {
    if (this != &other) {
      Release();
      scheduler_ = std::exchange(other.scheduler_, nullptr);
    }
    return *this;
  }
  RequestSlot(const RequestSlot&) = delete;
  RequestSlot& operator=(const RequestSlot&) = delete;
  ~RequestSlot() { Release(); }

  void Release();
  bool held() const { return scheduler_ != nullptr; }

 private:
  friend class Scheduler;
  explicit RequestSlot(Scheduler* scheduler) : scheduler_(scheduler) {}
  Scheduler* scheduler_ = nullptr;
};

struct SchedulerOptions {
  int concurrency = 64;
  size_t list_window = 10000;
};

class Scheduler {
 public:
  explicit Scheduler(const SchedulerOptions& options) : options_(options) {}
  // Slots point to their scheduler: it stays where it is.
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Registers a listing; returns its id for ListAction / ListingPageDone.
  size_t AddListing(std::string bucket, s3::ListParams first_page);
  void AddObject(ObjectTask task);
  // Parts [from, to) of started object `object_id`, to be handed out as
  // PartActions ahead of any new object.
  void AddParts(uint64_t object_id, uint64_t from, uint64_t to);

  struct ListAction {
    size_t listing;
    std::string bucket;
    s3::ListParams params;
    RequestSlot slot;
  };
  // Start a new object: its first request.
  struct StartObject {
    ObjectTask task;
    RequestSlot slot;
  };
  struct PartAction {
    uint64_t object_id;
    uint64_t index;
    RequestSlot slot;
  };
  using Action = std::variant<ListAction, StartObject, PartAction>;

  // The next request to send, or nullopt when none may start now (all slots
  // busy, or nothing ready). Every action holds a slot.
  std::optional<Action> Next();

  // A page of listing `listing` arrived and was parsed. The caller adds its
  // objects (AddObject) after or before; the result is the paginator's
  // verdict (a repeated continuation token ends the listing with an error).
  Status ListingPageDone(size_t listing, const s3::ListPage& page);
  // Listing `listing` ends without its next page.
  void ListingFailed(size_t listing);

  // Removes up to `count` objects not started yet, oldest first (for another
  // event loop to start, work_share.h).
  std::vector<ObjectTask> TakeWaitingObjects(size_t count);
  // Ends every listing that is neither done nor failed (the run stops):
  // returns their ids. Their pages in flight, if any, still end with
  // ListingFailed or ListingPageDone.
  std::vector<size_t> StopListings();

  // Changes the number of requests allowed in flight (those already in
  // flight above a lowered limit finish normally).
  void set_concurrency(int concurrency) { options_.concurrency = concurrency; }
  // All slots are busy and some request is waiting for one.
  bool Saturated() const { return !HasRoom() && (!objects_.empty() || !parts_.empty()); }

  // Nothing waiting, nothing in flight, every listing finished.
  bool Finished() const;
  // Every listing finished (or failed): no objects will be added by them.
  bool ListingsFinished() const;
  size_t in_flight() const { return in_flight_; }
  size_t waiting_objects() const { return objects_.size(); }
  int concurrency() const { return options_.concurrency; }

 private:
  struct Listing {
    std::string bucket;
    s3::ListPaginator paginator;
    bool page_in_flight = false;
    bool failed = false;
  };
  friend class RequestSlot;
  bool HasRoom() const { return in_flight_ < static_cast<size_t>(options_.concurrency); }
  RequestSlot TakeSlot() {
    ++in_flight_;
    return RequestSlot(this);
  }

  SchedulerOptions options_;
  std::vector<Listing> listings_;
  struct PartRun {
    uint64_t object_id;
    uint64_t next;
    uint64_t end;
  };
  std::deque<ObjectTask> objects_;
  std::deque<PartRun> parts_;  // ranges, so a 5 TiB object costs one entry
  size_t in_flight_ = 0;
};

}  // namespace s3pull::schedule
