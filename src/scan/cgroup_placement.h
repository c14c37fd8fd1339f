// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which cgroups each process is in: from every used hierarchy's cgroup.procs files where the
// processes outnumber the cgroups, else from each process's /proc/PID/cgroup.

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cgroupfs/cgroup_layout.h"
#include "cgroupfs/cgroup_procs.h"
#include "procfs/process_reader.h"
#include "procleak/snapshot.h"

namespace procleak {

// Drops the lines of hierarchies procleak does not read: it keeps memory (accounting), pids, v2
// and name=systemd (where some container managers put their containers); all lines without a
// known layout. Decisions are remembered per hierarchy id and controller list.
class UsedLines {
 public:
  explicit UsedLines(const CgroupLayout& layout) : layout_(layout) {}
  void Filter(std::vector<CgroupMembership>* lines);

 private:
  struct Decision {
    int hierarchy_id;
    std::string controllers;
    bool used;
  };
  bool Used(const CgroupMembership& line);

  const CgroupLayout& layout_;
  std::vector<Decision> decisions_;  // a handful: a linear search allocates nothing per line
};

// The cgroup.procs membership of every used hierarchy, in the order of `shape`: the used lines of
// one process's own /proc/PID/cgroup (the template: same hierarchies, ids and controller names).
struct Memberships {
  std::vector<CgroupMembership> shape;
  std::vector<ProcsMembership> members;
  bool usable = false;  // false: a hierarchy is not mounted, too big or cannot be walked
};

// Reads the template from the first of `pids` (up to 8) whose cgroup file can be read, then walks
// each used hierarchy, giving up past `max_dirs` directories in all. Needs no process record, so
// it can run while the processes are read. A malformed file is an error naming it.
absl::StatusOr<Memberships> WalkMemberships(std::string_view root, const CgroupLayout& layout,
                                            const ProcessReadContext& settings,
                                            const std::vector<int>& pids, size_t max_dirs);

// Fills every process's cgroup_lines from `memberships`, and from /proc/PID/cgroup for those it
// does not place. A process that vanished (or became another) before its cgroup file was read is
// dropped and counted in *skips.
absl::Status PlaceInCgroups(const ProcessReadContext& settings, const Memberships& memberships,
                            std::vector<Process>& processes, SkipCounter* skips);

}  // namespace procleak
