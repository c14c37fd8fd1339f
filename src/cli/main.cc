// SPDX-License-Identifier: Apache-2.0
// The procleak command: the only place that prints or exits.

#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "fmt/format.h"
#include "procleak/version.h"

namespace procleak {
namespace {

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<CliArgs> parsed = ParseArgs(args);
  if (!parsed.ok()) return Fail(parsed.status());
  switch (parsed->command) {
    case Command::kHelp:
      return Write(HelpText());
    case Command::kVersion:
      return Write(fmt::format("procleak {}\n", PROCLEAK_VERSION));
    case Command::kScan:
      return RunScan(*parsed);
    case Command::kWatch:
      return RunWatch(*parsed);
    case Command::kRecord:
      return RunRecord(*parsed);
    case Command::kReplay:
      return RunReplay(*parsed);
    case Command::kDiff:
      return RunDiff(*parsed);
    case Command::kExport:
      return RunExport(*parsed);
    case Command::kReap:
      return RunReap(*parsed);
  }
  return kExitError;
}

}  // namespace
}  // namespace procleak

int main(int argc, char** argv) { return procleak::Main(argc, argv); }
