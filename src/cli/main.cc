// SPDX-License-Identifier: Apache-2.0
// The procleak command: the only place that prints or exits.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "fmt/format.h"
#include "procleak/analysis.h"
#include "procleak/scan.h"
#include "procleak/version.h"
#include "render/analysis_json.h"
#include "render/json_report.h"
#include "render/text_report.h"
#include "sandbox/sandbox.h"
#include "signature/rules.h"

namespace procleak {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFindings = 1;
constexpr int kExitError = 2;

int Fail(std::string_view message) {
  fmt::print(stderr, "procleak: {}\n", message);
  return kExitError;
}

bool UseColor() {
  const char* no_color = std::getenv("NO_COLOR");
  return isatty(STDOUT_FILENO) && (no_color == nullptr || *no_color == '\0');
}

int Write(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    return Fail("cannot write to standard output");
  }
  return kExitOk;
}

// 1 when a finding at or above `fail_on` exists.
int FindingsStatus(const Analysis& analysis, const std::string& fail_on) {
  std::optional<Severity> worst = WorstSeverity(analysis);
  if (!worst || fail_on == "never") return kExitOk;
  Severity threshold = fail_on == "critical" ? Severity::kCritical
                       : fail_on == "info"   ? Severity::kInfo
                                             : Severity::kWarning;
  return *worst >= threshold ? kExitFindings : kExitOk;
}

int RunScan(const CliArgs& args) {
  std::optional<Rules> rules;
  if (!args.rules_file.empty()) {
    absl::StatusOr<Rules> loaded = LoadRules(args.rules_file);
    if (!loaded.ok()) return Fail(std::string(loaded.status().message()));
    rules = *std::move(loaded);
  }
  ScanOptions options;
  options.root = args.root;
  options.docker_root = args.docker_root;
  options.pss = args.pss;
  // Arguments are parsed, the rules read and the outputs (stdout, stderr) open: from here on the
  // scan only reads.
  if (args.sandbox) {
    absl::Status sandboxed = InstallSandbox({STDOUT_FILENO, STDERR_FILENO});
    if (!sandboxed.ok()) return Fail(std::string(sandboxed.message()));
  }
  absl::StatusOr<Snapshot> snapshot = Scan(options);
  if (!snapshot.ok()) return Fail(std::string(snapshot.status().message()));
  if (args.pid && snapshot->FindProcess(*args.pid) == nullptr) {
    return Fail(fmt::format("pid {}: no such process in the scan", *args.pid));
  }
  const Analysis analysis = Analyze(*snapshot, rules ? &*rules : nullptr);
  int written;
  if (args.json) {
    JsonOptions json;
    json.subtree_of = args.pid;
    json.sandbox = args.sandbox ? "seccomp" : "off";
    nlohmann::ordered_json doc = ScanJson(*snapshot, json);
    AddAnalysisJson(*snapshot, analysis, &doc);
    written = Write(DumpJson(doc, 2) + "\n");
  } else {
    TextOptions text;
    text.color = UseColor();
    text.subtree_of = args.pid;
    text.analysis = &analysis;
    text.not_root = geteuid() != 0;
    written = Write(args.tree ? RenderTree(*snapshot, text) : RenderScanText(*snapshot, text));
  }
  return written != kExitOk ? written : FindingsStatus(analysis, args.fail_on);
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<CliArgs> parsed = ParseArgs(args);
  if (!parsed.ok()) return Fail(std::string(parsed.status().message()));
  switch (parsed->command) {
    case Command::kHelp:
      return Write(HelpText());
    case Command::kVersion:
      return Write(fmt::format("procleak {}\n", PROCLEAK_VERSION));
    case Command::kScan:
      return RunScan(*parsed);
  }
  return kExitError;
}

}  // namespace
}  // namespace procleak

int main(int argc, char** argv) { return procleak::Main(argc, argv); }
