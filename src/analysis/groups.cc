// SPDX-License-Identifier: Apache-2.0
#include "analysis/groups.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "analysis/actions.h"
#include "analysis/group_evidence.h"
#include "analysis/lineage.h"
#include "base/sort_unless_sorted.h"

namespace procleak {
namespace {

// (container, cgroup, root signature, origin, spawner, process group): one group's chains. Views
// of the chains' and processes' own strings, which outlive the grouping.
using GroupKey = std::tuple<std::string_view, std::string_view, std::string_view, Origin, int, int>;

Chain MakeChain(const Snapshot& s, const SpawnChain& sc, const ChainOrigin& origin) {
  Chain chain;
  chain.root_pid = sc.root_pid;
  chain.pids = sc.pids;
  chain.orphaned = origin.orphaned;
  const Process* root = s.FindProcess(sc.root_pid);
  if (root != nullptr) {
    chain.started_at = root->started_at;
    if (s.FindProcess(root->ppid) != nullptr) chain.spawner_pid = root->ppid;
  }
  const ProcessMemory memory = MemoryOf(s, sc.pids);
  chain.rss_bytes = memory.rss_bytes;
  chain.pss_bytes = memory.pss_bytes;
  return chain;
}

// The chain signature most of the group's chains have (a copy whose wrapper has not exec'd its
// child yet has a shorter one); on a tie the longer, then the first in order.
std::string MostCommonSignature(const std::vector<const SpawnChain*>& members) {
  absl::flat_hash_map<std::string_view, int> counts;
  for (const SpawnChain* c : members) ++counts[c->signature];
  // The most chains, then the longest, then the first in byte order: no hash order shows.
  auto best = counts.begin();
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    if (std::make_tuple(it->second, it->first.size(), best->first) >
        std::make_tuple(best->second, best->first.size(), it->first))
      best = it;
  }
  return std::string(best->first);
}

Group MakeGroup(const Snapshot& s, const GroupKey& key, const std::vector<size_t>& members,
                const std::vector<SpawnChain>& chains, const std::vector<ChainOrigin>& origins) {
  Group g;
  g.container = std::string(std::get<0>(key));
  g.cgroup = std::string(std::get<1>(key));
  g.origin = std::get<3>(key);
  g.spawner_pid = std::get<4>(key);
  g.process_group = std::get<5>(key);
  std::vector<const SpawnChain*> spawn_chains;
  spawn_chains.reserve(members.size());
  g.chains.reserve(members.size());
  for (size_t i : members) {
    spawn_chains.push_back(&chains[i]);
    g.chains.push_back(MakeChain(s, chains[i], origins[i]));
  }
  g.signature = MostCommonSignature(spawn_chains);
  g.count = static_cast<int>(g.chains.size());
  SortUnlessSorted(g.chains, [](const Chain& a, const Chain& b) {  // pid order mostly is
    return std::tie(a.started_at, a.root_pid) < std::tie(b.started_at, b.root_pid);
  });
  bool all_pss = true;
  uint64_t pss = 0;
  for (const Chain& c : g.chains) {
    g.rss_bytes += c.rss_bytes;
    if (c.pss_bytes) {
      pss += *c.pss_bytes;
    } else {
      all_pss = false;
    }
  }
  if (all_pss && s.stats().pss) g.pss_bytes = pss;
  if (g.count > 1) {
    absl::Duration span = g.chains.back().started_at - g.chains.front().started_at;
    if (span > absl::ZeroDuration())
      g.spawn_rate_per_hour = (g.count - 1) / absl::ToDoubleHours(span);
  }
  return g;
}

}  // namespace

std::vector<Group> BuildGroups(const Snapshot& s, const Rules& rules,
                               const std::vector<SpawnChain>& chains) {
  const std::vector<ChainOrigin> origins = ChainOrigins(s, chains);
  std::map<GroupKey, std::vector<size_t>> by_key;
  auto last = by_key.end();
  for (size_t i = 0; i < chains.size(); ++i) {
    const Process* root = s.FindProcess(chains[i].root_pid);
    // An exited process waiting to be reaped runs nothing and holds no memory: not a copy.
    if (root != nullptr && (root->state == 'Z' || root->state == 'X')) continue;
    const ChainOrigin& o = origins[i];
    GroupKey key{chains[i].container,
                 root != nullptr ? std::string_view(HostScope(*root)) : "",
                 chains[i].root_signature,
                 o.origin,
                 o.spawner_pid,
                 o.process_group};
    // One spawner's copies mostly come one after another: no lookup for the next one.
    if (last == by_key.end() || last->first != key) last = by_key.try_emplace(key).first;
    last->second.push_back(i);
  }
  std::vector<Group> groups;
  groups.reserve(by_key.size());
  for (const auto& [key, members] : by_key) {
    Group g = MakeGroup(s, key, members, chains, origins);
    ClassifyGroup(s, rules, chains[members.front()], &g);
    groups.push_back(std::move(g));
  }
  std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    bool a_leak = a.classification == Classification::kLeak;
    bool b_leak = b.classification == Classification::kLeak;
    if (a_leak != b_leak) return a_leak;
    return a.rss_bytes > b.rss_bytes;
  });
  return groups;
}

}  // namespace procleak
