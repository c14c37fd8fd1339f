// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which cgroup each process is in, for a whole hierarchy at once, from its cgroup.procs files:
// cheaper than one /proc/PID/cgroup per process when processes outnumber cgroups.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "base/read_file.h"
#include "cgroupfs/cgroup_layout.h"

namespace procleak {

struct ProcsMembership {
  std::vector<std::string> paths;  // cgroup paths as /proc/PID/cgroup shows them
  // pid -> index into `paths`; kConflict for a pid listed in two cgroups (a v1 process whose
  // threads sit in different cgroups), which the caller must read from /proc/PID/cgroup.
  absl::flat_hash_map<int, uint32_t> index;
  static constexpr uint32_t kConflict = UINT32_MAX;
  // The hierarchy is a real cgroupfs mount of its whole hierarchy with no cgroup below the root:
  // every process is in paths[0], and `index` is empty (no cgroup.procs was read).
  bool all_in_root = false;
};

// Parses a cgroup.procs file: one decimal pid per line. Errors name the line: "line 3: bad pid".
absl::StatusOr<std::vector<int>> ParseCgroupProcs(std::string_view text);

// Walks every directory of `hierarchy` (mounted at ROOT/mount_point) and reads its cgroup.procs;
// a childless cgroupfs mount of a whole hierarchy is not read at all (all_in_root).
// nullopt when the hierarchy has more than `max_dirs` directories (reading each process's own
// file is cheaper then) or a directory may not be read; a directory removed mid-walk is skipped.
// A malformed cgroup.procs is an error naming the file.
absl::StatusOr<std::optional<ProcsMembership>> ReadProcsMembership(std::string_view root,
                                                                   const CgroupHierarchy& hierarchy,
                                                                   size_t max_dirs);

}  // namespace procleak
