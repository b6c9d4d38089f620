// "s3pull ls": options, listing and output; see ls_command.h.
#include "cli/ls_command.h"

#include <cstdio>
#include <utility>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/interrupt.h"
#include "cli/reporter.h"
#include "s3pull/downloader.h"
#include "s3pull/location.h"

namespace s3pull::cli {
namespace {

constexpr const char* kExamples = R"(Examples:
  The top level of a bucket, and one folder (common prefixes are shown as PRE):
    s3pull ls s3://my-bucket
    s3pull ls s3://my-bucket/logs/2026/
  Every key under a prefix, with its size in bytes:
    s3pull ls --recursive s3://my-bucket/logs/
  Keys matching a glob:
    s3pull ls 's3://my-bucket/logs/*/*.gz'

Exit status: 0 listed (also when empty), 1 the listing failed, 2 usage or configuration error.)";

// Prints entries as they are listed. Prefixes go out at once; objects wait for
// the end when a delimiter is used, so that every PRE line comes first.
class ListPrinter {
 public:
  ListPrinter(size_t strip, bool hold_objects) : strip_(strip), hold_objects_(hold_objects) {}

  void Print(const ListedEntry& entry) {
    std::string name = Printable(std::string_view(entry.key).substr(strip_));
    if (entry.is_prefix) {
      std::printf("PRE %s\n", name.c_str());
    } else if (hold_objects_) {
      held_.emplace_back(entry.size, std::move(name));
    } else {
      PrintObject(entry.size, name);
    }
  }

  void Flush() {
    for (const auto& [size, name] : held_) PrintObject(size, name);
    held_.clear();
  }

 private:
  static void PrintObject(uint64_t size, const std::string& name) {
    std::printf("%llu %s\n", static_cast<unsigned long long>(size), name.c_str());
  }

  size_t strip_;
  bool hold_objects_;
  std::vector<std::pair<uint64_t, std::string>> held_;
};

}  // namespace

LsCommand::LsCommand(CLI::App& app) {
  command_ = app.add_subcommand("ls", "List keys and folders under a prefix");
  command_->add_option("SOURCE", source_, "s3://BUCKET, s3://BUCKET/PREFIX, or a glob")->required();
  command_->add_flag("-r,--recursive", recursive_, "every key under the prefix, not one folder");
  connection_.Add(command_);
  command_->footer(kExamples);
}

int LsCommand::Run() {
  Result<S3Url> source = ParseS3Url(source_);
  if (!source.ok()) return UsageError("ls", source.status().message());
  const std::string& key = source->key;
  ListRequest request{source->bucket, key, recursive_};
  // Without --recursive, names show less the prefix up to its last '/'.
  bool grouped = !recursive_ && !IsGlob(key);
  size_t strip = grouped && key.rfind('/') != std::string::npos ? key.rfind('/') + 1 : 0;

  Result<std::unique_ptr<Downloader>> downloader = Downloader::Create(connection_.options());
  if (!downloader.ok()) return UsageError("ls", downloader.status().message());
  ListPrinter printer(strip, grouped);
  Status listed;
  {
    InterruptGuard guard(**downloader);
    listed = (*downloader)->List(request, [&printer](const ListedEntry& e) { printer.Print(e); });
  }
  printer.Flush();
  if (listed.code() == StatusCode::kCancelled) return kExitInterrupted;
  if (listed.code() == StatusCode::kInvalidArgument) return UsageError("ls", listed.message());
  if (listed.ok()) return kExitOk;
  Reporter failures(stdout, /*quiet=*/true);  // says why on stderr, with hints
  ObjectResult failure{source->bucket, key, "", 0, true, listed};
  failures.OnObjectDone(failure);
  return kExitFailures;
}

}  // namespace s3pull::cli
