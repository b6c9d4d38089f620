// PlanIntake implementation; see plan_intake.h.
#include "transfer/plan_intake.h"

#include <cctype>
#include <string_view>
#include <utility>

#include "fs/folders.h"
#include "fs/key_path.h"
#include "s3pull/location.h"

namespace s3pull::transfer {
namespace {

// "ALGORITHM:VALUE" (ObjectSource::expected_checksum); the name in any case.
Result<s3::S3Checksum> ParseExpectedChecksum(std::string_view text) {
  size_t colon = text.find(':');
  std::string name(text.substr(0, colon == std::string_view::npos ? 0 : colon));
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::optional<checksum::HashAlgorithm> algorithm = s3::ChecksumAlgorithmNamed(name);
  if (!algorithm) {
    return Status(StatusCode::kInvalidArgument,
                  "expected checksum '" + std::string(text) +
                      "' is not ALGORITHM:VALUE with CRC32, CRC32C, CRC64NVME, SHA1 or SHA256");
  }
  Result<s3::S3Checksum> checksum =
      s3::ParseChecksumValue(*algorithm, text.substr(colon + 1), "FULL_OBJECT");
  if (!checksum.ok()) {
    return Status(StatusCode::kInvalidArgument,
                  "expected checksum: " + checksum.status().message());
  }
  return checksum;
}

}  // namespace

PlanIntake::PlanIntake(schedule::Scheduler& scheduler, ProgressTally& tally,
                       std::function<void(ObjectResult)> report,
                       std::function<void(const ListedEntry&)> on_listed)
    : scheduler_(scheduler),
      tally_(tally),
      report_(std::move(report)),
      on_listed_(std::move(on_listed)) {}

void PlanIntake::AddPrefix(const PrefixSource& source) {
  StartListing(source.bucket, source.prefix, source.glob, "", &source);
}

void PlanIntake::AddListing(const ListingSource& listing) {
  StartListing(listing.bucket, listing.prefix, listing.glob, listing.delimiter, nullptr);
}

void PlanIntake::StartListing(const std::string& bucket, const std::string& prefix,
                              const std::string& glob, const std::string& delimiter,
                              const PrefixSource* download) {
  Listing listing{bucket, glob.empty() ? prefix : glob, download, std::nullopt};
  if (Status named = CheckBucketName(bucket); !named.ok()) {
    Refuse(ObjectResult{bucket, listing.name, "", 0, true, named});
    return;
  }
  s3::ListParams params;
  params.prefix = prefix;
  params.delimiter = delimiter;
  if (!glob.empty()) {
    Result<s3::GlobPattern> pattern = s3::GlobPattern::Compile(glob);
    if (!pattern.ok()) {
      Refuse(ObjectResult{bucket, glob, "", 0, true, pattern.status()});
      return;
    }
    params.prefix = pattern->ListPrefix();
    listing.glob = std::move(*pattern);
  }
  listings_.push_back(std::move(listing));
  scheduler_.AddListing(bucket, params);
}

// Objects named one by one may repeat (a key list with duplicates, or two
// buckets with the same key): the second one to a path is refused.
void PlanIntake::AddObject(const ObjectSource& object) {
  Status named = CheckBucketName(object.bucket);
  if (named.ok() && object.key.empty()) {
    named = Status(StatusCode::kInvalidArgument, "the key is empty: an object needs one");
  }
  if (!named.ok()) {
    Refuse(ObjectResult{object.bucket, object.key, "", 0, false, named});
    return;
  }
  schedule::ObjectTask task{object.bucket, object.key, "", "", std::nullopt, object.expected_etag};
  task.version_id = object.version_id;
  task.etag_expected = !object.expected_etag.empty();
  if (!object.expected_checksum.empty()) {
    Result<s3::S3Checksum> expected = ParseExpectedChecksum(object.expected_checksum);
    if (!expected.ok()) {
      Refuse(ObjectResult{object.bucket, object.key, "", 0, false, expected.status()});
      return;
    }
    task.expected_checksum = std::move(*expected);
  }
  if (object.range && (object.dest_path == "-" || task.expected_checksum)) {
    Refuse(ObjectResult{object.bucket, object.key, "", 0, false,
                        Status(StatusCode::kInvalidArgument,
                               "a byte range goes to a file or to memory, without an expected "
                               "checksum (checksums are of whole objects)")});
    return;
  }
  task.range = object.range;
  if (object.to_memory) {
    task.sink = schedule::Sink::kMemory;
    task.buffer = object.buffer;
    Take(std::move(task));
    return;
  }
  std::string path = object.dest_path;
  std::string root;
  if (path.empty()) {
    root = object.dest_dir;
    Result<std::string> mapped =
        object.key.starts_with(object.base)
            ? fs::DestinationPath(root, std::string_view(object.key).substr(object.base.size()))
            : Result<std::string>(
                  Status(StatusCode::kInvalidArgument, "base is not a prefix of the key"));
    if (!mapped.ok()) {
      Refuse(ObjectResult{object.bucket, object.key, "", 0, false, mapped.status()});
      return;
    }
    path = std::move(*mapped);
  }
  if (path == "-") {
    task.sink = schedule::Sink::kStdout;
  } else if (!claimed_paths_.insert(path).second) {
    Refuse(ObjectResult{object.bucket, object.key, path, 0, false,
                        Status(StatusCode::kInvalidArgument,
                               "another object of this run is written to the same path")});
    return;
  }
  task.dest_path = std::move(path);
  task.dest_root = std::move(root);
  Take(std::move(task));
}

void PlanIntake::OnPage(size_t listing, const s3::ListPage& page) {
  const Listing& context = listings_[listing];
  if (context.download == nullptr) {
    ReportEntries(context, page);
  } else {
    for (const s3::ListedObject& object : page.objects) AddListedObject(context, object);
  }
  if (Status verdict = scheduler_.ListingPageDone(listing, page); !verdict.ok()) {
    ReportListingFailure(listing, verdict);
  }
}

void PlanIntake::ReportListingFailure(size_t listing, const Status& error) {
  const Listing& context = listings_[listing];
  Refuse(ObjectResult{context.bucket, context.name, "", 0, true, error});
}

void PlanIntake::ReportEntries(const Listing& listing, const s3::ListPage& page) {
  for (const std::string& prefix : page.common_prefixes) {
    if (!listing.glob || listing.glob->Matches(prefix)) {
      on_listed_(ListedEntry{listing.bucket, prefix, 0, true});
    }
  }
  for (const s3::ListedObject& object : page.objects) {
    if (!listing.glob || listing.glob->Matches(object.key)) {
      on_listed_(ListedEntry{listing.bucket, object.key, object.size, false, object.etag,
                             object.last_modified});
    }
  }
}

void PlanIntake::AddListedObject(const Listing& listing, const s3::ListedObject& object) {
  const PrefixSource& source = *listing.download;
  if (listing.glob && !listing.glob->Matches(object.key)) return;
  if (!object.key.starts_with(source.base)) {
    Refuse(ObjectResult{
        source.bucket, object.key, "", 0, false,
        Status(StatusCode::kProtocolError, "listing returned a key outside the requested prefix")});
    return;
  }
  std::string_view relative = std::string_view(object.key).substr(source.base.size());
  if (relative.empty()) return;  // the prefix's own folder marker
  if (fs::IsFolderMarker(relative)) {
    // Folder markers hold no data: make the folder (when its name is safe;
    // one that cannot be made is reported, a result like any other).
    if (fs::SafeRelativePath(relative.substr(0, relative.size() - 1)).ok()) {
      if (Status made = fs::MakeDirectoriesBeneath(source.dest_dir, relative); !made.ok()) {
        Refuse(ObjectResult{source.bucket, object.key, "", 0, false, made});
      }
    }
    return;
  }
  Result<std::string> path = fs::DestinationPath(source.dest_dir, relative);
  if (!path.ok()) {
    Refuse(ObjectResult{source.bucket, object.key, "", 0, false, path.status()});
    return;
  }
  Take(schedule::ObjectTask{source.bucket, object.key, std::move(*path), source.dest_dir,
                            object.size, object.etag});
}

void PlanIntake::Take(schedule::ObjectTask task) {
  ++found_;
  if (task.listed_size) ProgressTally::Add(tally_.bytes_expected, *task.listed_size);
  scheduler_.AddObject(std::move(task));
}

void PlanIntake::Refuse(ObjectResult result) {
  ++found_;
  report_(std::move(result));
}

}  // namespace s3pull::transfer
