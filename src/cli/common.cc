// SPDX-License-Identifier: Apache-2.0
#include "cli/common.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "base/read_file.h"
#include "base/terminal_text.h"
#include "cli/default_rules.h"
#include "fmt/format.h"
#include "procfs/passwd_parser.h"
#include "render/json_report.h"
#include "render/text_report.h"
#include "sandbox/sandbox.h"

namespace procleak {

// Messages name files and quote what was read from them: escaped once, here, where they reach the
// terminal (and so kept to one line).
int Fail(std::string_view message) {
  fmt::print(stderr, "procleak: {}\n", SanitizeForTerminal(message));
  return kExitError;
}

int Fail(const absl::Status& status) {
  return Fail(std::string_view(status.message().data(), status.message().size()));
}

void Warn(std::string_view message) {
  fmt::print(stderr, "procleak: warning: {}\n", SanitizeForTerminal(message));
}

int Write(std::string_view text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return Fail("cannot write to standard output");
  }
  return kExitOk;
}

bool ColorWanted(ColorWhen when, bool stdout_is_tty, const char* no_color, const char* term) {
  if (when != ColorWhen::kAuto) return when == ColorWhen::kAlways;
  const bool no_color_set = no_color != nullptr && *no_color != '\0';
  const bool dumb = term != nullptr && std::string_view(term) == "dumb";
  return stdout_is_tty && !no_color_set && !dumb;
}

bool UseColor(const CliArgs& args) {
  return ColorWanted(args.color, isatty(STDOUT_FILENO) == 1, std::getenv("NO_COLOR"),
                     std::getenv("TERM"));
}

absl::StatusOr<std::optional<Rules>> LoadRulesOf(const CliArgs& args) {
  absl::StatusOr<std::vector<std::string>> files = RulesFilesOf(args, RulesPlacesOfEnvironment());
  if (!files.ok()) return files.status();
  if (files->empty()) return std::optional<Rules>();
  absl::StatusOr<Rules> loaded = LoadRulesFiles(*files);
  if (!loaded.ok()) return loaded.status();
  return std::optional<Rules>(*std::move(loaded));
}

ScanOptions ScanOptionsOf(const CliArgs& args) {
  ScanOptions options;
  options.root = args.root;
  options.docker_root = args.docker_root;
  options.pss = args.pss;
  return options;
}

absl::Status EnterSandbox(const CliArgs& args, const std::vector<int>& write_fds, bool terminal) {
  if (!args.sandbox) return absl::OkStatus();
  return InstallSandbox(write_fds, terminal);
}

int FindingsStatus(const Analysis& analysis, const std::string& fail_on) {
  std::optional<Severity> worst = WorstSeverity(analysis);
  if (!worst || fail_on == "never") return kExitOk;
  Severity threshold = fail_on == "critical" ? Severity::kCritical
                       : fail_on == "info"   ? Severity::kInfo
                                             : Severity::kWarning;
  return *worst >= threshold ? kExitFindings : kExitOk;
}

namespace {

constexpr size_t kLeastColumns = 40;

// --user: a uid as it is, a name from ROOT/etc/passwd.
absl::StatusOr<uint32_t> UidOf(const std::string& root, const std::string& user) {
  uint32_t uid = 0;
  const auto [ptr, ec] = std::from_chars(user.data(), user.data() + user.size(), uid);
  if (ec == std::errc() && ptr == user.data() + user.size()) return uid;
  const std::string path = JoinPath(root, "/etc/passwd");
  std::string text;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", path.c_str(), FileKind::kPasswd, &text);
  if (!read.ok()) return read.status();
  if (*read != ReadOutcome::kRead) {
    return absl::NotFoundError(
        fmt::format("{}: {}, so user '{}' is not known (give a uid)", path,
                    *read == ReadOutcome::kDenied ? "permission denied" : "no such file", user));
  }
  std::optional<uint32_t> found = UidOfUser(text, user);
  if (!found) return absl::NotFoundError(fmt::format("{}: no user '{}'", path, user));
  return *found;
}

}  // namespace

size_t TerminalColumns() {
  struct winsize size = {};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) {
    return std::max<size_t>(size.ws_col, kLeastColumns);
  }
  const char* env = std::getenv("COLUMNS");
  const std::string_view text = env != nullptr ? env : "";
  int columns = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), columns);
  if (!text.empty() && ec == std::errc() && ptr == text.data() + text.size() && columns > 0) {
    return std::max<size_t>(static_cast<size_t>(columns), kLeastColumns);
  }
  return kWidth;
}

absl::StatusOr<ReportSetup> ReportSetupOf(const CliArgs& args) {
  ReportSetup setup;
  setup.columns = TerminalColumns();
  setup.filter.container = args.container;
  setup.filter.cgroup = args.cgroup;
  if (!args.user.empty()) {
    absl::StatusOr<uint32_t> uid = UidOf(args.root, args.user);
    if (!uid.ok()) return uid.status();
    setup.filter.uid = *uid;
    setup.filter.user = args.user;
  }
  return setup;
}

absl::StatusOr<TextOptions> TextOptionsOf(const Snapshot& snapshot, const CliArgs& args,
                                          const ReportSetup& setup, ReportScope* scope) {
  TextOptions text;
  text.width = args.wide ? kNoWidthLimit : setup.columns;
  text.sort = ParseSortKey(args.sort).value_or(SortKey::kMemory);
  if (text.sort == SortKey::kPss && !snapshot.stats().pss) {
    return absl::InvalidArgumentError(
        "--sort pss: this snapshot has no PSS (it was scanned or recorded without --pss)");
  }
  if (args.top) {
    text.max_cgroups = text.max_processes =
        *args.top == 0 ? std::numeric_limits<size_t>::max() : *args.top;
  }
  absl::StatusOr<ReportScope> made = ReportScope::Make(snapshot, setup.filter);
  if (!made.ok()) return made.status();
  *scope = *std::move(made);
  text.scope = scope;
  text.subtree_of = args.pid;
  return text;
}

int Report(const Snapshot& snapshot, const CliArgs& args, const Rules* rules,
           const ReportSetup& setup, std::optional<Analysis> made) {
  if (args.pid && snapshot.FindProcess(*args.pid) == nullptr) {
    return Fail(fmt::format("pid {}: no such process in the scan", *args.pid));
  }
  ReportScope scope;
  absl::StatusOr<TextOptions> view = TextOptionsOf(snapshot, args, setup, &scope);
  if (!view.ok()) return Fail(view.status());
  const Analysis analysis = made ? *std::move(made) : Analyze(snapshot, rules);
  int written;
  if (args.json) {
    JsonOptions json;
    json.subtree_of = args.pid;
    json.sandbox = SandboxName(args);
    JsonWriter out(2, stdout);
    WriteScanJson(out, snapshot, &analysis, json);
    written = out.Finish() ? Write("\n") : Fail("cannot write to standard output");
  } else {
    TextOptions text = *view;
    text.color = UseColor(args);
    text.analysis = &analysis;
    if (rules != nullptr) text.thresholds = rules->thresholds();
    text.not_root = args.command == Command::kScan && geteuid() != 0;
    written = Write(args.tree ? RenderTree(snapshot, text) : RenderScanText(snapshot, text));
  }
  return written != kExitOk ? written : FindingsStatus(analysis, args.fail_on);
}

}  // namespace procleak
