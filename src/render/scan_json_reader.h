// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading a `procleak.scan/1` document (ScanJson + AddAnalysisJson) back into a Snapshot.

#include <string_view>

#include "absl/status/statusor.h"
#include "procleak/snapshot.h"

namespace procleak {

// Pure: parses `text` into the snapshot it was written from. Cgroup and container pids come from
// the processes' "cgroup" and "container" fields; a container's memory pressure from its cgroup.
// A null limit ("unlimited or unknown") leaves the Limit absent. What the document does not hold
// stays empty: each process's cgroup_lines, and the cgroups of processes a `--pid` document left
// out. Groups and findings are not read: Analyze() the snapshot for them. Errors are one line
// naming `name` and the problem: "a.json: processes[3].pid: expected an integer". Never throws.
absl::StatusOr<Snapshot> SnapshotFromScanJson(std::string_view text, std::string_view name);

}  // namespace procleak
