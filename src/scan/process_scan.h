// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads every process of a root's /proc, on several threads, with its cgroup membership.

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cgroupfs/cgroup_layout.h"
#include "procfs/process_reader.h"
#include "procleak/snapshot.h"

namespace procleak {

// Reads every process listed in `settings.proc_fd` (whose proc_path, page_size, pss and reference
// fields apply to every reader) on `threads` threads, each with its own buffer (0: one per online
// CPU, at most 4, and one when there are fewer than 256 processes). Then places
// each process in its cgroups: the fast reader takes every hierarchy's cgroup.procs files when
// there are fewer cgroup directories than processes, and reads /proc/PID/cgroup for whatever
// they did not place; the reference reader reads /proc/PID/cgroup for every process. Fills
// started_at and Process::cgroup. Vanished and denied processes are counted in *skips.
absl::StatusOr<std::vector<Process>> ReadProcesses(std::string_view root, const Host& host,
                                                   const CgroupLayout& layout,
                                                   const ProcessReadContext& settings, int threads,
                                                   SkipCounter* skips);

}  // namespace procleak
