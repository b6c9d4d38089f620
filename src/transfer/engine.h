// The engine: runs a DownloadPlan over an HttpClient from one event loop.
//
// It turns scheduler actions into signed S3 requests, streams each object's
// body into its FileWriter as it arrives, verifies the length, and reports
// one ObjectResult per object. Listing pages feed the scheduler as they
// arrive, so downloads start before a listing ends.
//
// One object's download (the design in short):
//   1. the scheduler hands out a GetAction (from a listing page or the plan);
//   2. the engine signs a GET and starts it; nothing touches the disk yet;
//   3. on a 200 the FileWriter makes a temporary file beside the final path
//      and the body is appended as it arrives (never held in memory);
//      any other status collects the (capped) error body instead;
//   4. at the end: transport ok, 200, byte count equal to Content-Length and
//      to the listed size -> rename to the final path; otherwise the
//      temporary file is removed and the error reported.
#pragma once

#include <optional>

#include "auth/credentials.h"
#include "http/http_client.h"
#include "s3/requests.h"
#include "s3pull/downloader.h"

namespace s3pull::transfer {

struct EngineConfig {
  s3::Endpoint endpoint;
  std::optional<auth::Credentials> credentials;  // nullopt = anonymous requests
  int concurrency = 64;
  uint64_t part_size = 8 * 1024 * 1024;  // bytes per ranged GET of a large object
};

// Runs `plan` to the end; every object of it gets exactly one OnObjectDone().
Summary RunPlan(const EngineConfig& config, http::HttpClient& http, const DownloadPlan& plan,
                Observer& observer);

}  // namespace s3pull::transfer
