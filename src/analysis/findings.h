// SPDX-License-Identifier: Apache-2.0
#pragma once
// Turns groups and container facts into findings with a severity, evidence and an action.

#include <vector>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "signature/rules.h"

namespace procleak {

// duplicate_chain and orphaned_chain findings for the groups.
std::vector<Finding> ChainFindings(const Snapshot& snapshot, const std::vector<Group>& groups);

// no_memory_limit, near_memory_limit, oom_kills, pids_near_limit, memory_pressure and
// restart_loop findings for each container.
std::vector<Finding> ContainerFindings(const Snapshot& snapshot, const std::vector<Group>& groups,
                                       const Thresholds& thresholds);

// near_memory_limit, oom_kills, pids_near_limit and memory_pressure findings for each cgroup
// holding processes outside containers (systemd services and scopes, named by their unit), with
// Finding::cgroup set and no container. No no_memory_limit: services are unlimited by design.
std::vector<Finding> CgroupFindings(const Snapshot& snapshot, const std::vector<Group>& groups,
                                    const Thresholds& thresholds);

}  // namespace procleak
