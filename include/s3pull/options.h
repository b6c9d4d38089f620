// Options of an s3pull client: where S3 is, who we are, how hard to push.
//
// Every field has a default that works against AWS S3 with the standard
// credential chain; empty strings mean "resolve as the AWS CLI does".
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "s3pull/status.h"

namespace s3pull {

// How a bucket is named in a request: in the host name (virtual-hosted,
// https://BUCKET.s3.REGION.amazonaws.com/KEY) or in the path (ENDPOINT/BUCKET/KEY).
enum class AddressingStyle {
  kAuto,     // virtual-hosted on AWS for DNS-safe bucket names; path-style otherwise
  kPath,     // always path-style
  kVirtual,  // virtual-hosted also on a custom endpoint (it must be a DNS name)
};

// What is verified of each object's bytes. S3's full-object checksum
// (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) comes with a whole reply or a
// HEAD; a multipart object's composite one is checked part by part (from
// GetObjectAttributes); a single-part ETag is the MD5 (not with SSE-KMS or
// SSE-C).
enum class ChecksumPolicy {
  kAuto,      // S3's full-object checksum, else a single-part ETag's MD5, when offered
  kRequired,  // as kAuto, and an object that offers neither fails
  kOff,       // nothing beyond lengths and ranges
};

// AWS access keys, as an IAM user or an assumed role has them.
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" when none (long-term keys)
  // Unix time at which temporary keys stop working; 0 = never.
  int64_t expires_at = 0;
};

struct ClientOptions {
  // "" = AWS S3 in `region`. Otherwise "http[s]://host[:port]".
  std::string endpoint_url;
  AddressingStyle addressing_style = AddressingStyle::kAuto;
  // "" = AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region,
  // then "us-east-1".
  std::string region;
  // "" = AWS_PROFILE, then "default". When named here, credentials come from
  // the profile even if AWS_ACCESS_KEY_ID is set.
  std::string profile;
  // false = anonymous requests (public buckets): no credentials are read.
  bool sign_requests = true;
  // Set: requests are signed with these keys, and no credentials are read
  // from the environment or profiles (the region still may be).
  std::optional<Credentials> credentials;
  // Set (and `credentials` not): requests are signed with the keys it
  // gives. Create() calls it once (its error is Create()'s); a run calls it
  // again once the keys are less than 5 minutes from their expires_at
  // (never when that is 0), keeping the old ones if it fails, and then
  // asking at most every 10 seconds. It may be called from any thread of a
  // run, one call at a time, and should return within seconds.
  std::function<Result<Credentials>()> credentials_provider;
  // Requests in flight at once (and connections kept open). 0 = adaptive:
  // start at 64 and climb while throughput grows (up to 512), and back off
  // when the server throttles.
  int concurrency = 0;
  // Event loops, each a thread with its own connections. 0 = adaptive: one,
  // and one more (up to one per core, at most 8) while the newest saturates
  // its core and the machine has a core idle; many small objects need that
  // on fast networks. N = N from the start. A fixed `concurrency` is shared
  // among them.
  int event_loops = 0;
  // Objects larger than this are fetched in ranged GETs of this many bytes
  // (aligned to the stored parts of multipart uploads when the ETag says so).
  uint64_t part_size = 8 * 1024 * 1024;
  // Transient failures (throttling, 5xx, resets, timeouts, stalls, short or
  // bad replies) are retried up to this many times per request, with capped
  // exponential backoff and full jitter, within a budget for the whole run.
  int retries = 5;
  // A transfer that receives nothing for this long is abandoned and retried.
  int stall_timeout_seconds = 30;
  // A mismatch is retried like a bad reply; when it persists the object
  // fails with "checksum mismatch" and no file is left.
  ChecksumPolicy checksum = ChecksumPolicy::kAuto;
  // Flush each file's data to disk before its rename, and the folder after
  // it, so that a reported file survives a power loss. Costs a disk flush
  // per object.
  bool fsync = false;
  // Skip an object whose local file s3pull finished in an earlier run and
  // nobody changed since (same size and modification time, noted in an
  // extended attribute), when the object's ETag is still the one noted: a
  // re-run after a crash or Ctrl-C fetches only what is missing or changed.
  // Listed objects are compared without a request; a single key is asked
  // for with If-None-Match. false = fetch every object again.
  bool skip_unchanged = true;
  // How often a run calls Observer::OnProgress; 0 = never.
  int progress_interval_ms = 250;
  // TLS: verify the server certificate (always, unless the user opts out).
  bool verify_tls = true;
  std::string ca_bundle;  // "" = the system's trust store
};

}  // namespace s3pull
