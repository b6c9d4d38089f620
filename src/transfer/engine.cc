// Engine implementation; see engine.h for the flow of one object.
#include "transfer/engine.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "fs/file_writer.h"
#include "s3/errors.h"
#include "s3/list_objects.h"
#include "schedule/concurrency.h"
#include "schedule/loop_spread.h"
#include "schedule/retry.h"
#include "schedule/scheduler.h"
#include "transfer/hash_pool.h"
#include "transfer/loop_pool.h"
#include "transfer/object_download.h"
#include "transfer/plan_intake.h"
#include "transfer/progress_tally.h"
#include "transfer/request_signer.h"
#include "transfer/retry_timer.h"
#include "transfer/work_share.h"

namespace s3pull::transfer {
namespace {

// Error bodies are small XML documents; a server that sends megabytes gets
// its first part quoted and the rest dropped.
constexpr size_t kMaxErrorBody = 64 * 1024;
// A ListObjectsV2 page of 1,000 keys of 1 KiB each is about 1.5 MB.
constexpr size_t kMaxListBody = 64 * 1024 * 1024;
// Loops `--event-loops auto` runs at most, however many cores there are.
constexpr int kMaxAutoLoops = 8;
// Hash work goes out in batches (SubmitHashWork): an object's run of this
// many bytes goes with the others' when one is due; this many bytes ready
// in all make every run due.
constexpr uint64_t kHashRun = 256 * 1024;
constexpr uint64_t kHashBatch = 4 * 1024 * 1024;

// A transfer that ended without a usable response. An untrusted server
// (TLS verification failed) is its own code: retrying cannot help.
Status Interrupted() { return Status(StatusCode::kCancelled, "interrupted"); }

Status TransportFailure(const http::TransportResult& result) {
  return Status(result.untrusted_server ? StatusCode::kTlsError : StatusCode::kTransportError,
                result.error);
}

// The event loops a run may have: the number asked for, else one per core;
// never more than a fixed concurrency, so that each has a request slot.
int MaxLoops(const EngineConfig& config) {
  int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  int loops = config.event_loops > 0 ? config.event_loops : std::min(cores, kMaxAutoLoops);
  return config.concurrency > 0 ? std::min(loops, config.concurrency) : loops;
}

// The hash workers of one loop: the first has the pool's default, each
// further loop an even share of it (at least one).
int HashThreads(const EngineConfig& config, int helper) {
  if (config.hash_threads > 0) return config.hash_threads;
  if (helper == 0) return HashPool::DefaultThreads();
  return std::max(1, HashPool::DefaultThreads() / MaxLoops(config));
}

// The Status for a finished non-2xx response, with a region hint when S3
// says the bucket lives elsewhere.
Status ResponseError(int status, const http::Headers& headers, std::string_view body) {
  Status error = s3::ErrorFromResponse(status, body);
  if (const std::string* region = http::FindHeader(headers, "x-amz-bucket-region")) {
    if (status == 301 || status == 400 || status == 403) {
      return Status::Service(error.http_status(), error.s3_code(),
                             error.message() + " (the bucket is in region " + *region +
                                 "; use --region " + *region + ")");
    }
  }
  return error;
}

class Run;

// One ListObjectsV2 page in flight.
class ListRequest final : public http::ResponseHandler {
 public:
  ListRequest(Run* run, size_t listing, s3::ListParams params, schedule::RequestSlot slot)
      : run_(run), listing_(listing), params_(std::move(params)), slot_(std::move(slot)) {}
  bool OnHeaders(int status, const http::Headers& headers) override {
    status_ = status;
    headers_ = headers;
    return true;
  }
  bool OnBody(std::string_view chunk) override {
    if (body_.size() + chunk.size() > kMaxListBody) return false;
    body_.append(chunk);
    return true;
  }
  void OnComplete(const http::TransportResult& result) override;

