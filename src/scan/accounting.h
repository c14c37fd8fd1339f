// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which cgroup a process's memory is accounted to.

#include <string>
#include <vector>

#include "cgroupfs/cgroup_layout.h"
#include "procleak/snapshot.h"

namespace procleak {

// The path of `lines` in the hierarchy that holds the memory controller (v1 memory, else v2).
// Without a known layout (no mountinfo) the line listing "memory", else the v2 line. "" if none.
std::string AccountingCgroupPath(const std::vector<CgroupMembership>& lines,
                                 const CgroupLayout& layout);

// On v1 every exiting task reads "/" in /proc/PID/cgroup; a zombie is still charged where it
// lived, so take its parent's path (walking up through zombie parents).
void InheritZombieCgroups(const CgroupLayout& layout, std::vector<Process>& processes);

}  // namespace procleak
