// SPDX-License-Identifier: Apache-2.0
#pragma once
// One screen of `procleak watch`: containers and groups now, with what changed since the last
// sample and since the first.

#include <string>

#include "absl/time/time.h"
#include "procleak/analysis.h"
#include "procleak/diff.h"
#include "procleak/snapshot.h"

namespace procleak {

struct WatchTextOptions {
  bool color = false;
  int sample = 1;           // 1 for the first
  absl::Duration interval;  // between samples
  int reused = 0;           // processes the warm rescan only refreshed
  size_t max_groups = 15;   // rows in the groups table
  size_t max_containers = 10;
};

// "procleak watch  host  sample N, every 5s, watching for 4m  (scan 12.3 ms, 5012 of 5020 reused)",
// host memory, CONTAINERS (memory, change since last, slope per hour since start, processes),
// GROUPS (count, started/ended since last and since start, spawn rate per hour since start, RSS,
// RSS slope), then findings that appeared or resolved since the start.
std::string RenderWatchText(const Snapshot& now, const Analysis& analysis,
                            const SnapshotDiff& since_last, const SnapshotDiff& since_start,
                            const WatchTextOptions& options);

}  // namespace procleak
