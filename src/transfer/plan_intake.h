// PlanIntake: what enters a run, and what is refused at the door.
//
// It turns the plan's prefixes and globs into listings (registered with the
// scheduler), the pages of those listings into objects (or, for a run that
// only lists, into entries to report), and the plan's named objects into
// objects. What cannot be written safely is refused with a result that says
// why: a listed key outside its prefix, a key that maps to no safe path
// under its folder, a second object to one path. A folder marker ("a/b/")
// becomes a folder. Every object taken in or refused is counted (found()),
// and the sizes the listings give add to the run's bytes expected.
//
// The first event loop's; not thread-safe. Listings are numbered like the
// scheduler's.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "s3/glob.h"
#include "s3/list_objects.h"
#include "s3pull/listing.h"
#include "s3pull/plan.h"
#include "s3pull/result.h"
#include "schedule/scheduler.h"
#include "transfer/progress_tally.h"

namespace s3pull::transfer {

// A listing whose entries are reported (ListingObserver::OnListed), not downloaded.
struct ListingSource {
  std::string bucket;
  std::string prefix;     // not used with a glob (its ListPrefix is listed)
  std::string glob;       // "" = every key under `prefix`
  std::string delimiter;  // "/" groups the keys below the next '/' into common prefixes
};

class PlanIntake {
 public:
  // `report` takes refusals (and failed listings); `on_listed` the entries
  // of listings that only list.
  PlanIntake(schedule::Scheduler& scheduler, ProgressTally& tally,
             std::function<void(ObjectResult)> report,
             std::function<void(const ListedEntry&)> on_listed = {});

  // `source` must outlive the run: the listing's objects go where it says.
  void AddPrefix(const PrefixSource& source);
  void AddListing(const ListingSource& listing);
  void AddObject(const ObjectSource& object);

  // A page of `listing` arrived: its objects enter (or are reported). A
  // continuation token seen before (a server looping) ends the listing with
  // a failure: asking again would loop too.
  void OnPage(size_t listing, const s3::ListPage& page);
  // `listing` ended with `error` (the scheduler knows already).
  void ReportListingFailure(size_t listing, const Status& error);
  const std::string& bucket(size_t listing) const { return listings_[listing].bucket; }

  // Objects taken in or refused so far (failed listings included).
  uint64_t found() const { return found_; }

 private:
  struct Listing {
    std::string bucket;
    std::string name;              // its prefix or glob, for a failure's result
    const PrefixSource* download;  // where its objects go; null: reported, not downloaded
    std::optional<s3::GlobPattern> glob;
  };
  void StartListing(const std::string& bucket, const std::string& prefix, const std::string& glob,
                    const std::string& delimiter, const PrefixSource* download);
  void ReportEntries(const Listing& listing, const s3::ListPage& page);
  void AddListedObject(const Listing& listing, const s3::ListedObject& object);
  void Take(schedule::ObjectTask task);
  void Refuse(ObjectResult result);

  schedule::Scheduler& scheduler_;
  ProgressTally& tally_;
  std::function<void(ObjectResult)> report_;
  std::function<void(const ListedEntry&)> on_listed_;
  std::vector<Listing> listings_;
  std::unordered_set<std::string> claimed_paths_;  // of the plan's named objects
  uint64_t found_ = 0;
};

}  // namespace s3pull::transfer
