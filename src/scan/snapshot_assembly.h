// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a full scan, a warm rescan and the tests' reference scan share: opening ROOT/proc, reading
// the host and its cgroup layout, and turning the processes read into a Snapshot with their
// cgroups and containers.

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "base/read_file.h"
#include "cgroupfs/cgroup_layout.h"
#include "procleak/scan.h"
#include "procleak/snapshot.h"

namespace procleak {

// Opens the /proc directory `proc_path`; missing or denied is an error naming it.
absl::StatusOr<int> OpenProcDir(const std::string& proc_path);

// The host facts and the cgroup layout under `root`; the host carries the layout's mode and
// `scanned_at`.
struct HostAndLayout {
  Host host;
  CgroupLayout layout;
};
absl::StatusOr<HostAndLayout> ReadHostAndLayout(std::string_view root, absl::Time scanned_at);

// Reads the cgroups holding `processes` and the containers they run in, and builds the snapshot;
// its duration runs from `started`.
absl::StatusOr<Snapshot> FinishSnapshot(const ScanOptions& options, const CgroupLayout& layout,
                                        Host host, std::vector<Process> processes,
                                        uint64_t page_size, SkipCounter skips,
                                        std::chrono::steady_clock::time_point started);

}  // namespace procleak
