// SPDX-License-Identifier: Apache-2.0
// Diff(): what changed between two snapshots and their analyses, keyed by identity, not by pid.

#include "procleak/diff.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <tuple>
#include <utility>

namespace procleak {
namespace {

// (pid, starttime): a pid the kernel hands to a new process is another process.
using Identity = std::pair<int, uint64_t>;
// (signature, container, cgroup, origin, spawner, process group), the key of a group.
using GroupKey = std::tuple<std::string, std::string, std::string, Origin, int, int>;

GroupKey KeyOf(const Group& g) {
  return {g.signature, g.container, g.cgroup, g.origin, g.spawner_pid, g.process_group};
}

int64_t Delta(uint64_t before, uint64_t after) {
  return static_cast<int64_t>(after) - static_cast<int64_t>(before);
}

// Per hour over the interval; 0 when the interval is empty (or runs backwards: clocks step).
double PerHour(double value, double hours) { return hours > 0 ? value / hours : 0; }

ProcessRef RefOf(const Process& p) {
  return ProcessRef{p.pid, p.starttime_ticks, p.comm, p.container, p.rss_bytes.value_or(0)};
}

// Processes of `from` whose identity `other` does not hold, by pid (both are sorted by pid).
std::vector<ProcessRef> Missing(const Snapshot& from, const Snapshot& other) {
  std::vector<ProcessRef> out;
  for (const Process& p : from.processes()) {
    const Process* q = other.FindProcess(p.pid);
    if (q == nullptr || q->starttime_ticks != p.starttime_ticks) out.push_back(RefOf(p));
  }
  return out;
}

// A chain is its root process: the root's identity, whatever group it is in on either side.
Identity ChainIdentity(const Snapshot& s, const Chain& c) {
  const Process* root = s.FindProcess(c.root_pid);
  return {c.root_pid, root != nullptr ? root->starttime_ticks : 0};
}

std::set<Identity> ChainIdentities(const Snapshot& s, const Analysis& a) {
  std::set<Identity> out;
  for (const Group& g : a.groups) {
    for (const Chain& c : g.chains) out.insert(ChainIdentity(s, c));
  }
  return out;
}

// Chains of `a`'s groups whose root is not a chain root in `other` (chronological).
std::vector<ChainRef> MissingChains(const Snapshot& s, const Analysis& a,
                                    const std::set<Identity>& other) {
  std::vector<ChainRef> out;
  for (const Group& g : a.groups) {
    for (const Chain& c : g.chains) {
      if (other.count(ChainIdentity(s, c)) == 0) {
        out.push_back(ChainRef{g.signature, g.container, c.root_pid, c.started_at, c.rss_bytes});
      }
    }
  }
  std::sort(out.begin(), out.end(), [](const ChainRef& x, const ChainRef& y) {
    return std::tie(x.started_at, x.root_pid) < std::tie(y.started_at, y.root_pid);
  });
  return out;
}

// Chains of `g` whose root is not a chain root on the other side: chains that started (or
// ended). A chain whose signature changed (its wrapper exec'd one level further) moves between
// groups without counting as either.
int CountMissing(const Snapshot& s, const Group& g, const std::set<Identity>& other) {
  return static_cast<int>(std::count_if(g.chains.begin(), g.chains.end(), [&](const Chain& c) {
    return other.count(ChainIdentity(s, c)) == 0;
  }));
}

// A group's PSS, 0 for a group absent from a PSS scan (nothing of it to divide), else unknown.
std::optional<uint64_t> GroupPss(const Snapshot& s, const Group* g) {
  if (g != nullptr) return g->pss_bytes;
  return s.stats().pss ? std::optional<uint64_t>(0) : std::nullopt;
}

std::vector<GroupChange> GroupChanges(const Snapshot& a, const Analysis& a_analysis,
                                      const std::set<Identity>& a_chains, const Snapshot& b,
                                      const Analysis& b_analysis,
                                      const std::set<Identity>& b_chains, double hours) {
  std::map<GroupKey, std::pair<const Group*, const Group*>> keyed;
  for (const Group& g : a_analysis.groups) keyed[KeyOf(g)].first = &g;
  for (const Group& g : b_analysis.groups) keyed[KeyOf(g)].second = &g;
  std::vector<GroupChange> out;
  for (const auto& [key, sides] : keyed) {
    const auto [before, after] = sides;
    GroupChange c;
    std::tie(c.signature, c.container, c.cgroup, c.origin, c.spawner_pid, c.process_group) = key;
    c.count_before = before != nullptr ? before->count : 0;
    c.count_after = after != nullptr ? after->count : 0;
    c.chains_started = after != nullptr ? CountMissing(b, *after, a_chains) : 0;
    c.chains_ended = before != nullptr ? CountMissing(a, *before, b_chains) : 0;
    c.classification_after = (after != nullptr ? after : before)->classification;
    c.rss_delta_bytes =
        Delta(before != nullptr ? before->rss_bytes : 0, after != nullptr ? after->rss_bytes : 0);
    std::optional<uint64_t> pss_before = GroupPss(a, before), pss_after = GroupPss(b, after);
    if (pss_before && pss_after) c.pss_delta_bytes = Delta(*pss_before, *pss_after);
    c.spawn_rate_per_hour = PerHour(c.chains_started, hours);
    c.rss_slope_bytes_per_hour = PerHour(static_cast<double>(c.rss_delta_bytes), hours);
    const bool reclassified =
        before != nullptr && after != nullptr && before->classification != after->classification;
    const bool changed = c.count_before != c.count_after || c.chains_started > 0 ||
                         c.chains_ended > 0 || reclassified || c.rss_delta_bytes != 0 ||
                         c.pss_delta_bytes.value_or(0) != 0;
    if (changed) out.push_back(std::move(c));
  }
  // `keyed` iterates in key order, so the stable sort leaves ties by (signature, container).
  std::stable_sort(out.begin(), out.end(), [](const GroupChange& x, const GroupChange& y) {
    return std::abs(x.rss_delta_bytes) > std::abs(y.rss_delta_bytes);
  });
  return out;
}

int64_t MemoryDelta(const ContainerChange& c) {
  return c.memory_before && c.memory_after ? Delta(*c.memory_before, *c.memory_after) : 0;
}

std::vector<ContainerChange> ContainerChanges(const Snapshot& a, const Snapshot& b, double hours) {
  std::map<std::string, std::pair<const Container*, const Container*>> keyed;
  for (const Container& c : a.containers()) keyed[c.id].first = &c;
  for (const Container& c : b.containers()) keyed[c.id].second = &c;
  std::vector<ContainerChange> out;
  for (const auto& [id, sides] : keyed) {
    const auto [before, after] = sides;
    const Container& latest = after != nullptr ? *after : *before;
    ContainerChange c;
    c.id = id;
    c.name = latest.name;
    c.runtime = latest.runtime;
    c.appeared = before == nullptr;
    c.disappeared = after == nullptr;
    if (before != nullptr) {
      c.memory_before = before->memory_bytes;
      c.processes_before = static_cast<int>(before->pids.size());
    }
    if (after != nullptr) {
      c.memory_after = after->memory_bytes;
      c.processes_after = static_cast<int>(after->pids.size());
    }
    if (c.memory_before && c.memory_after) {
      c.memory_slope_bytes_per_hour = PerHour(static_cast<double>(MemoryDelta(c)), hours);
    }
    const bool changed = c.appeared || c.disappeared || c.memory_before != c.memory_after ||
                         c.processes_before != c.processes_after;
    if (changed) out.push_back(std::move(c));
  }
  std::stable_sort(out.begin(), out.end(), [](const ContainerChange& x, const ContainerChange& y) {
    return std::abs(MemoryDelta(x)) > std::abs(MemoryDelta(y));
  });
  return out;
}

using FindingKey = std::tuple<FindingKind, std::string, std::string, std::string, int>;

FindingKey KeyOf(const Finding& f) {
  return {f.kind, f.container, f.cgroup, f.signature, f.spawner_pid};
}

// Findings of `from` (in its order: severity, then memory) whose key `other` does not hold.
std::vector<Finding> MissingFindings(const Analysis& from, const Analysis& other) {
  std::set<FindingKey> keys;
  for (const Finding& f : other.findings) keys.insert(KeyOf(f));
  std::vector<Finding> out;
  for (const Finding& f : from.findings) {
    if (keys.count(KeyOf(f)) == 0) out.push_back(f);
  }
  return out;
}

}  // namespace

SnapshotDiff Diff(const Snapshot& a, const Analysis& a_analysis, const Snapshot& b,
                  const Analysis& b_analysis) {
  SnapshotDiff d;
  d.from = a.host().scanned_at;
  d.to = b.host().scanned_at;
  const double hours = absl::ToDoubleHours(d.to - d.from);
  const Host& ha = a.host();
  const Host& hb = b.host();
  if (ha.mem_available_bytes && hb.mem_available_bytes) {
    d.host_available_delta_bytes = Delta(*ha.mem_available_bytes, *hb.mem_available_bytes);
  }
  d.processes_started = Missing(b, a);
  d.processes_ended = Missing(a, b);
  const std::set<Identity> a_chains = ChainIdentities(a, a_analysis);
  const std::set<Identity> b_chains = ChainIdentities(b, b_analysis);
  d.chains_started = MissingChains(b, b_analysis, a_chains);
  d.chains_ended = MissingChains(a, a_analysis, b_chains);
  d.groups = GroupChanges(a, a_analysis, a_chains, b, b_analysis, b_chains, hours);
  d.containers = ContainerChanges(a, b, hours);
  d.findings_new = MissingFindings(b_analysis, a_analysis);
  d.findings_resolved = MissingFindings(a_analysis, b_analysis);
  return d;
}

}  // namespace procleak
