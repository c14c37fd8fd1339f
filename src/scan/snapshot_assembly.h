// SPDX-License-Identifier: Apache-2.0
#pragma once
// What a full scan and a warm rescan share: opening ROOT/proc, and turning the processes read into
// a Snapshot with their cgroups and containers.

#include <chrono>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/read_file.h"
#include "cgroupfs/cgroup_layout.h"
#include "procleak/scan.h"
#include "procleak/snapshot.h"

namespace procleak {

// Opens the /proc directory `proc_path`; missing or denied is an error naming it.
absl::StatusOr<int> OpenProcDir(const std::string& proc_path);

// Reads the cgroups holding `processes` and the containers they run in, and builds the snapshot;
// its duration runs from `started`.
absl::StatusOr<Snapshot> FinishSnapshot(const ScanOptions& options, const CgroupLayout& layout,
                                        Host host, std::vector<Process> processes,
                                        uint64_t page_size, SkipCounter skips,
                                        std::chrono::steady_clock::time_point started);

// Scan(), or with `reference` the plain reader that tests check the fast one against (every file
// read to EOF, status and statm of every process, /proc/PID/cgroup of every process instead of
// cgroup.procs; options.read ignored).
absl::StatusOr<Snapshot> ScanWith(const ScanOptions& options, bool reference);

}  // namespace procleak
