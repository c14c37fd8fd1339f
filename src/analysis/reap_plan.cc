// SPDX-License-Identifier: Apache-2.0
#include "analysis/reap_plan.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "fmt/format.h"
#include "model/container_match.h"
#include "signature/signature.h"

namespace procleak {
namespace {

bool Contains(const std::vector<FindingKind>& v, FindingKind s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool ContainerMatches(const Snapshot& s, const std::string& id, const std::string& wanted) {
  if (wanted.empty()) return true;
  const Container* c = s.FindContainer(id);
  return ContainerNamed(id, c != nullptr ? std::string_view(c->name) : "", wanted);
}

// Why `p` must never be signalled, or "".
std::string ProtectedReason(const Snapshot& s, const Process& p, int self_pid,
                            const std::vector<int>& ancestors) {
  if (p.pid == 1) return "PID 1";
  if (p.pid <= 1) return "pid <= 1";
  if (p.kernel_thread) return "kernel thread";
  if (self_pid != 0 && p.pid == self_pid) return "procleak itself";
  if (std::find(ancestors.begin(), ancestors.end(), p.pid) != ancestors.end()) {
    return "an ancestor of procleak";
  }
  if (!p.container.empty()) {
    const Container* c = s.FindContainer(p.container);
    if (c != nullptr && c->init_pid == p.pid) return "the container's init";
  }
  return "";
}

// Each process's distance from a root of the snapshot's tree, for every process of `order` and
// their ancestors. Each process is walked once (a memo, not a walk to the root per process, which
// was quadratic in a chain's depth); a parent cycle in hostile input is cut where a walk meets it.
absl::flat_hash_map<int, int> Depths(const Snapshot& s, const std::vector<ReapProcess>& order) {
  constexpr int kOnWalk = -1;
  absl::flat_hash_map<int, int> depth;
  std::vector<int> walk;  // from a process up to the first one whose depth is known
  for (const ReapProcess& r : order) {
    int base = 0;
    for (const Process* p = s.FindProcess(r.pid); p != nullptr; p = s.FindProcess(p->ppid)) {
      auto [it, added] = depth.try_emplace(p->pid, kOnWalk);
      if (!added) {
        if (it->second != kOnWalk) base = it->second;
        break;  // known, or met again on this walk (a cycle)
      }
      walk.push_back(p->pid);
    }
    for (auto it = walk.rbegin(); it != walk.rend(); ++it) depth[*it] = ++base;
    walk.clear();
  }
  return depth;
}

std::string KeepLabel(const ReapKeep& keep, const Group& g) {
  switch (keep.mode) {
    case ReapKeep::Mode::kNewest:
      return fmt::format("{} newest", keep.count);
    case ReapKeep::Mode::kOldest:
      return fmt::format("{} oldest", keep.count);
    case ReapKeep::Mode::kExpected:
      break;
  }
  if (g.origin == Origin::kGone) return "none (their spawner is gone)";
  return g.expected ? fmt::format("{} newest (expected count)", *g.expected)
                    : std::string("1 newest (default)");
}

// Indices into g.chains (oldest first) of the chains that survive. By default the expected count
// (or 1) of the newest chains whose spawner is alive: nothing talks to an orphan, so none is kept.
std::set<size_t> Kept(const ReapKeep& keep, const Group& g) {
  const size_t n = g.chains.size();
  const bool expected = keep.mode == ReapKeep::Mode::kExpected;
  int left = std::max(expected ? g.expected.value_or(1) : keep.count, 0);
  std::set<size_t> out;
  for (size_t j = 0; j < n && left > 0; ++j) {
    const size_t i = keep.mode == ReapKeep::Mode::kOldest ? j : n - 1 - j;
    if (expected && g.chains[i].orphaned) continue;
    out.insert(i);
    --left;
  }
  return out;
}

// Whether `f` is about group `g`: chain findings carry the group's scope, signature and spawner,
// and name some of its chains' processes (two groups of one spawner never share a process).
bool About(const Finding& f, const Group& g) {
  if (f.container != g.container || f.cgroup != g.cgroup || f.signature != g.signature)
    return false;
  if (f.spawner_pid != (g.origin == Origin::kGone ? 0 : g.spawner_pid)) return false;
  if (f.pids.empty()) return true;
  return std::any_of(g.chains.begin(), g.chains.end(), [&](const Chain& c) {
    return std::find(c.pids.begin(), c.pids.end(), f.pids.front()) != c.pids.end();
  });
}

std::string ScopeKey(const std::string& container, const std::string& cgroup,
                     const std::string& signature, int spawner) {
  std::string key = fmt::format("{}", spawner);
  for (const std::string* part : {&container, &cgroup, &signature}) {
    key.push_back('\0');  // no id, cgroup path or signature holds a NUL: the parts stay apart
    key.append(*part);
  }
  return key;
}

bool HoldsAny(const Chain& c, const std::vector<int>& pids) {
  return std::any_of(c.pids.begin(), c.pids.end(), [&](int pid) {
    return std::find(pids.begin(), pids.end(), pid) != pids.end();
  });
}

ReapProcess MakeProcess(const Snapshot& s, const Process& p, int self_pid,
                        const std::vector<int>& ancestors) {
  ReapProcess r;
  r.pid = p.pid;
  r.ppid = p.ppid;
  r.starttime_ticks = p.starttime_ticks;
  r.comm = p.comm;
  r.argv = p.argv;
  r.command_signature = ClassifyCommand(p.argv, p.comm).signature;
  r.protected_reason = ProtectedReason(s, p, self_pid, ancestors);
  return r;
}

ReapChain MakeChain(const Snapshot& s, const Group& g, const Chain& c, bool as_orphan, int self_pid,
                    const std::vector<int>& ancestors) {
  ReapChain out;
  out.root_pid = c.root_pid;
  out.started_at = c.started_at;
  out.orphaned = c.orphaned;
  out.rss_bytes = c.rss_bytes;
  if (as_orphan) {
    out.finding = FindingKind::kOrphanedChain;
    out.reason = fmt::format("{}: outlived its spawner", FindingKindName(out.finding));
  } else {
    out.finding = FindingKind::kDuplicateChain;
    out.reason = fmt::format("{}: {} copies where {} expected", FindingKindName(out.finding),
                             g.count, g.expected.value_or(1));
  }
  // Chain pids are in tree preorder, root first: reversed, every process comes before its
  // ancestors.
  for (auto it = c.pids.rbegin(); it != c.pids.rend(); ++it) {
    const Process* p = s.FindProcess(*it);
    if (p != nullptr) out.processes.push_back(MakeProcess(s, *p, self_pid, ancestors));
  }
  return out;
}

// Whether `p` is in the same cgroups (and container) as `root`: no kill list spans cgroups.
bool SameCgroup(const Process& p, const Process& root) {
  return p.container == root.container && p.cgroup == root.cgroup &&
         p.cgroup_lines == root.cgroup_lines;
}

// Adds to each chain to stop the processes of the snapshot below it (to the chain's list and to
// the plan's order), and the kept chains' roots to plan->spared.
void AddDescendants(const Snapshot& s, int self_pid, const std::vector<int>& ancestors,
                    ReapPlan* plan) {
  std::set<int> stopped;  // the processes of every chain to stop
  std::set<int> kept;     // the roots of kept chains
  for (const ReapGroup& g : plan->groups) {
    for (const ReapChain& c : g.stop) {
      for (const ReapProcess& p : c.processes) stopped.insert(p.pid);
    }
    for (const ReapChainRef& k : g.kept) {
      const Process* p = s.FindProcess(k.root_pid);
      if (p == nullptr) continue;
      kept.insert(p->pid);
      plan->spared.push_back({p->pid, p->starttime_ticks});
    }
  }
  for (ReapGroup& g : plan->groups) {
    for (ReapChain& c : g.stop) {
      const Process* root = s.FindProcess(c.root_pid);
      if (root == nullptr) continue;
      std::set<int> own;
      for (const ReapProcess& p : c.processes) own.insert(p.pid);
      std::vector<ReapProcess> below;  // preorder: each after its ancestors
      std::set<int> seen{root->pid};
      std::vector<const Process*> todo{root};
      while (!todo.empty()) {
        const Process* parent = todo.back();
        todo.pop_back();
        // Reversed, so that the stack hands out the children in pid order.
        for (auto it = parent->children.rbegin(); it != parent->children.rend(); ++it) {
          const Process* p = s.FindProcess(*it);
          if (p == nullptr || !seen.insert(p->pid).second) continue;
          if (own.contains(p->pid)) {
            todo.push_back(p);
            continue;
          }
          if (kept.contains(p->pid)) {
            plan->notes.push_back(fmt::format(
                "the kept chain {} runs below chain {}, which is stopped; it is left running",
                p->pid, c.root_pid));
            continue;
          }
          if (stopped.contains(p->pid)) continue;  // another chain to stop: listed there
          ReapProcess r = MakeProcess(s, *p, self_pid, ancestors);
          r.in_chain = false;
          if (r.protected_reason.empty() && !SameCgroup(*p, *root)) {
            r.protected_reason = kOtherCgroup;
          }
          if (r.protected_reason.empty()) todo.push_back(p);
          below.push_back(std::move(r));
        }
      }
      plan->order.insert(plan->order.end(), below.rbegin(), below.rend());
      c.processes.insert(c.processes.begin(), std::make_move_iterator(below.rbegin()),
                         std::make_move_iterator(below.rend()));
    }
  }
}

// Stable: each process before its ancestors, deepest in the process tree first.
void SortDeepestFirst(const Snapshot& s, std::vector<ReapProcess>* order) {
  const absl::flat_hash_map<int, int> depths = Depths(s, *order);
  std::vector<std::pair<int, size_t>> depth;  // (depth, position) sorts deepest first, stable
  depth.reserve(order->size());
  for (size_t i = 0; i < order->size(); ++i) {
    auto it = depths.find((*order)[i].pid);
    depth.emplace_back(it != depths.end() ? it->second : 0, i);
  }
  std::stable_sort(depth.begin(), depth.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<ReapProcess> sorted;
  sorted.reserve(depth.size());
  for (const auto& [d, i] : depth) sorted.push_back(std::move((*order)[i]));
  *order = std::move(sorted);
}

}  // namespace

ReapPlan PlanReap(const Snapshot& snapshot, const Analysis& analysis,
                  const ReapSelection& selection, int self_pid,
                  const std::vector<int>& self_ancestors) {
  const std::vector<FindingKind> kinds =
      selection.findings.empty()
          ? std::vector<FindingKind>{FindingKind::kDuplicateChain, FindingKind::kOrphanedChain}
          : selection.findings;
  // The groups the selected findings name, in the findings' order, with the kinds naming each.
  // Groups by what a chain finding carries of them, so that each finding is matched among a few
  // candidates rather than all groups.
  absl::flat_hash_map<std::string, std::vector<const Group*>> candidates;
  for (const Group& g : analysis.groups) {
    const int spawner = g.origin == Origin::kGone ? 0 : g.spawner_pid;
    candidates[ScopeKey(g.container, g.cgroup, g.signature, spawner)].push_back(&g);
  }
  std::vector<const Group*> named_groups;
  std::map<const Group*, std::vector<FindingKind>> kinds_of;
  for (const Finding& f : analysis.findings) {
    if (!Contains(kinds, f.kind)) continue;
    auto same = candidates.find(ScopeKey(f.container, f.cgroup, f.signature, f.spawner_pid));
    if (same == candidates.end()) continue;
    auto about = std::find_if(same->second.begin(), same->second.end(),
                              [&](const Group* x) { return About(f, *x); });
    if (about == same->second.end()) continue;
    const Group* key = *about;
    if (!kinds_of.contains(key)) named_groups.push_back(key);
    if (!Contains(kinds_of[key], f.kind)) kinds_of[key].push_back(f.kind);
  }

  ReapPlan plan;
  std::set<int> stopped_pids;
  std::map<int, int> kept_pids;  // pid -> root of the kept chain holding it
  for (const Group* key : named_groups) {
    const Group* g = key;
    if (g->signature.find(selection.signature) == std::string::npos) continue;
    if (!ContainerMatches(snapshot, g->container, selection.container)) continue;
    const std::vector<FindingKind>& named = kinds_of[key];
    const bool duplicates = Contains(named, FindingKind::kDuplicateChain);
    const bool orphans = Contains(named, FindingKind::kOrphanedChain);

    ReapGroup rg;
    rg.signature = g->signature;
    rg.container = g->container;
    if (const Container* c = snapshot.FindContainer(g->container); c != nullptr) {
      rg.container_name = c->name;
    }
    rg.count = g->count;
    rg.expected = g->expected;
    rg.findings = named;
    rg.keep = KeepLabel(selection.keep, *g);
    const std::set<size_t> kept = Kept(selection.keep, *g);
    bool wanted = selection.pids.empty();
    for (size_t i = 0; i < g->chains.size(); ++i) {
      const Chain& c = g->chains[i];
      if (kept.contains(i)) {
        rg.kept.push_back({c.root_pid, c.started_at});
        for (int pid : c.pids) kept_pids[pid] = c.root_pid;
        if (!selection.pids.empty() && HoldsAny(c, selection.pids)) wanted = true;
        continue;
      }
      if (!duplicates && !c.orphaned) continue;  // only orphaned_chain selected
      if (!selection.pids.empty() && !HoldsAny(c, selection.pids)) continue;
      wanted = true;
      // A chain both findings name is stopped as an orphan: nothing talks to it any more.
      rg.stop.push_back(
          MakeChain(snapshot, *g, c, orphans && c.orphaned, self_pid, self_ancestors));
      stopped_pids.insert(c.pids.begin(), c.pids.end());
    }
    if (!wanted) continue;
    for (const ReapChain& c : rg.stop) {
      plan.order.insert(plan.order.end(), c.processes.begin(), c.processes.end());
    }
    plan.groups.push_back(std::move(rg));
  }

  AddDescendants(snapshot, self_pid, self_ancestors, &plan);
  SortDeepestFirst(snapshot, &plan.order);

  for (int pid : selection.pids) {
    if (stopped_pids.contains(pid)) continue;
    if (auto k = kept_pids.find(pid); k != kept_pids.end()) {
      plan.notes.push_back(
          fmt::format("pid {} is in a chain that is kept (root {}); see --keep", pid, k->second));
    } else {
      plan.notes.push_back(
          fmt::format("pid {} is in no chain of a selected finding; nothing to stop for it", pid));
    }
  }
  return plan;
}

std::string SkipDetail(const std::string& protected_reason) {
  return protected_reason == kOtherCgroup ? protected_reason : "protected: " + protected_reason;
}

int SignallableCount(const ReapPlan& plan) {
  return static_cast<int>(std::count_if(plan.order.begin(), plan.order.end(),
                                        [](const auto& p) { return p.protected_reason.empty(); }));
}

}  // namespace procleak
