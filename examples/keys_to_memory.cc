// Fetches a list of keys into memory with the s3pull library and reports
// each as it finishes, like the classic thread-pool loop that yields
// (key, "Success" | error) per key:
//
//   keys_to_memory s3://my-bucket/configs/ a.json b.json missing.json
//   a.json: Success (812 bytes, 31 lines)
//   missing.json: NoSuchKey (HTTP 404): The specified key does not exist. (request id ...)
//   b.json: Success (95 bytes, 4 lines)
//
// Keys are named relative to the prefix. Credentials, region and endpoint
// are found where the AWS CLI finds them (AWS_ENDPOINT_URL for another
// S3-compatible store). Exits with 1 unless every key was fetched.
#include <algorithm>
#include <cstdio>
#include <string>

#include "s3pull/downloader.h"
#include "s3pull/location.h"

namespace {

// Each object's bytes arrive verified in ObjectResult::data; here they are
// only counted, but this is where a program parses or stores them.
class PrintEach : public s3pull::Observer {
 public:
  explicit PrintEach(size_t prefix_length) : prefix_length_(prefix_length) {}

  void OnObjectDone(const s3pull::ObjectResult& result) override {
    std::string name = result.key.substr(prefix_length_);
    if (result.outcome == s3pull::Outcome::kDownloaded) {
      auto lines = std::count(result.data.begin(), result.data.end(), '\n');
      std::printf("%s: Success (%zu bytes, %td lines)\n", name.c_str(), result.data.size(), lines);
    } else {
      ++failed_;
      std::printf("%s: %s\n", name.c_str(), result.status.ToString().c_str());
    }
  }
  int failed() const { return failed_; }

 private:
  size_t prefix_length_;
  int failed_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s s3://BUCKET/PREFIX/ KEY...\n", argv[0]);
    return 2;
  }
  s3pull::Result<s3pull::S3Url> source = s3pull::ParseS3Url(argv[1]);
  if (!source.ok()) {
    std::fprintf(stderr, "%s\n", source.status().ToString().c_str());
    return 2;
  }
  auto downloader = s3pull::Downloader::Create(s3pull::ClientOptions{});
  if (!downloader.ok()) {
    std::fprintf(stderr, "%s\n", downloader.status().ToString().c_str());
    return 2;
  }

  // All keys go out at once (hundreds of requests in flight when there are
  // that many keys); large objects come in parallel ranged parts.
  s3pull::DownloadPlan plan;
  for (int i = 2; i < argc; ++i) plan.AddKeyToMemory(source->bucket, source->key + argv[i]);

  PrintEach printer(source->key.size());
  s3pull::Summary summary = (*downloader)->Run(plan, printer);
  if (!summary.error.ok()) std::fprintf(stderr, "%s\n", summary.error.ToString().c_str());
  return summary.error.ok() && printer.failed() == 0 ? 0 : 1;
}
