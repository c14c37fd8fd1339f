// SPDX-License-Identifier: Apache-2.0
#include "cli/args.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <iterator>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "render/row_order.h"

namespace procleak {
namespace {

absl::Status UsageError(std::string message) {
  return absl::InvalidArgumentError(fmt::format("{} (see 'procleak help')", message));
}

// A usage error of command `cmd` points to that command's own help, which lists its options.
absl::Status PointToCommandHelp(const absl::Status& status, std::string_view cmd) {
  constexpr std::string_view kGeneral = " (see 'procleak help')";
  std::string message(status.message());
  if (message.size() >= kGeneral.size() &&
      message.substr(message.size() - kGeneral.size()) == kGeneral) {
    message.resize(message.size() - kGeneral.size());
  }
  return absl::InvalidArgumentError(fmt::format("{} (see 'procleak {} --help')", message, cmd));
}

struct CommandInfo {
  const char* name;
  Command command;
  std::initializer_list<const char*> options;  // the options it accepts
  size_t operands;                             // positional arguments it takes
};

constexpr const char* kScanLike[] = {"--root",  "--docker-root",      "--pss",
                                     "--rules", "--no-default-rules", "--no-sandbox"};
// The options of every command that prints a coloured text report (not record, export, reap).
constexpr const char* kColored[] = {"--color"};

// Options that exclude each other: naming both is a usage error, in every command taking both.
constexpr std::pair<const char*, const char*> kConflicts[] = {
    {"--json", "--tree"},     {"--json", "--color"},   {"--at", "--index"},
    {"--list", "--at"},       {"--list", "--index"},   {"--list", "--tree"},
    {"--list", "--pid"},      {"--list", "--fail-on"}, {"--all", "--signature"},
    {"--all", "--container"}, {"--all", "--pid"},
};

const CommandInfo kCommands[] = {
    {"scan",
     Command::kScan,
     {"--json", "--tree", "--pid", "--fail-on", "--sort", "--top", "--wide", "--container",
      "--user", "--cgroup"},
     0},
    {"watch", Command::kWatch, {"--json", "--interval", "--count"}, 0},
    {"record",
     Command::kRecord,
     {"-o", "--output", "--interval", "--count", "--duration", "--wait"},
     0},
    {"replay",
     Command::kReplay,
     {"--json", "--tree", "--pid", "--fail-on", "--at", "--index", "--list", "--sort", "--top",
      "--wide", "--container", "--user", "--cgroup"},
     1},
    {"diff", Command::kDiff, {"--json"}, 2},
    {"export", Command::kExport, {"--prometheus", "-o", "--output"}, 0},
    {"reap",
     Command::kReap,
     {"--finding", "--signature", "--container", "--pid", "--all", "--keep", "--apply", "--grace",
      "--json"},
     0},
};

template <typename List>
bool In(const List& list, std::string_view name) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

bool Accepts(const CommandInfo& info, const std::string& name) {
  for (const char* o : info.options) {
    if (name == o) return true;
  }
  if (In(kColored, name)) {
    return info.command == Command::kScan || info.command == Command::kWatch ||
           info.command == Command::kReplay || info.command == Command::kDiff;
  }
  // Wherever rules are read, the default files are too (procleak-rules(5), FILES).
  if (name == "--no-default-rules") return Accepts(info, "--rules");
  // replay renders a recorded scan: it reads no host, but takes the rules it is analysed with.
  if (info.command == Command::kReplay) return name == "--rules" || name == "--no-sandbox";
  // reap signals processes, so it runs without the read-only seccomp filter.
  if (info.command == Command::kReap && name == "--no-sandbox") return false;
  // record keeps snapshots, not their analysis: rules apply when they are replayed.
  if (info.command == Command::kRecord && name == "--rules") return false;
  for (const char* o : kScanLike) {
    if (name == o) return true;
  }
  return false;
}

bool IsFlag(const std::string& name) {
  if (name == "--no-default-rules") return true;
  for (const char* f : {"--json", "--tree", "--pss", "--no-sandbox", "--list", "--prometheus",
                        "--apply", "--all", "--wait", "--wide"}) {
    if (name == f) return true;
  }
  return false;
}

const CommandInfo* FindCommand(std::string_view name) {
  for (const CommandInfo& info : kCommands) {
    if (name == info.name) return &info;
  }
  return nullptr;
}

// "-h" or "--help" before "--", wherever it stands among the options: help, whatever else is given.
bool AsksForHelp(const std::vector<std::string>& args) {
  for (size_t i = 1; i < args.size() && args[i] != "--"; ++i) {
    if (args[i] == "-h" || args[i] == "--help") return true;
  }
  return false;
}

std::optional<int> ParsePositive(const std::string& text, int min) {
  int n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || ptr != text.data() + text.size() || n < min) {
    return std::nullopt;
  }
  return n;
}

void SetFlag(const std::string& name, CliArgs* out) {
  if (name == "--json") out->json = true;
  if (name == "--tree") out->tree = true;
  if (name == "--pss") out->pss = true;
  if (name == "--no-sandbox") out->sandbox = false;
  if (name == "--list") out->list = true;
  if (name == "--prometheus") out->prometheus = true;
  if (name == "--apply") out->apply = true;
  if (name == "--all") out->all = true;
  if (name == "--wait") out->wait = true;
  if (name == "--no-default-rules") out->default_rules = false;
  if (name == "--wide") out->wide = true;
}

absl::Status SetValue(const std::string& cmd, const std::string& name, const std::string& value,
                      CliArgs* out) {
  auto bad = [&](std::string_view wants) {
    return UsageError(fmt::format("{}: {} needs {}, not '{}'", cmd, name, wants, value));
  };
  if (name == "--rules") {  // repeatable: each file is read after those before it
    if (value.empty()) return UsageError(fmt::format("{}: {} needs a path", cmd, name));
    out->rules_files.push_back(value);
  } else if (name == "--root" || name == "--docker-root" || name == "-o" || name == "--output") {
    if (value.empty()) return UsageError(fmt::format("{}: {} needs a path", cmd, name));
    (name == "--root"          ? out->root
     : name == "--docker-root" ? out->docker_root
                               : out->output) = value;
  } else if (name == "--pid") {
    std::optional<int> pid = ParsePositive(value, 1);
    if (!pid) return bad("a positive number");
    out->pid = pid;
    out->pids.push_back(*pid);
  } else if (name == "--finding") {
    std::optional<FindingKind> kind = ParseFindingKind(value);
    if (!kind || !IsChainFinding(*kind)) {
      return UsageError(fmt::format(
          "{}: --finding takes duplicate_chain or orphaned_chain, not '{}'", cmd, value));
    }
    if (std::find(out->findings.begin(), out->findings.end(), *kind) == out->findings.end()) {
      out->findings.push_back(*kind);
    }
  } else if (name == "--signature" || name == "--container") {
    if (value.empty()) return bad(name == "--signature" ? "some text" : "a name or id");
    (name == "--signature" ? out->signature : out->container) = value;
  } else if (name == "--keep") {
    if (value != "newest" && value != "oldest" && !ParsePositive(value, 0)) {
      return bad("a number of chains (0 or more), newest or oldest");
    }
    out->keep = value;
  } else if (name == "--grace") {
    std::optional<absl::Duration> d = ParseInterval(value);
    if (value == "0" || value == "0s") d = absl::ZeroDuration();
    if (!d) return bad("a number of seconds such as 5 or 0.5");
    out->grace = *d;
  } else if (name == "--count") {
    std::optional<int> count = ParsePositive(value, 1);
    if (!count) return bad("a positive number");
    out->count = count;
  } else if (name == "--index") {
    std::optional<int> index = ParsePositive(value, 0);
    if (!index) return bad("a moment's index (0 or more)");
    out->index = index;
  } else if (name == "--interval" || name == "--duration") {
    std::optional<absl::Duration> d = ParseInterval(value);
    if (name == "--interval" && (value == "0" || value == "0s")) d = absl::ZeroDuration();
    if (!d) return bad("a duration such as 10s, 5m or 1h");
    (name == "--interval" ? out->interval : out->duration) = d;
  } else if (name == "--at") {
    std::optional<absl::Time> at = ParseMoment(value);
    if (!at) return bad("a time such as 2026-11-24T10:00:00Z");
    out->at = at;
  } else if (name == "--color") {
    if (value != "auto" && value != "always" && value != "never") {
      return UsageError(
          fmt::format("{}: --color takes auto, always or never, not '{}'", cmd, value));
    }
    out->color = value == "always"  ? ColorWhen::kAlways
                 : value == "never" ? ColorWhen::kNever
                                    : ColorWhen::kAuto;
  } else if (name == "--sort") {
    if (!ParseSortKey(value)) return bad(SortKeyChoices());
    out->sort = value;
  } else if (name == "--top") {
    std::optional<int> top = value == "all" ? 0 : ParsePositive(value, 1);
    if (!top) return bad("a number of rows (1 or more) or all");
    out->top = static_cast<size_t>(*top);
  } else if (name == "--user" || name == "--cgroup") {
    if (value.empty()) return bad(name == "--user" ? "a user name or uid" : "a cgroup path");
    (name == "--user" ? out->user : out->cgroup) = value;
  } else if (name == "--fail-on") {
    if (value != "critical" && value != "warning" && value != "info" && value != "never") {
      return UsageError(fmt::format(
          "{}: --fail-on takes critical, warning, info or never, not '{}'", cmd, value));
    }
    out->fail_on = value;
  }
  return absl::OkStatus();
}

// Appends the option names given (as typed, without values) to `given`.
absl::Status ParseOptions(const CommandInfo& info, const std::vector<std::string>& args,
                          CliArgs* out, std::vector<std::string>* given) {
  const std::string cmd = info.name;
  bool operands_only = false;  // after "--"
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--" && !operands_only) {
      operands_only = true;
      continue;
    }
    std::string name = arg;
    std::optional<std::string> value;
    if (size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    }
    if (operands_only || arg.size() < 2 || arg[0] != '-') {
      if (out->operands.size() >= info.operands) {
        return UsageError(fmt::format("{}: unexpected argument '{}'", cmd, arg));
      }
      out->operands.push_back(arg);
      continue;
    }
    if (!Accepts(info, name)) {
      return UsageError(fmt::format("{}: unknown option '{}'", cmd, name));
    }
    given->push_back(name);
    if (IsFlag(name)) {
      if (value) return UsageError(fmt::format("{}: {} takes no value", cmd, name));
      SetFlag(name, out);
      continue;
    }
    if (!value) {
      if (i + 1 >= args.size()) return UsageError(fmt::format("{}: {} needs a value", cmd, name));
      value = args[++i];
    }
    absl::Status set = SetValue(cmd, name, *value, out);
    if (!set.ok()) return set;
  }
  return absl::OkStatus();
}

