// "s3pull cp": options, validation, plan building and run; see cp_command.h.
#include "cli/cp_command.h"

#include <charconv>
#include <cstdio>
#include <functional>
#include <map>

#include "cli/cp_plan.h"
#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/reporter.h"
#include "s3pull/downloader.h"
#include "s3pull/location.h"

namespace s3pull::cli {
namespace {

constexpr const char* kExamples = R"(Examples:
  Every object under a prefix, into a folder (keys below the prefix become paths):
    s3pull cp s3://my-bucket/datasets/2026/ ./data
  One object, to a file, into a folder, or to standard output:
    s3pull cp s3://my-bucket/reports/q3.csv q3.csv
    s3pull cp s3://my-bucket/reports/q3.csv ./reports/
    s3pull cp s3://my-bucket/logs/app.log - | grep ERROR
  Keys matching a glob ('*' stays within one folder, '**' crosses folders):
    s3pull cp 's3://my-bucket/logs/2026-*/*.gz' ./logs
  A list of keys (one per line, or s3://bucket/key URLs), from a file or stdin:
    s3pull cp --from-file keys.txt s3://my-bucket/ ./out
    grep '\.jpg$' keys.txt | s3pull cp --from-file - s3://my-bucket/ ./images
  Run the same command again after a failure, a crash or Ctrl-C: files finished
  before are kept (unless the object changed), large objects resume:
    s3pull cp s3://my-bucket/datasets/2026/ ./data
  Another S3-compatible store (MinIO, Ceph, R2, ...):
    s3pull cp --endpoint-url http://127.0.0.1:9000 s3://bucket/ ./out

Exit status: 0 all objects downloaded or unchanged, 1 some failed (each failure is printed),
2 usage or configuration error (nothing downloaded).)";

int UsageError(const std::string& message) { return cli::UsageError("cp", message); }

// A flag's value check: "auto" (ClientOptions' 0) or a count from 1 to
// `max` (a literal 0 is not a valid count).
std::function<std::string(std::string)> AutoOrCount(int max) {
  return [max](std::string value) -> std::string {
    if (value == "auto") return "0";
    int n = 0;
    auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (error != std::errc() || end != value.data() + value.size() || n < 1 || n > max) {
      throw CLI::ValidationError("must be 'auto' or a number from 1 to " + std::to_string(max) +
                                 ", not '" + value + "'");
    }
    return value;
  };
}

}  // namespace

CpCommand::CpCommand(CLI::App& app) {
  command_ =
      app.add_subcommand("cp", "Download objects: a prefix, a glob, one key or a list of keys");
  command_
      ->add_option("SOURCE", source_,
                   "s3://BUCKET/PREFIX/ (ends in '/'), s3://BUCKET/KEY, or a glob "
                   "s3://BUCKET/logs/*.gz")
      ->required();
  command_
      ->add_option("DEST", dest_,
                   "local folder; for one key also a file path, or '-' for standard output")
      ->required();
  command_->add_option(
      "--from-file", from_file_,
      "download the keys listed in this file ('-' = stdin), one key or "
      "s3://bucket/key per line; SOURCE is then s3://BUCKET/ or s3://BUCKET/PREFIX/");
  ClientOptions& options = connection_.options();
  command_
      ->add_option("--concurrency", options.concurrency,
                   "requests in flight at once: 'auto' (adapts to what the server and "
                   "network give) or a number from 1 to 4096")
      ->transform(AutoOrCount(4096))
      ->default_str("auto");
  command_
      ->add_option("--event-loops", options.event_loops,
                   "threads that drive requests, each with its own connections: 'auto' (one, "
                   "and more while one saturates its core and another core is idle) or a "
                   "number from 1 to 64")
      ->transform(AutoOrCount(64))
      ->default_str("auto");
  command_
      ->add_option("--retries", options.retries,
                   "retries per request after a transient failure (throttling, 5xx, "
                   "resets, timeouts, stalls)")
      ->default_val(5)
      ->check(CLI::Range(0, 100));
  command_
      ->add_option("--stall-timeout", options.stall_timeout_seconds,
                   "seconds without a byte after which a transfer is abandoned and retried")
      ->default_val(30)
      ->check(CLI::Range(1, 3600));
  const std::map<std::string, ChecksumPolicy> policies = {{"auto", ChecksumPolicy::kAuto},
                                                          {"required", ChecksumPolicy::kRequired},
                                                          {"off", ChecksumPolicy::kOff}};
  command_
      ->add_option("--checksum", options.checksum,
                   "auto: verify S3's checksum or a single-part ETag's MD5 when offered; "
                   "required: also fail objects that offer neither; off")
      ->transform(CLI::CheckedTransformer(policies))
      ->default_str("auto");
  command_
      ->add_option("--part-size", options.part_size,
                   "bytes per ranged GET of a large object, e.g. 8MiB, 16M, 1048576")
      ->default_str("8MiB")
      ->transform(CLI::AsSizeValue(false))
      ->check(CLI::Range(uint64_t{1}, uint64_t{5} << 30));
  connection_.Add(command_);
  command_->add_flag("--fsync", options.fsync,
                     "flush each file, then its folder, to disk before reporting it (durable "
                     "across power loss; slower)");
  command_->add_flag("--refetch", refetch_,
                     "download every object again, even one whose local file an earlier run "
                     "finished and nobody changed since (by default such files are kept when the "
                     "object's ETag is still the same)");
  command_->add_flag("-q,--quiet", quiet_, "print failures only, no per-object lines or summary");
  command_->footer(kExamples);
}

int CpCommand::Run() {
  Result<S3Url> source = ParseS3Url(source_);
  if (!source.ok()) return UsageError(source.status().message());
  if (dest_.empty()) return UsageError("DEST is empty; use '.' for the current folder");
  Result<CpPlan> plan = PlanCopy(*source, dest_, from_file_);
  if (!plan.ok()) return UsageError(plan.status().message());

  connection_.options().skip_unchanged = !refetch_;
  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(connection_.options());
  if (!downloader.ok()) return UsageError(downloader.status().message());
  Reporter reporter(plan->to_stdout ? stderr : stdout, quiet_);
  if (plan->single_key) reporter.HintPrefixOnMissingKey();
  Summary summary;
  {
    InterruptGuard guard(**downloader);
    summary = (*downloader)->Run(plan->plan, reporter);
  }
  std::fflush(stdout);
  reporter.PrintSummary(summary);
  if (summary.interrupted) return kExitInterrupted;
  return summary.failed == 0 && summary.error.ok() ? kExitOk : kExitFailures;
}

}  // namespace s3pull::cli
