// Scheduler implementation; see scheduler.h.
#include "schedule/scheduler.h"

#include <algorithm>
#include <utility>

namespace s3pull::schedule {

size_t Scheduler::AddListing(std::string bucket, s3::ListParams first_page) {
  listings_.push_back(Listing{std::move(bucket), s3::ListPaginator(std::move(first_page))});
  return listings_.size() - 1;
}

void Scheduler::AddObject(ObjectTask task) { objects_.push_back(std::move(task)); }

void Scheduler::AddParts(uint64_t object_id, uint64_t from, uint64_t to) {
  if (from < to) parts_.push_back(PartRun{object_id, from, to});
}

std::optional<Scheduler::Action> Scheduler::Next() {
  if (!HasRoom()) return std::nullopt;
  if (objects_.size() < options_.list_window) {
    for (size_t i = 0; i < listings_.size(); ++i) {
      Listing& listing = listings_[i];
      if (listing.page_in_flight || listing.failed) continue;
      std::optional<s3::ListParams> params = listing.paginator.NextParams();
      if (!params) continue;
      listing.page_in_flight = true;
      return ListAction{i, listing.bucket, std::move(*params), TakeSlot()};
    }
  }
  if (!parts_.empty()) {
    PartRun& run = parts_.front();
    PartAction action{run.object_id, run.next++, TakeSlot()};
    if (run.next == run.end) parts_.pop_front();
    return action;
  }
  if (objects_.empty()) return std::nullopt;
  StartObject action{std::move(objects_.front()), TakeSlot()};
  objects_.pop_front();
  return action;
}

Status Scheduler::ListingPageDone(size_t listing, const s3::ListPage& page) {
  Listing& l = listings_.at(listing);
  l.page_in_flight = false;
  Status status = l.paginator.OnPage(page);
  if (!status.ok()) l.failed = true;
  return status;
}

void Scheduler::ListingFailed(size_t listing) {
  Listing& l = listings_.at(listing);
  l.page_in_flight = false;
  l.failed = true;
}

void RequestSlot::Release() {
  if (scheduler_ == nullptr) return;
  --scheduler_->in_flight_;
  scheduler_ = nullptr;
}

std::vector<ObjectTask> Scheduler::TakeWaitingObjects(size_t count) {
  std::vector<ObjectTask> taken;
  count = std::min(count, objects_.size());
  taken.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    taken.push_back(std::move(objects_.front()));
    objects_.pop_front();
  }
  return taken;
}

std::vector<size_t> Scheduler::StopListings() {
  std::vector<size_t> stopped;
  for (size_t i = 0; i < listings_.size(); ++i) {
    Listing& l = listings_[i];
    if (l.failed || l.paginator.done()) continue;
    l.failed = true;
    stopped.push_back(i);
  }
  return stopped;
}

bool Scheduler::Finished() const {
  return in_flight_ == 0 && objects_.empty() && parts_.empty() && ListingsFinished();
}

bool Scheduler::ListingsFinished() const {
  for (const Listing& l : listings_) {
    if (!l.failed && !l.paginator.done()) return false;
  }
  return true;
}

}  // namespace s3pull::schedule
