// SPDX-License-Identifier: Apache-2.0
#include "cli/reap_strays.h"

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"

namespace procleak {
namespace {

// The origin of a process started at `starttime` in group or session `id`: the first exit seen
// there at or after that time; nullopt when there is none.
std::optional<int> OriginChain(const std::map<int, std::vector<StrayOrigin>>& exits, int id,
                               uint64_t starttime) {
  if (id <= 0) return std::nullopt;  // 0: led outside this pid namespace; -1: being reaped
  auto it = exits.find(id);
  if (it == exits.end()) return std::nullopt;
  for (const StrayOrigin& o : it->second) {
    if (o.exit_ticks >= starttime) return o.chain;
  }
  return std::nullopt;
}

}  // namespace

std::vector<Stray> SelectStrays(const std::vector<Stat>& all, const StrayScope& scope,
                                const std::function<bool(const Stat&)>& skip) {
  std::vector<Stray> out;
  if (scope.group_exits.empty() && scope.session_exits.empty()) return out;
  absl::flat_hash_map<int, const Stat*> by_pid;
  absl::flat_hash_set<int> old_groups;  // held by a process older than the freeze
  by_pid.reserve(all.size());
  for (const Stat& s : all) {
    by_pid[s.pid] = &s;
    if (s.starttime < scope.freeze_ticks) old_groups.insert(s.pgrp);
  }
  for (const Stat& s : all) {
    if (s.starttime < scope.freeze_ticks || s.pid <= 1 || Exited(s)) continue;
    auto parent = by_pid.find(s.ppid);
    // A parent outside this pid namespace (ppid 0) tells nothing.
    if (parent == by_pid.end()) continue;
    const Stat& p = *parent->second;
    Stray stray{&s};
    std::optional<int> chain;
    if (s.pgrp != p.pgrp) {
      chain = OriginChain(scope.group_exits, s.pgrp, s.starttime);
      stray.id = s.pgrp;
    }
    if (!chain && s.session != p.session && !old_groups.contains(s.pgrp)) {
      chain = OriginChain(scope.session_exits, s.session, s.starttime);
      stray.by = ReapFoundBy::kSession;
      stray.id = s.session;
    }
    if (!chain || skip(s)) continue;
    stray.chain = *chain;
    out.push_back(stray);
  }
  return out;
}

}  // namespace procleak
