// SPDX-License-Identifier: Apache-2.0
#pragma once
// The `procleak.diff/1` JSON document: what changed between two snapshots.

#include "nlohmann/json.hpp"
#include "procleak/diff.h"
#include "procleak/snapshot.h"

namespace procleak {

inline constexpr const char* kDiffSchema = "procleak.diff/1";

// The arrays of SnapshotDiff, one key each, after "from", "to" (RFC 3339), "interval_seconds"
// and "host_available_delta_bytes". Bytes are integers; unknown values are null, never 0;
// a container or finding container of the host is null. Without `rates` (watch, before its
// window supports one: WindowSupportsRates), every rate and slope is null.
nlohmann::ordered_json ChangesJson(const SnapshotDiff& diff, bool rates = true);

// {"schema": "procleak.diff/1", "procleak_version", "hostname", then ChangesJson's keys, then
// "container_names": {id: name} for every container the diff mentions (B's name, else A's; ""
// unknown)}.
nlohmann::ordered_json DiffJson(const SnapshotDiff& diff, const Snapshot& a, const Snapshot& b);

}  // namespace procleak
