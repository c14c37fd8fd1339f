// SPDX-License-Identifier: Apache-2.0
#pragma once
// The concrete, pasteable actions findings recommend.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "procleak/snapshot.h"

namespace procleak {

// At most this many pids are pasted into an action's kill command.
inline constexpr size_t kMaxKillPids = 128;

// "kill -TERM 812 811 810" for the given chains' pids, each chain's leaves before its root so no
// wrapper respawns or reparents a child first. Past kMaxKillPids pids, the first ones and then
// "; N more processes: ..." pointing to the finding's pids and procleak reap.
std::string KillCommand(const std::vector<std::vector<int>>& chains);

struct ProcessMemory {
  uint64_t rss_bytes = 0;
  // With a PSS scan; absent when a process that has RSS has no PSS.
  std::optional<uint64_t> pss_bytes;
};

// The summed RSS and PSS of `pids` (those in the snapshot).
ProcessMemory MemoryOf(const Snapshot& snapshot, const std::vector<int>& pids);

// `root` and every process below it, in tree preorder (each before its descendants): what
// stopping a chain must stop, since its processes' children would otherwise live on, orphaned.
std::vector<int> SubtreePids(const Snapshot& snapshot, int root);

// A memory limit sized from observed use: 1.25x the larger of current and peak use, rounded up to
// a multiple of 256 MiB (at least 256 MiB), or of 1 GiB above 4 GiB.
uint64_t SuggestedMemoryLimit(uint64_t current, uint64_t peak);

// "2g" / "768m": the docker/compose size notation for `bytes` (a multiple of 256 MiB).
std::string ComposeSize(uint64_t bytes);

// How to set a memory limit for `container` (or plain cgroup `cgroup_path` when null), e.g.
// `docker update --memory 2g --memory-swap 2g api; compose: mem_limit: 2g (or
// deploy.resources.limits.memory: 2g)`, or for a plain cgroup the file to write on this host's
// cgroup mode: "echo 2147483648 > /sys/fs/cgroup/<path>/memory.max" (v2), or
// ".../cgroup/memory/<path>/memory.limit_in_bytes" (v1 and hybrid).
std::string MemoryLimitAction(const Container* container, const std::string& cgroup_path,
                              uint64_t limit, CgroupMode mode);

}  // namespace procleak
