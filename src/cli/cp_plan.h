// What `s3pull cp SOURCE DEST` fetches and where it writes it: the choice
// between a prefix, a glob, one key (to a file, into a folder, or to
// standard output) and a key list, made from the arguments alone.
#pragma once

#include <string>

#include "s3pull/location.h"
#include "s3pull/plan.h"
#include "s3pull/status.h"

namespace s3pull::cli {

struct CpPlan {
  DownloadPlan plan;
  bool single_key = false;  // SOURCE names one key
  bool to_stdout = false;   // ... written to standard output (DEST "-")
};

// `from_file`: a key list's file ("-" = standard input; "" = none). A
// prefix (SOURCE ending in '/' or naming a bucket), a glob or a key list
// need a DEST that is a folder or does not exist yet; one key goes into
// DEST when it is a folder or ends in '/', else to the file DEST. Errors
// (kInvalidArgument) are usage errors, said in the words of the command line.
Result<CpPlan> PlanCopy(const S3Url& source, const std::string& dest, const std::string& from_file);

}  // namespace s3pull::cli