 private:
  Run* run_;
  size_t listing_;
  s3::ListParams params_;
  schedule::RequestSlot slot_;
  int status_ = 0;
  http::Headers headers_;
  std::string body_;
};

// One GET of an object (the whole object or one part) in flight.
class PartRequest final : public http::ResponseHandler {
 public:
  PartRequest(Run* run, uint64_t object_id, ObjectDownload* download, PartSpec part,
              schedule::RequestSlot slot)
      : run_(run),
        object_id_(object_id),
        download_(download),
        part_(part),
        slot_(std::move(slot)) {}
  bool OnHeaders(int status, const http::Headers& headers) override;
  bool OnBody(std::string_view chunk) override;
  void OnComplete(const http::TransportResult& result) override;

 private:
  bool success() const { return status_ == 200 || status_ == 206; }

  Run* run_;
  uint64_t object_id_;
  ObjectDownload* download_;
  PartSpec part_;
  schedule::RequestSlot slot_;
  int status_ = 0;
  http::Headers headers_;  // kept for error responses only
  uint64_t received_ = 0;
  Status local_error_;                // a reply that is not what was asked, or a failed write
  bool complete_at_headers_ = false;  // the headers said all there is to know
  std::string error_body_;
};

// One event loop of a run. The first (`helper` 0) lists, starts the plan's
// objects and reports every result to the observer; helpers (1, 2, ...)
// download objects it hands over through `share` and post their results
// there (work_share.h).
class Run {
 public:
  // `budget` and `tally` are the run's, shared by every loop.
  Run(const EngineConfig& config, http::HttpClient& http, WorkShare& share,
      schedule::RetryBudget& budget, ProgressTally& tally, int helper, Observer* observer)
      : config_(config),
        http_(http),
        share_(share),
        budget_(budget),
        tally_(tally),
        helper_(helper),
        observer_(observer),
        scheduler_(schedule::SchedulerOptions{config.concurrency}),
        signer_(config.credentials, config.endpoint.region,
                config.checksum_mode != ChecksumMode::kOff, config.clock),
        hash_pool_(HashThreads(config, helper), [&http] { http.Wakeup(); }) {
    download_options_.part_size = config.part_size;
    download_options_.checksum_mode = config.checksum_mode;
    download_options_.durability =
        config.fsync ? fs::FileWriter::Durability::kFsync : fs::FileWriter::Durability::kPageCache;
    download_options_.skip_unchanged = config.skip_unchanged;
    download_options_.folders = &folders_;
    download_options_.hash_backlog = &hash_backlog_;
    download_options_.disk_flusher = &disk_flusher_;
    if (config.concurrency == 0) {
      controller_.emplace(schedule::ConcurrencyOptions{});
      scheduler_.set_concurrency(controller_->limit());
    } else {
      SetFixedShare();
    }
  }

  // The first loop's run: `more_loops` (when set) makes the HTTP client of
  // each further loop.
  Summary Execute(const DownloadPlan& plan, const HttpClientFactory& more_loops) {
    auto start = std::chrono::steady_clock::now();
    for (const PrefixSource& source : plan.prefixes) intake_.AddPrefix(source);
    for (const ObjectSource& object : plan.objects) intake_.AddObject(object);
    return Drive(start, more_loops);
  }

  Summary ExecuteListing(const ListingSource& listing, ListingObserver& lister) {
    auto start = std::chrono::steady_clock::now();
    lister_ = &lister;
    intake_.AddListing(listing);
    return Drive(start, {});
  }

  // Runs what was added to the end (or the cancel), with more loops as
  // they are needed.
  Summary Drive(std::chrono::steady_clock::time_point start, const HttpClientFactory& more_loops) {
    LoopPool pool(share_, more_loops, [this](http::HttpClient& http, int helper) {
      Run loop(config_, http, share_, budget_, tally_, helper, nullptr);
      loop.ExecuteHelper();
    });
    if (config_.progress_interval > 0) progress_due_ = Now() + config_.progress_interval;
    StartLoops(pool);
    while (!Cancelled() && Step(pool)) {
      if (progress_due_ > 0 && Now() >= progress_due_) TellProgress(start, false);
    }
    if (Cancelled()) {
      Cancel();
      share_.WakeHelpers();
    }
    pool.Join();
    for (const ObjectResult& result : share_.TakeResults()) Report(result);
    if (summary_.interrupted) ReportNotStarted(share_.TakeBackOffered());
    summary_.retries += share_.helper_retries();
    summary_.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (progress_due_ > 0) TellProgress(start, true);
    return summary_;
  }

