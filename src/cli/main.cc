// s3pull's entry point: wires the subcommands to the command line.
#include <CLI/CLI.hpp>

#include "cli/cp_command.h"
#include "cli/exit_codes.h"
#include "cli/ls_command.h"

int main(int argc, char** argv) {
  CLI::App app{
      "s3pull: download objects from Amazon S3 and S3-compatible stores, many at once, "
      "fast and safely."};
  app.set_version_flag("--version", std::string("s3pull ") + S3PULL_VERSION);
  app.require_subcommand(1);
  s3pull::cli::CpCommand cp(app);
  s3pull::cli::LsCommand ls(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse error is a usage error.
    return app.exit(e) == 0 ? s3pull::cli::kExitOk : s3pull::cli::kExitUsage;
  }
  return ls.selected() ? ls.Run() : cp.Run();
}