absl::Status CheckConflicts(const std::string& cmd, const std::vector<std::string>& given) {
  for (const auto& [a, b] : kConflicts) {
    if (In(given, a) && In(given, b)) {
      return UsageError(fmt::format("{}: {} and {} exclude each other", cmd, a, b));
    }
  }
  return absl::OkStatus();
}

// What the options together must make sense of (pairs that exclude each other: kConflicts).
absl::Status Check(const CliArgs& a) {
  switch (a.command) {
    case Command::kRecord:
      if (a.output.empty()) return UsageError("record: -o FILE is required");
      if (a.output == "-") {
        return UsageError(
            "record: -o -: a record is a file that procleak locks and appends to, not standard "
            "output");
      }
      break;
    case Command::kReplay:
      if (a.operands.empty()) return UsageError("replay: which record? (replay FILE)");
      break;
    case Command::kDiff:
      if (a.operands.size() != 2) {
        return UsageError("diff: needs two moments: diff A B (FILE@TIME, a scan JSON file, live)");
      }
      break;
    case Command::kExport:
      if (!a.prometheus) return UsageError("export: which format? (export --prometheus)");
      break;
    case Command::kReap:
      if (a.apply && a.root != "/") {
        return UsageError("reap: --apply signals this machine's processes; it takes no --root");
      }
      // --finding and --keep narrow nothing down to a place: alone they still reach every group.
      if (a.apply && !a.all && a.signature.empty() && a.container.empty() && a.pids.empty()) {
        return UsageError(
            "reap: --apply needs --signature, --container or --pid, or --all to stop every group");
      }
      break;
    default:
      break;
  }
  return absl::OkStatus();
}