  // The observer's OnProgress; at the run's end (`last`), only when the
  // counts moved since the call before.
  void TellProgress(std::chrono::steady_clock::time_point start, bool last) {
    progress_due_ = Now() + config_.progress_interval;
    Progress progress;
    progress.objects_found = intake_.found();
    progress.listing_done = scheduler_.ListingsFinished();
    progress.objects_started = ProgressTally::Read(tally_.objects_started);
    progress.objects_done = summary_.objects;
    progress.bytes_expected = ProgressTally::Read(tally_.bytes_expected);
    progress.bytes_received = ProgressTally::Read(tally_.bytes_received);
    progress.retries = ProgressTally::Read(tally_.retries);
    if (last && told_) {
      Progress counts = progress;
      counts.seconds = told_->seconds;
      if (counts == *told_) return;
    }
    progress.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    told_ = progress;
    observer_->OnProgress(progress);
  }

  // Helpers from the start (a fixed number of loops), or a spreader that
  // adds them as they are needed.
  void StartLoops(LoopPool& pool) {
    int max_loops = MaxLoops(config_);
    if (pool.can_grow() && config_.event_loops > 0) {
      for (int i = 1; i < max_loops; ++i) StartHelper(pool);
    } else if (pool.can_grow() && max_loops > 1) {
      spreader_.emplace(schedule::LoopSpreadOptions{max_loops});
    }
  }

  // One turn of the first loop; false when the run is done.
  bool Step(LoopPool& pool) {
    while (std::optional<schedule::Scheduler::Action> action = scheduler_.Next())
      StartAction(*action);
    // (Objects that need no request finish inside StartAction.)
    ShareObjects();
    bool helpers_done = share_.HelpersDone();  // (they post every result before they leave)
    for (const ObjectResult& result : share_.TakeResults()) Report(result);
    if (scheduler_.Finished() && hash_pool_.pending() == 0 && helpers_done) return false;
    if (spreader_ && scheduler_.Saturated() && scheduler_.waiting_objects() > 0) {
      spreader_->OnWorkWaiting();
    }
    Turn();
    if (spreader_) SpreadLoops(pool);
    return true;
  }

  // A helper's run: objects handed over, until the first loop has no more.
  void ExecuteHelper() {
    for (;;) {
      if (Cancelled()) {
        Cancel();
        break;
      }
      // A backlog as deep as the limit, so that the adaptive concurrency sees
      // work waiting when it is the limit that holds it back.
      size_t limit = static_cast<size_t>(scheduler_.concurrency());
      if (size_t backlog = scheduler_.waiting_objects(); backlog < limit) {
        for (schedule::ObjectTask& task : share_.Take(helper_, limit - backlog)) {
          scheduler_.AddObject(std::move(task));
        }
      }
      while (std::optional<schedule::Scheduler::Action> action = scheduler_.Next())
        StartAction(*action);
      if (scheduler_.Finished() && hash_pool_.pending() == 0 && share_.Exhausted()) break;
      Turn();
    }
    share_.Leave(helper_, summary_.retries);
  }

  // A reply told the size of an object that was not listed.
  void OnSizeKnown(uint64_t size) { ProgressTally::Add(tally_.bytes_expected, size); }

  // Body bytes of object `object_id` arrived: for the adaptive concurrency,
  // and they may be ready to hash; `of_object`: its bytes, not a reply about it.
  void OnBytes(uint64_t object_id, uint64_t bytes, bool of_object) {
    if (of_object) ProgressTally::Add(tally_.bytes_received, bytes);
    if (controller_) controller_->OnBytes(bytes);
    to_hash_.insert(object_id);
  }

