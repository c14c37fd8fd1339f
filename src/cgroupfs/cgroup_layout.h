// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which cgroup hierarchies are mounted where (v1, v2 or hybrid), and how a cgroup path from
// /proc/PID/cgroup becomes a directory under the root.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroupfs/mountinfo_parser.h"
#include "procleak/snapshot.h"

namespace procleak {

struct CgroupHierarchy {
  bool v2 = false;
  // v1: the controllers from the super options ("memory", "cpu", "name=systemd"); v2: those
  // listed in the mount root's cgroup.controllers (may be empty, as on hybrid hosts).
  std::vector<std::string> controllers;
  std::string root;         // mountinfo field 4: the part of the hierarchy this mount shows
  std::string mount_point;  // as in mountinfo, without the scan root
  bool Has(std::string_view controller) const;
};

struct CgroupLayout {
  CgroupMode mode = CgroupMode::kNone;
  std::vector<CgroupHierarchy> hierarchies;  // first mount of each hierarchy only

  // The hierarchy memory is accounted in: the v1 hierarchy with "memory", else the v2 one.
  const CgroupHierarchy* MemoryHierarchy() const;
  // The hierarchy that holds `controller` ("memory", "pids"): the v1 one that lists it, else the
  // v2 one when its controllers list it. nullptr when none does.
  const CgroupHierarchy* ForController(std::string_view controller) const;
  // The v2 hierarchy, or nullptr.
  const CgroupHierarchy* Unified() const;
};

// Picks cgroup and cgroup2 rows. Mode: only v1 -> kV1, only v2 -> kV2, both -> kHybrid, none ->
// kNone. `v2_controllers` is the content of the v2 mount's cgroup.controllers (space-separated).
CgroupLayout DiscoverCgroupLayout(const std::vector<MountInfo>& mounts,
                                  std::string_view v2_controllers);

// The line of `lines` that belongs to `hierarchy` (v1: same controller set; v2: id 0), or nullptr.
const CgroupMembership* FindMembership(const std::vector<CgroupMembership>& lines,
                                       const CgroupHierarchy& hierarchy);

// The directory of `cgroup_path` relative to the scan root: strips the mount's root from the front
// and joins the rest to the mount point. nullopt when the path lies outside what the mount shows
// (e.g. "/../sibling" under a cgroup namespace, or a different subtree).
std::optional<std::string> CgroupDirectory(const CgroupHierarchy& hierarchy,
                                           std::string_view cgroup_path);

}  // namespace procleak