// scan and replay: --sort, --top, --wide and the filters shape the text report.
absl::Status CheckView(const CliArgs& a) {
  if (a.command != Command::kScan && a.command != Command::kReplay) return absl::OkStatus();
  const std::string& cmd = a.command_name;
  const bool filtered = !a.container.empty() || !a.user.empty() || !a.cgroup.empty();
  if (a.json && (!a.sort.empty() || a.top || a.wide || filtered)) {
    return UsageError(fmt::format(
        "{}: --sort, --top, --wide, --container, --user and --cgroup shape the text report; "
        "--json has every row (select with jq)",
        cmd));
  }
  if (a.tree && (!a.sort.empty() || a.top)) {
    return UsageError(fmt::format("{}: --tree is in tree order, whole: no --sort or --top", cmd));
  }
  return absl::OkStatus();
}

}  // namespace

std::optional<absl::Duration> ParseInterval(std::string_view text) {
  std::string s(text);
  absl::Duration d;
  if (!s.empty() && s.find_first_not_of("0123456789.") == std::string::npos) {
    s += 's';  // a bare number is seconds, as for watch(1) and sleep(1)
  }
  if (!s.empty() && s.back() == 'd') {
    std::optional<int> days = ParsePositive(s.substr(0, s.size() - 1), 1);
    if (!days) return std::nullopt;
    d = absl::Hours(24) * *days;
  } else if (!absl::ParseDuration(s, &d)) {
    return std::nullopt;
  }
  if (d <= absl::ZeroDuration()) return std::nullopt;
  return d;
}