  // Every result passes here: its outcome follows from its status (an
  // unchanged one is marked where it was found).
  void Report(ObjectResult result) {
    if (result.outcome != Outcome::kUnchanged) {
      result.outcome = result.status.ok()                               ? Outcome::kDownloaded
                       : result.status.code() == StatusCode::kCancelled ? Outcome::kCancelled
                                                                        : Outcome::kFailed;
    }
    if (helper_ > 0) {
      share_.Post(std::move(result));
      return;
    }
    ++summary_.objects;
    switch (result.outcome) {
      case Outcome::kDownloaded:
        ++summary_.succeeded;
        summary_.bytes += result.bytes;
        break;
      case Outcome::kUnchanged:
        ++summary_.unchanged;
        break;
      case Outcome::kFailed:
        ++summary_.failed;
        break;
      case Outcome::kCancelled:
        ++summary_.cancelled;
        break;
    }
    observer_->OnObjectDone(result);
  }

  void ListingDone(size_t listing, const s3::ListParams& params, int status,
                   const http::Headers& headers, const std::string& body,
                   const http::TransportResult& result, schedule::RequestSlot slot) {
    Status error;
    if (result.cancelled) {
      error = Interrupted();
    } else if (!result.ok) {
      error = result.aborted_by_handler
                  ? Status(StatusCode::kProtocolError, "listing page larger than 64 MiB")
                  : TransportFailure(result);
    } else if (status != 200) {
      error = ResponseError(status, headers, body);
    }
    if (error.ok()) {
      Result<s3::ListPage> page = s3::ParseListObjectsV2(body);
      if (!page.ok()) {
        error = page.status();
      } else {
        intake_.OnPage(listing, *page);
        return;
      }
    }
    NoteThrottling(error);
    if (ScheduleRetry(error, headers, listing_attempts_[listing]++, slot,
                      [this, listing, params](schedule::RequestSlot retry_slot) {
                        SendListPage(listing, params, std::move(retry_slot));
                      })) {
      return;
    }
    FailListing(listing, error);
  }

  // A GET of object `object_id` finished with `status`, after `received`
  // body bytes; `headers` are those of an error reply. The last request of
  // an object keeps its slot until the object's bytes are hashed.
  void PartDone(uint64_t object_id, const PartSpec& part, const Status& status, uint64_t received,
                const http::Headers& headers, schedule::RequestSlot slot) {
    if (controller_) controller_->OnRequestDone();
    if (status.ok()) {
      to_hash_.insert(object_id);
      if (downloads_.at(object_id)->AwaitsHash()) {
        awaiting_hash_.emplace(object_id, HeldPart{part, received, std::move(slot)});
        hash_urgent_ = true;
        return;
      }
    }
    SettlePart(object_id, part, status, received, headers, std::move(slot));
  }

 private:
  bool Cancelled() const { return config_.cancel != nullptr && config_.cancel->load(); }

  // Waits for the network (or a retry's time) and handles what happened.
  void Turn() {
    if (controller_ && scheduler_.Saturated()) controller_->OnLimitReached();
    http_.Poll(retry_timer_.RunDue(Now(), 100));
    for (const HashResult& result : hash_pool_.TakeResults()) HashDone(result);
    SubmitHashWork();
    AdjustConcurrency();
  }

  // One more loop; a fixed concurrency is then shared with it.
  void StartHelper(LoopPool& pool) {
    if (pool.Start() && !controller_) SetFixedShare();
  }

  // Another loop when this one saturates its core (loop_spread.h).
  void SpreadLoops(LoopPool& pool) {
    double now = Now();
    if (!spreader_->Due(now)) return;
    std::optional<double> idle = schedule::MachineIdleSeconds();
    if (idle && spreader_->Tick(now, LoopCpuSeconds(), *idle)) StartHelper(pool);
  }

