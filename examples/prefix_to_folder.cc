// Downloads every object under an S3 prefix into a local folder with the
// s3pull library, as `s3pull cp s3://BUCKET/PREFIX/ DEST_DIR` does:
//
//   prefix_to_folder s3://my-bucket/datasets/2026/ ./data
//   (s3://my-bucket/datasets/2026/a/b.csv -> ./data/a/b.csv)
//
// Credentials, region and endpoint are found where the AWS CLI finds them:
// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or a profile, AWS_REGION,
// AWS_ENDPOINT_URL for another S3-compatible store. Prints a line per object
// and a summary; exits with 1 unless every object was downloaded.
#include <cstdio>
#include <string>

#include "s3pull/downloader.h"
#include "s3pull/location.h"

namespace {

// Run() calls OnObjectDone() once per object as it finishes, on the thread
// that called Run(): print and return quickly.
class PrintResults : public s3pull::Observer {
 public:
  void OnObjectDone(const s3pull::ObjectResult& result) override {
    std::string url = "s3://" + result.bucket + "/" + result.key;
    switch (result.outcome) {
      case s3pull::Outcome::kDownloaded:
        std::printf("downloaded %s -> %s (%llu bytes)\n", url.c_str(), result.path.c_str(),
                    static_cast<unsigned long long>(result.bytes));
        break;
      case s3pull::Outcome::kUnchanged:  // this file, from an earlier run, is still current
        std::printf("unchanged %s -> %s\n", url.c_str(), result.path.c_str());
        break;
      case s3pull::Outcome::kFailed:
      case s3pull::Outcome::kCancelled:  // only after Downloader::Cancel(), not called here
        std::fprintf(stderr, "failed %s: %s\n", url.c_str(), result.status.ToString().c_str());
        break;
    }
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s s3://BUCKET/PREFIX/ DEST_DIR\n", argv[0]);
    return 2;
  }
  s3pull::Result<s3pull::S3Url> source = s3pull::ParseS3Url(argv[1]);
  if (!source.ok()) {
    std::fprintf(stderr, "%s\n", source.status().ToString().c_str());
    return 2;
  }

  // The defaults suit most runs: requests in flight and event loops adapt to
  // the network, and every object is verified against its checksum or MD5.
  s3pull::ClientOptions options;
  auto downloader = s3pull::Downloader::Create(options);
  if (!downloader.ok()) {  // e.g. no credentials found
    std::fprintf(stderr, "%s\n", downloader.status().ToString().c_str());
    return 2;
  }

  // Every key under the prefix, each written at DEST_DIR/<key less the
  // prefix>. A plan can hold many sources; Run() fetches them all at once.
  s3pull::DownloadPlan plan;
  plan.AddPrefix(source->bucket, source->key, argv[2]);

  PrintResults printer;
  s3pull::Summary summary = (*downloader)->Run(plan, printer);
  if (!summary.error.ok()) std::fprintf(stderr, "%s\n", summary.error.ToString().c_str());
  std::printf("%llu objects: %llu downloaded, %llu unchanged, %llu failed, %llu bytes in %.2f s\n",
              static_cast<unsigned long long>(summary.objects),
              static_cast<unsigned long long>(summary.succeeded),
              static_cast<unsigned long long>(summary.unchanged),
              static_cast<unsigned long long>(summary.failed),
              static_cast<unsigned long long>(summary.bytes), summary.seconds);
  // A listing that fails counts as a failed object too.
  return summary.error.ok() && summary.succeeded + summary.unchanged == summary.objects ? 0 : 1;
}
