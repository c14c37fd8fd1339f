// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which processes a stopped chain started that have left it unseen. A process that forks as it
// exits (a SIGTERM handler's `cmd & exit`) leaves a child that is reparented to PID 1 or a
// subreaper before any look at the stopping processes' children can see it; the child keeps the
// process group and session it was started in, and its new parent did not start it there.

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "cli/reap_result.h"
#include "procfs/stat_parser.h"

namespace procleak {

// A process reap pinned that has since exited: when it was seen gone, and its chain.
struct StrayOrigin {
  uint64_t exit_ticks = 0;  // clock ticks after boot, as Stat::starttime counts them
  int chain = -1;
};

struct StrayScope {
  uint64_t freeze_ticks = 0;  // when the first freeze began
  // By process group and by session (ids > 0): the exits of pinned processes in it, in the order
  // they were seen (ascending ticks).
  std::map<int, std::vector<StrayOrigin>> group_exits;
  std::map<int, std::vector<StrayOrigin>> session_exits;
};

struct Stray {
  const Stat* stat = nullptr;  // into the listing
  ReapFoundBy by = ReapFoundBy::kProcessGroup;
  int id = 0;      // the process group or session it was found by
  int chain = -1;  // that of the first pinned process of that group or session to exit after it
                   // started: the likeliest parent
};

// The processes of `all` (one listing of /proc) that pinned processes started and lost: each
// - started at or after scope.freeze_ticks, has not exited, and `skip` is false for it (already
//   known, spared, protected);
// - holds a process group in which a pinned process exited and which its parent does not hold;
//   or else a session in which a pinned process exited and which its parent does not hold, in a
//   process group no process older than the freeze holds. A parent that started the process
//   would have passed its own group and session on (a new session or group is never one of
//   those), so the process was reparented when the one that started it exited;
// - started no later than the last of those exits (the process that started it exited after).
// So a child of a kept chain or of the spawner, started in their shared group and session, is
// never selected, nor is a process older than the freeze.
std::vector<Stray> SelectStrays(const std::vector<Stat>& all, const StrayScope& scope,
                                const std::function<bool(const Stat&)>& skip);

}  // namespace procleak