  // Hands objects not started yet to helpers that ask, and closes the share
  // once no more will come.
  void ShareObjects() {
    if (size_t wanted = share_.wanted(); wanted > 0) {
      std::vector<schedule::ObjectTask> tasks = scheduler_.TakeWaitingObjects(wanted);
      if (!tasks.empty()) share_.Offer(std::move(tasks));
    }
    if (!share_closed_ && scheduler_.ListingsFinished() && scheduler_.waiting_objects() == 0) {
      share_.Close();
      share_closed_ = true;
    }
  }

  // A fixed concurrency is split among the loops running; the first loop
  // takes what does not divide evenly.
  void SetFixedShare() {
    int loops = share_.loops();
    int each = config_.concurrency / loops;
    int mine = helper_ == 0 ? config_.concurrency - each * (loops - 1) : each;
    scheduler_.set_concurrency(std::max(1, mine));
  }

  // A hash job of object `result.id` ended.
  void HashDone(const HashResult& result) {
    ObjectDownload& download = *downloads_.at(result.id);
    ObjectDownload::Next next = download.OnHashed(result.status);
    to_hash_.insert(result.id);
    auto held = awaiting_hash_.find(result.id);
    if (held == awaiting_hash_.end()) {
      if (next.finished) Continue(result.id, next);  // a failed object's last job returned
      return;
    }
    if (download.AwaitsHash()) {
      hash_urgent_ = true;  // more to hash first
      return;
    }
    HeldPart part = std::move(held->second);
    awaiting_hash_.erase(held);
    SettlePart(result.id, part.spec, download.FinishHashing(), part.received, {},
               std::move(part.slot));
  }

  // Ends the run now, with a result for everything this loop holds: what is
  // in flight ends as cancelled (HashDone and PartDone report it), then the
  // objects waiting for a retry, the objects not started, and the listings
  // not finished.
  void Cancel() {
    summary_.interrupted = true;
    retry_timer_.Clear();
    to_hash_.clear();
    http_.CancelAll();
    hash_pool_.Stop();
    for (const HashResult& result : hash_pool_.TakeResults()) HashDone(result);
    for (auto& [id, download] : downloads_) Report(download->Cancel());
    downloads_.clear();
    ReportNotStarted(scheduler_.TakeWaitingObjects(scheduler_.waiting_objects()));
    for (size_t listing : scheduler_.StopListings()) {
      intake_.ReportListingFailure(listing, Interrupted());
    }
  }

  void ReportNotStarted(const std::vector<schedule::ObjectTask>& tasks) {
    for (const schedule::ObjectTask& task : tasks) {
      Report(ResultOf(task, Status(StatusCode::kCancelled, "cancelled before it started")));
    }
  }

  // What PartDone() does once the request's outcome is known.
  void SettlePart(uint64_t object_id, const PartSpec& part, const Status& status, uint64_t received,
                  const http::Headers& headers, schedule::RequestSlot slot) {
    NoteThrottling(status);
    ObjectDownload& download = *downloads_.at(object_id);
    if (status.ok()) {
      budget_.OnSuccess();
    } else if (!download.failed()) {
      // A broken transfer resumes where it stopped; a bad reply starts over.
      bool resume = schedule::ClassifyFailure(status) == schedule::FailureKind::kTransport;
      std::optional<ObjectDownload::Retry> retry = download.PlanRetry(part, received, resume);
      if (retry &&
          ScheduleRetry(status, headers, part.attempt, slot,
                        [this, object_id, spec = retry->request](schedule::RequestSlot retry_slot) {
                          SendRetry(object_id, spec, std::move(retry_slot));
                        })) {
        download.CommitRetry(part, received, *retry);
        return;  // the retry keeps this request's slot
      }
    }
    ObjectDownload::Next next = download.OnPartDone(part, status);
    if (next.send_now) {
      // The slot of the request that just ended carries the new one.
      SendPart(object_id, download, *next.send_now, std::move(slot));
      return;
    }
    slot.Release();
    Continue(object_id, next);
  }

