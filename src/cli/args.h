// SPDX-License-Identifier: Apache-2.0
#pragma once
// Command-line parsing for procleak: subcommand plus options, no I/O.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace procleak {

enum class Command { kHelp, kVersion, kScan };

struct CliArgs {
  Command command = Command::kHelp;
  std::string root = "/";
  bool json = false;
  bool tree = false;
  std::optional<int> pid;
  bool pss = false;
  bool sandbox = true;                          // --no-sandbox turns the seccomp filter off
  std::string rules_file;                       // "" for the built-in rules only
  std::string docker_root = "/var/lib/docker";  // read under root
  std::string fail_on = "warning";              // exit 1 when a finding at or above this exists
};

// argv without the program name. Accepts "--opt VALUE" and "--opt=VALUE". Errors are one line
// without the "procleak: " prefix: "scan: unknown option '--foo'".
absl::StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args);

// The text `procleak help` prints.
std::string HelpText();

}  // namespace procleak
