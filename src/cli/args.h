// SPDX-License-Identifier: Apache-2.0
#pragma once
// Command-line parsing for procleak: subcommand plus options, no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "procleak/analysis.h"

namespace procleak {

enum class Command { kHelp, kVersion, kScan, kWatch, kRecord, kReplay, kDiff, kExport, kReap };

// --color WHEN.
enum class ColorWhen { kAuto, kAlways, kNever };

struct CliArgs {
  Command command = Command::kHelp;
  std::string command_name;  // as typed, for messages
  std::string help_for;      // kHelp: the command whose options to print ("" the overview)
  // Where and how to scan (scan, watch, record, export, diff's "live").
  std::string root = "/";
  std::string docker_root = "/var/lib/docker";  // read under root
  bool pss = false;
  std::vector<std::string> rules_files;  // every --rules FILE, in order
  bool default_rules = true;             // --no-default-rules: not the files of default_rules.h
  bool sandbox = true;                   // --no-sandbox turns the seccomp filter off
  // Output.
  bool json = false;
  bool tree = false;
  std::optional<int> pid;
  std::string fail_on = "warning";  // exit 1 when a finding at or above this exists
  ColorWhen color = ColorWhen::kAuto;
  // scan and replay's text report (see procleak(1), scan): --sort KEY ("" the default order),
  // --top N (0 for all; unset: 15 containers and cgroups, 10 processes), --wide (no cut), and
  // the filters --user NAME|UID and --cgroup PATH (with --container below).
  std::string sort;
  std::optional<size_t> top;
  bool wide = false;
  std::string user;
  std::string cgroup;
  // watch and record.
  std::optional<absl::Duration> interval;  // default 5 s (watch), 10 s (record)
  std::optional<int> count;                // samples; unset: until interrupted
  std::optional<absl::Duration> duration;  // record: stop after this long
  std::string output;                      // -o FILE (record, export); "-" standard output
  bool wait = false;                       // record: wait while another writer holds FILE
  // replay.
  std::optional<absl::Time> at;
  std::optional<int> index;
  bool list = false;
  // export.
  bool prometheus = false;
  // reap (see procleak(1), reap).
  std::vector<FindingKind> findings;        // --finding KIND, repeatable; empty: both chain kinds
  std::string signature;                    // --signature TEXT: a part of the group's signature
  std::string container;                    // --container NAME|ID (an id prefix will do)
  std::vector<int> pids;                    // every --pid, in order (scan and replay use `pid`)
  std::string keep;                         // --keep N|newest|oldest; "" the default
  bool all = false;                         // --all: --apply without a selector reaches every group
  bool apply = false;                       // signal; otherwise a dry run
  absl::Duration grace = absl::Seconds(5);  // --grace SEC between SIGTERM and SIGKILL
  // replay FILE, diff A B.
  std::vector<std::string> operands;
};

// argv without the program name. Accepts "--opt VALUE" and "--opt=VALUE"; "--" ends the options;
// "-h" or "--help" anywhere before it asks for the command's help. Errors are one line without
// the "procleak: " prefix: "scan: unknown option '--foo' (see 'procleak scan --help')"; without
// a known command, "(see 'procleak help')".
absl::StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args);

// The commands, in the order `procleak help` lists them.
std::vector<std::string> CommandNames();
// Every option `command` accepts, in the order its help lists them ("-h"/"--help" aside); empty
// for an unknown command.
std::vector<std::string> OptionsOf(std::string_view command);

// Parses a point in time as --at and FILE@TIME take it: RFC 3339 ("2026-11-24T10:00:00Z",
// "2026-11-24T10:00:00+01:00"), or "2026-11-24 10:00:00" and "2026-11-24T10:00:00" read as UTC.
std::optional<absl::Time> ParseMoment(std::string_view text);

// Parses "90s", "5m", "1.5h", "1d", a bare number of seconds ("2.5") and anything
// absl::ParseDuration takes into a positive
// duration.
std::optional<absl::Duration> ParseInterval(std::string_view text);

// The text `procleak help` prints, or with a command's name what `procleak CMD --help` prints
// (help_text.cc).
std::string HelpText(std::string_view command = "");

}  // namespace procleak