  // Retries the request that failed with `status` (its `attempts` so far)
  // by calling `send` with its `slot` after a backoff, if the failure is
  // worth it and the run's budget allows. False when the failure is final
  // (the slot is then still the caller's).
  bool ScheduleRetry(const Status& status, const http::Headers& headers, int attempts,
                     schedule::RequestSlot& slot, RetryTimer::Send send) {
    schedule::FailureKind kind = schedule::ClassifyFailure(status);
    // (ObjectDownload caps how often a checksum mismatch is fetched again.)
    if (attempts >= config_.max_retries || !budget_.TryAcquire(schedule::RetryCost(kind)))
      return false;
    double delay = schedule::BackoffDelay(attempts + 1, uniform_(random_), config_.backoff_base);
    if (kind == schedule::FailureKind::kClockSkew) {
      if (!signer_.AdoptServerClock(headers)) return false;
      delay = 0;  // re-signed with the server's time, it can go at once
    }
    ++summary_.retries;
    ProgressTally::Add(tally_.retries, 1);
    retry_timer_.Schedule(Now() + delay, std::move(slot), std::move(send));
    return true;
  }

  static double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // CPU seconds this thread (the event loop's) has used.
  static double LoopCpuSeconds() {
    timespec cpu{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &cpu);
    return static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) * 1e-9;
  }

  void AdjustConcurrency() {
    if (!controller_) {
      SetFixedShare();
      return;
    }
    double now = Now();
    if (controller_->Due(now)) controller_->Tick(now, LoopCpuSeconds());
    scheduler_.set_concurrency(controller_->limit());
  }

  // 503 SlowDown (and its cousins) asks for fewer requests, not just later ones.
  void NoteThrottling(const Status& status) {
    if (controller_ && status.http_status() == 503) controller_->OnThrottled(Now());
  }

  // (The slot of its last request is given back by the caller.)
  void FailListing(size_t listing, const Status& error) {
    scheduler_.ListingFailed(listing);
    intake_.ReportListingFailure(listing, error);
  }

  void StartAction(schedule::Scheduler::Action& action) {
    if (auto* list = std::get_if<schedule::Scheduler::ListAction>(&action)) {
      listing_attempts_[list->listing] = 0;
      SendListPage(list->listing, list->params, std::move(list->slot));
    } else if (auto* start = std::get_if<schedule::Scheduler::StartObject>(&action)) {
      uint64_t id = next_object_id_++;
      auto download = std::make_unique<ObjectDownload>(std::move(start->task), download_options_);
      ProgressTally::Add(tally_.objects_started, 1);
      PartSpec first = download->FirstPart();
      if (download->unchanged()) {
        start->slot.Release();
        Report(download->Finish());
        return;
      }
      if (download->QueueRestWithFirst()) scheduler_.AddParts(id, 1, download->part_count());
      SendPart(id, *download, first, std::move(start->slot));
      downloads_.emplace(id, std::move(download));
    } else {
      auto& part = std::get<schedule::Scheduler::PartAction>(action);
      ObjectDownload& download = *downloads_.at(part.object_id);
      if (download.failed()) {
        // The object already failed: drop its remaining parts unsent.
        part.slot.Release();
        Continue(part.object_id, download.SkipPart());
      } else if (download.Wants(part.index)) {
        SendPart(part.object_id, download, download.TakePart(part.index), std::move(part.slot));
      }
      // (Otherwise on disk from an earlier run, or already sent: its slot goes back.)
    }
  }

  // A retry's time has come; if another part failed the object meanwhile,
  // the retry is dropped instead.
  void SendRetry(uint64_t object_id, const PartSpec& part, schedule::RequestSlot slot) {
    ObjectDownload& download = *downloads_.at(object_id);
    if (download.failed()) {
      slot.Release();
      Continue(object_id, download.SkipPart());
    } else {
      SendPart(object_id, download, part, std::move(slot));
    }
  }

  void SendListPage(size_t listing, const s3::ListParams& params, schedule::RequestSlot slot) {
    const std::string& bucket = intake_.bucket(listing);
    Send(s3::BuildListObjectsV2(config_.endpoint, bucket, params), {},
         std::make_unique<ListRequest>(this, listing, params, std::move(slot)));
  }

