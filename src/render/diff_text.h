// SPDX-License-Identifier: Apache-2.0
#pragma once
// The human-readable report of what changed between two snapshots (`procleak diff`, `watch`).

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "procleak/diff.h"
#include "procleak/snapshot.h"
#include "render/style.h"  // kWidth

namespace procleak {

// "DIFF 2026-11-24 10:00:00 -> 10:05:00 (5m)" (UTC), host available memory, then CONTAINERS
// (memory before -> after, delta, slope per hour, processes), GROUPS (count before -> after,
// +started/-ended, RSS delta, container, signature), FINDINGS new and resolved, PROCESSES started
// and ended (counts and the first 20 of each); "no changes" when every list is empty.
// `a` and `b` are the snapshots `diff` was made from (for container names and host memory).
// Finding rows and group signatures are cut to `width` terminal columns.
std::string RenderDiffText(const SnapshotDiff& diff, const Snapshot& a, const Snapshot& b,
                           bool color, size_t width = kWidth);

// A signed byte count for deltas: "+1.5 MiB", "-512 B", "0 B".
std::string FormatSignedBytes(int64_t bytes);

// An interval as people say it: "45s", "5m", "1h 5m", "2d 3h"; negative with a leading "-".
std::string FormatInterval(absl::Duration d);

}  // namespace procleak
