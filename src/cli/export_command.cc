// SPDX-License-Identifier: Apache-2.0
// procleak export --prometheus: the node_exporter textfile format, to stdout or atomically to -o.

#include <unistd.h>

#include "cli/atomic_output.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "render/prometheus.h"

namespace procleak {

int RunExport(const CliArgs& args) {
  absl::StatusOr<std::optional<Rules>> rules = LoadRulesOf(args);
  if (!rules.ok()) return Fail(rules.status());
  const Rules* rule_set = *rules ? &**rules : nullptr;
  auto produce = [&]() -> absl::StatusOr<std::string> {
    absl::StatusOr<Snapshot> snapshot = Scan(ScanOptionsOf(args));
    if (!snapshot.ok()) return snapshot.status();
    return RenderPrometheus(*snapshot, Analyze(*snapshot, rule_set), PrometheusOptions());
  };
  if (!args.output.empty()) return WriteAtomically(args.output, args, produce);
  absl::Status sandboxed = EnterSandbox(args, {STDOUT_FILENO});
  if (!sandboxed.ok()) return Fail(sandboxed);
  absl::StatusOr<std::string> text = produce();
  if (!text.ok()) return Fail(text.status());
  return Write(*text);
}

}  // namespace procleak
