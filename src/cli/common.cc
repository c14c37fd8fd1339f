// SPDX-License-Identifier: Apache-2.0
#include "cli/common.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "base/terminal_text.h"
#include "cli/default_rules.h"
#include "fmt/format.h"
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

int Report(const Snapshot& snapshot, const CliArgs& args, const Rules* rules,
           std::optional<Analysis> made) {
  if (args.pid && snapshot.FindProcess(*args.pid) == nullptr) {
    return Fail(fmt::format("pid {}: no such process in the scan", *args.pid));
  }
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
    TextOptions text;
    text.color = UseColor(args);
    text.subtree_of = args.pid;
    text.analysis = &analysis;
    if (rules != nullptr) text.thresholds = rules->thresholds();
    text.not_root = args.command == Command::kScan && geteuid() != 0;
    written = Write(args.tree ? RenderTree(snapshot, text) : RenderScanText(snapshot, text));
  }
  return written != kExitOk ? written : FindingsStatus(analysis, args.fail_on);
}

}  // namespace procleak