  void SendPart(uint64_t object_id, ObjectDownload& download, const PartSpec& part,
                schedule::RequestSlot slot) {
    const schedule::ObjectTask& task = download.task();
    http::Headers headers;
    download.AddRequestHeaders(part, headers);
    s3::S3Request request =
        part.kind == PartKind::kAttributes
            ? s3::BuildGetObjectAttributes(config_.endpoint, task.bucket, task.key, part.first,
                                           task.version_id)
            : s3::BuildGetObject(config_.endpoint, task.bucket, task.key, task.version_id);
    if (part.kind == PartKind::kHead) request.method = "HEAD";
    Send(request, std::move(headers),
         std::make_unique<PartRequest>(this, object_id, &download, part, std::move(slot)));
  }

  // Hands the bytes ready to hash to the hashers in batches, since MD5s are
  // hashed side by side and a lone job costs several times more per byte:
  // when an object waits for its hash, its run goes with every other
  // object's run of kHashRun bytes or more; when kHashBatch bytes are ready,
  // every run goes. Small objects kept in memory are hashed here, together.
  void SubmitHashWork() {
    while (!to_hash_.empty() && (hash_urgent_ || hash_backlog_.ready_bytes >= kHashBatch)) {
      bool everything = hash_backlog_.ready_bytes >= kHashBatch;
      hash_urgent_ = false;
      std::vector<HashJob> in_loop;
      std::vector<HashJob> to_pool;
      for (auto it = to_hash_.begin(); it != to_hash_.end();) {
        ObjectDownload& download = *downloads_.at(*it);
        uint64_t ready = download.ready_to_hash();
        if (ready > 0 && ready < kHashRun && !everything && !awaiting_hash_.contains(*it)) {
          ++it;  // too little yet
          continue;
        }
        if (std::optional<HashJob> job = download.TakeHashJob()) {
          job->id = *it;
          (job->small ? in_loop : to_pool).push_back(*job);
        }
        it = to_hash_.erase(it);
      }
      hash_pool_.Submit(to_pool);
      for (const HashResult& result : HashInMemory(in_loop)) HashDone(result);
    }
  }

  // Queues the parts a response revealed, and reports a finished object.
  void Continue(uint64_t object_id, const ObjectDownload::Next& next) {
    if (next.restarted) {
      ++summary_.retries;
      ProgressTally::Add(tally_.retries, 1);
    }
    scheduler_.AddParts(object_id, next.queue_from, next.queue_to);
    if (!next.finished) return;
    to_hash_.erase(object_id);
    auto it = downloads_.find(object_id);
    Report(it->second->Finish());
    downloads_.erase(it);
  }

  // Signs (unless anonymous) and starts `request` with `headers` added (they
  // are not signed: S3 requires only host and x-amz-*); the client owns the
  // handler from here and frees it after its OnComplete().
  void Send(const s3::S3Request& request, http::Headers headers,
            std::unique_ptr<http::ResponseHandler> handler) {
    http_.Start(signer_.Prepare(request, std::move(headers)), std::move(handler));
  }

