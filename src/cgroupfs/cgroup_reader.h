// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads the memory, pids and pressure files of one cgroup under a scan root.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/read_file.h"
#include "cgroupfs/cgroup_layout.h"
#include "procleak/snapshot.h"

namespace procleak {

// Reads the cgroup a process is accounted to. `path` is its memory-hierarchy path (Cgroup::path);
// `membership` is one member process's /proc/PID/cgroup lines, used to find the same process's
// path in the pids hierarchy (v1 hierarchies may disagree). Missing or unreadable files leave
// fields absent (denied reads are counted in *skips); malformed content is an error naming the
// file ("/sys/fs/cgroup/memory/x/memory.stat: line 3: bad value for total_rss"). The root cgroup
// of a v2 hierarchy has no memory.current/max: those stay absent. `pids` is left empty.
absl::StatusOr<Cgroup> ReadCgroup(std::string_view root, const CgroupLayout& layout,
                                  const std::string& path,
                                  const std::vector<CgroupMembership>& membership,
                                  uint64_t page_size, SkipCounter* skips);

// Reads ROOT/proc/self/mountinfo and the v2 mount's cgroup.controllers. A missing mountinfo gives
// mode kNone (no cgroups); a malformed one is an error naming it.
absl::StatusOr<CgroupLayout> ReadCgroupLayout(std::string_view root);

}  // namespace procleak
