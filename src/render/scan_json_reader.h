// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading a `procleak.scan/1` document (WriteScanJson) back into a Snapshot.

#include <string_view>

#include "absl/status/statusor.h"
#include "procleak/snapshot.h"

namespace procleak {

// Pure: parses `text` into the snapshot it was written from, field by field as the tables of
// model/record_fields.h list them (bytes from `<key>_base64` where present). Cgroup and container
// pids come from the processes' "cgroup" and "container" fields. A document of an earlier
// procleak lacks some fields: a null limit there is unknown (absent), a container's memory
// pressure is its cgroup's, cgroup_lines are empty. What a `--pid` document left out stays out.
// Groups and findings are not read: Analyze() the snapshot for them. Errors are one line naming
// `name` and the problem: "a.json: processes[3].pid: expected an integer". Never throws.
absl::StatusOr<Snapshot> SnapshotFromScanJson(std::string_view text, std::string_view name);

}  // namespace procleak