std::optional<absl::Time> ParseMoment(std::string_view text) {
  std::string s(text);
  absl::Time t;
  std::string err;
  for (const char* format : {absl::RFC3339_full, "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
                             "%Y-%m-%d %H:%M:%E*S", "%Y-%m-%dT%H:%M:%E*S"}) {
    if (absl::ParseTime(format, s, absl::UTCTimeZone(), &t, &err)) return t;
  }
  return std::nullopt;
}

absl::StatusOr<CliArgs> ParseArgs(const std::vector<std::string>& args) {
  CliArgs out;
  if (args.empty()) return UsageError("no command given");
  const std::string& command = args[0];
  if (command == "help" || command == "--help" || command == "-h") {
    // "help", "help CMD"
    out.command = Command::kHelp;
    if (args.size() > 2) return UsageError(fmt::format("help: unexpected argument '{}'", args[2]));
    if (args.size() == 2 && args[1] != "help") {
      if (FindCommand(args[1]) == nullptr) {
        return UsageError(fmt::format("help: unknown command '{}'", args[1]));
      }
      out.help_for = args[1];
    }
    return out;
  }
  if (command == "--version" || command == "version") {
    out.command = Command::kVersion;
    return out;
  }
  const CommandInfo* info = FindCommand(command);
  if (info == nullptr) return UsageError(fmt::format("unknown command '{}'", command));
  if (AsksForHelp(args)) {
    out.help_for = info->name;
    return out;
  }
  out.command = info->command;
  out.command_name = info->name;
  std::vector<std::string> given;
  absl::Status status = ParseOptions(*info, args, &out, &given);
  if (status.ok()) status = CheckConflicts(info->name, given);
  if (status.ok()) status = Check(out);
  if (status.ok()) status = CheckView(out);
  if (!status.ok()) return PointToCommandHelp(status, info->name);
  return out;
}

std::vector<std::string> CommandNames() {
  std::vector<std::string> out;
  for (const CommandInfo& info : kCommands) out.push_back(info.name);
  return out;
}

std::vector<std::string> OptionsOf(std::string_view command) {
  std::vector<std::string> out;
  const CommandInfo* info = FindCommand(command);
  if (info == nullptr) return out;
  auto add = [&](std::string_view name) {
    if (!In(out, name) && Accepts(*info, std::string(name))) out.emplace_back(name);
  };
  for (const char* o : info->options) add(o);
  for (const char* o : kScanLike) add(o);
  for (const char* o : kColored) add(o);
  return out;
}

}  // namespace procleak
