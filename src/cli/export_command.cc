// SPDX-License-Identifier: Apache-2.0
// procleak export --prometheus: the node_exporter textfile format, to stdout or atomically to -o.

#include <unistd.h>

#include "cli/atomic_output.h"
#include "cli/brief_report.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "render/prometheus.h"

namespace procleak {

int RunExport(const CliArgs& args) {
  absl::StatusOr<std::optional<Rules>> rules = LoadRulesOf(args);
  if (!rules.ok()) return Fail(rules.status());
  const Rules* rule_set = *rules ? &**rules : nullptr;
  auto produce = [&]() -> absl::StatusOr<std::string> {
    // No per-process field is exported, nor the uid: stat's RSS serves but for the findings'
    // sums, and the exe link is read for the analysis as a full scan would.
    ScanOptions options = ScanOptionsOf(args);
    options.read = {.uid = false, .exe = true, .exact = false, .ns_pid = false};
    absl::StatusOr<Snapshot> snapshot = Scan(options);
    if (!snapshot.ok()) return snapshot.status();
    absl::StatusOr<Analysis> analysis = AnalyzeRefined(options, rule_set, 0, &*snapshot);
    if (!analysis.ok()) return analysis.status();
    return RenderPrometheus(*snapshot, *analysis, PrometheusOptions());
  };
  if (!args.output.empty() && args.output != "-") {  // "-o -" is standard output
    return WriteAtomically(args.output, args, produce);
  }
  absl::Status sandboxed = EnterSandbox(args, {STDOUT_FILENO});
  if (!sandboxed.ok()) return Fail(sandboxed);
  absl::StatusOr<std::string> text = produce();
  if (!text.ok()) return Fail(text.status());
  return Write(*text);
}

}  // namespace procleak
