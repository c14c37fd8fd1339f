// SPDX-License-Identifier: Apache-2.0
#pragma once
// One screen of `procleak watch`: containers and groups now, with what changed since the last
// sample and since the first.

#include <string>
#include <string_view>

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
  size_t width = 0;  // the terminal's columns, to size the chain column; 0: as wide as it takes
};

// A rate or slope (spawns per hour, memory per hour) is shown once the samples since the start
// support one: at least kRateMinSamples samples, kRateMinWindow or more from the first to the
// last. Before, one second of data would read as "+626.9 GiB/h"; it shows "-" instead (null in
// watch --json).
inline constexpr int kRateMinSamples = 3;
inline constexpr absl::Duration kRateMinWindow = absl::Minutes(1);
bool WindowSupportsRates(int samples, absl::Duration window);

// "procleak watch  host  09:48:21 UTC  sample N, every 5s, watching for 4m  (scan 12.3 ms, 5012 of
// 5020 reused)", host memory, CONTAINERS (memory, change since last, slope per hour since start,
// processes), GROUPS (count, started/ended since last and since start, spawn rate per hour since
// start, RSS, RSS slope), then findings that appeared or resolved since the start. Rates and
// slopes are "-" until WindowSupportsRates(options.sample, since_start's window).
std::string RenderWatchText(const Snapshot& now, const Analysis& analysis,
                            const SnapshotDiff& since_last, const SnapshotDiff& since_start,
                            const WatchTextOptions& options);

// `screen` made to fit a terminal of `rows` lines and `cols` columns: each line cut to `cols`
// terminal columns (escape sequences, the colours of Style, take none: text from processes is
// sanitised before it gets here), and when there are more lines than rows, the first rows - 1
// lines (the header first) and "... N more lines" last. No newline after the last line, so
// that a full screen does not scroll.
std::string FitScreen(std::string_view screen, size_t rows, size_t cols);

}  // namespace procleak