  const EngineConfig& config_;
  fs::FolderCache folders_;   // destination folders kept open across objects
  HashBacklog hash_backlog_;  // outlives downloads_, whose verifiers count in it
  DiskFlusher disk_flusher_;  // resume journals; writes what waits when the run ends
  DownloadOptions download_options_;
  http::HttpClient& http_;
  WorkShare& share_;
  schedule::RetryBudget& budget_;
  ProgressTally& tally_;
  std::optional<Progress> told_;  // the last OnProgress
  double progress_due_ = 0;       // the first loop's next OnProgress (steady seconds); 0 = none
  int helper_;                    // 0: the first loop
  Observer* observer_;            // the first loop's; helpers post to share_
  ListingObserver* lister_ = nullptr;  // RunListing()'s
  schedule::Scheduler scheduler_;
  // The first loop's: the plan and the listing pages, into scheduler_.
  PlanIntake intake_{scheduler_, tally_, [this](ObjectResult result) { Report(std::move(result)); },
                     [this](const ListedEntry& entry) { lister_->OnListed(entry); }};
  std::optional<schedule::ConcurrencyController> controller_;  // set when concurrency is adaptive
  // The first loop's, with `--event-loops auto`: when to start another loop.
  std::optional<schedule::LoopSpreader> spreader_;
  bool share_closed_ = false;
  RetryTimer retry_timer_;
  std::unordered_map<size_t, int> listing_attempts_;  // tries of each listing's current page
  std::mt19937_64 random_{std::random_device{}()};
  std::uniform_real_distribution<double> uniform_{0.0, 1.0};
  std::unordered_map<uint64_t, std::unique_ptr<ObjectDownload>> downloads_;  // started objects
  // The last request of an object whose outcome waits for its bytes to be
  // hashed (it keeps its slot meanwhile).
  struct HeldPart {
    PartSpec spec;
    uint64_t received;
    schedule::RequestSlot slot;
  };
  std::unordered_map<uint64_t, HeldPart> awaiting_hash_;
  uint64_t next_object_id_ = 0;
  RequestSigner signer_;
  Summary summary_;
  // Last: its workers use objects in downloads_, so it stops first.
  HashPool hash_pool_;
  // Objects that may have bytes ready to hash; one waits for its hash.
  std::unordered_set<uint64_t> to_hash_;
  bool hash_urgent_ = false;
};

void ListRequest::OnComplete(const http::TransportResult& result) {
  run_->ListingDone(listing_, params_, status_, headers_, body_, result, std::move(slot_));
}

bool PartRequest::OnHeaders(int status, const http::Headers& headers) {
  status_ = status;
  if (!success()) {
    headers_ = headers;
    return true;
  }
  local_error_ = download_->OnPartHeaders(part_, status, headers);
  if (std::optional<uint64_t> size = download_->TakeNewSize()) run_->OnSizeKnown(*size);
  // A reply that is not what was asked is not read further (it could be a
  // whole 5 TiB object); neither is a body that should not be there.
  complete_at_headers_ = local_error_.ok() && !download_->BodyExpected(part_);
  return local_error_.ok() && !complete_at_headers_;
}

bool PartRequest::OnBody(std::string_view chunk) {
  if (!success()) {
    size_t room = kMaxErrorBody - std::min(kMaxErrorBody, error_body_.size());
    error_body_.append(chunk.substr(0, room));
    return true;
  }
  if (local_error_.ok()) local_error_ = download_->OnPartBody(part_, received_, chunk);
  received_ += chunk.size();
  run_->OnBytes(object_id_, chunk.size(), part_.kind != PartKind::kAttributes);
  return local_error_.ok();
}

void PartRequest::OnComplete(const http::TransportResult& result) {
  Status status = local_error_;
  if (result.cancelled) status = Interrupted();
  if (status.ok() && !result.ok && !complete_at_headers_) status = TransportFailure(result);
  if (status.ok() && !success()) status = ResponseError(status_, headers_, error_body_);
  if (status.ok()) status = download_->VerifyPart(part_, received_);
  run_->PartDone(object_id_, part_, status, received_, headers_, std::move(slot_));
}

}  // namespace

Summary RunPlan(const EngineConfig& config, http::HttpClient& http, const DownloadPlan& plan,
                Observer& observer, const HttpClientFactory& more_loops) {
  WorkShare share([&http] { http.Wakeup(); });
  schedule::RetryBudget budget;
  ProgressTally tally;
  Run run(config, http, share, budget, tally, 0, &observer);
  return run.Execute(plan, more_loops);
}

Summary RunListing(const EngineConfig& config, http::HttpClient& http, const ListingSource& listing,
                   ListingObserver& observer) {
  WorkShare share([&http] { http.Wakeup(); });
  schedule::RetryBudget budget;
  ProgressTally tally;
  Run run(config, http, share, budget, tally, 0, &observer);
  return run.ExecuteListing(listing, observer);
}

}  // namespace s3pull::transfer
