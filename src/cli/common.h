// SPDX-License-Identifier: Apache-2.0
#pragma once
// What every procleak command shares: exit statuses, messages, rules, scan options, the sandbox
// and rendering a snapshot the way `scan` does.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "cli/args.h"
#include "procleak/analysis.h"
#include "procleak/scan.h"
#include "render/report_scope.h"
#include "render/text_report.h"
#include "signature/rules.h"

namespace procleak {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFindings = 1;  // diff: changes
inline constexpr int kExitError = 2;

// Prints "procleak: MESSAGE" on standard error, escaped (SanitizeForTerminal), and returns
// kExitError.
int Fail(std::string_view message);
// Prints the status's message the same way.
int Fail(const absl::Status& status);
// Prints "procleak: warning: MESSAGE" on standard error.
void Warn(std::string_view message);
// Writes all of `text` to standard output; kExitOk or (after a message) kExitError.
int Write(std::string_view text);
// --color WHEN for standard output: kAuto colours a terminal (`stdout_is_tty`) unless NO_COLOR
// is set and non-empty or TERM is "dumb"; kAlways even then. Pure, for tests; nullptr is unset.
bool ColorWanted(ColorWhen when, bool stdout_is_tty, const char* no_color, const char* term);
// ColorWanted for this process's standard output and environment.
bool UseColor(const CliArgs& args);

// The default rules files (default_rules.h) and every --rules FILE loaded, or nullopt for the
// built-in rules only (no file to read).
absl::StatusOr<std::optional<Rules>> LoadRulesOf(const CliArgs& args);
ScanOptions ScanOptionsOf(const CliArgs& args);
// Installs the seccomp filter unless --no-sandbox; `write_fds` besides standard error; `terminal`
// for watch's live view (InstallSandbox).
absl::Status EnterSandbox(const CliArgs& args, const std::vector<int>& write_fds,
                          bool terminal = false);
// "seccomp" or "off", for the JSON host section.
inline const char* SandboxName(const CliArgs& args) { return args.sandbox ? "seccomp" : "off"; }

// 1 when a finding at or above `fail_on` exists.
int FindingsStatus(const Analysis& analysis, const std::string& fail_on);

// What scan and replay learn before the sandbox is installed: the terminal's width and the uid
// --user names.
struct ReportSetup {
  size_t columns = kWidth;
  ReportFilter filter;
};
// The columns of the terminal on standard output (TIOCGWINSZ), else $COLUMNS, else 80; never
// fewer than 40. Read before the sandbox, which forbids the ioctl.
size_t TerminalColumns();

// TerminalColumns(), then the filter of --container, --cgroup and --user (a name is looked up in
// ROOT/etc/passwd: an error when no line names it).
absl::StatusOr<ReportSetup> ReportSetupOf(const CliArgs& args);

// The text report's options for `snapshot` (width, order, rows, filter), the filter's scope made
// into *scope, which they point to. Errors: a --container that names no container, --sort pss
// on a snapshot without PSS.
absl::StatusOr<TextOptions> TextOptionsOf(const Snapshot& snapshot, const CliArgs& args,
                                          const ReportSetup& setup, ReportScope* scope);

// Renders `snapshot` as `scan` does (text, --tree or --json, --pid) and returns the exit status.
// `analysis`, when given, is Analyze(snapshot, rules), already made.
int Report(const Snapshot& snapshot, const CliArgs& args, const Rules* rules,
           const ReportSetup& setup, std::optional<Analysis> analysis = std::nullopt);

}  // namespace procleak
