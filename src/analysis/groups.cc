// SPDX-License-Identifier: Apache-2.0
#include "analysis/groups.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <set>
#include <string_view>
#include <tuple>

#include "base/sort_unless_sorted.h"
#include "fmt/format.h"
#include "signature/signature.h"

namespace procleak {
namespace {

// Chains started within this window of each other count as "started together" (a pre-forking
// server forks its workers in well under a second; a leaking spawner starts one per cycle).
constexpr absl::Duration kTogether = absl::Seconds(2);

std::string JoinArgv(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out.push_back(' ');
    out += arg;
  }
  return out;
}

// What the rules see of a group: its first chain's root process and its container.
class GroupSubject {
 public:
  GroupSubject(const Snapshot& s, const SpawnChain& first, const Group& g) {
    const Process* root = s.FindProcess(first.root_pid);
    const Container* container = g.container.empty() ? nullptr : s.FindContainer(g.container);
    if (root != nullptr) {
      cmdline_ = JoinArgv(root->argv);
      subject_.comm = root->comm;
      subject_.exe = root->exe;
    }
    subject_.cmdline = cmdline_;
    subject_.signature = g.signature;
    subject_.container = g.container;
    if (container != nullptr) subject_.container_name = container->name;
  }
  GroupSubject(const GroupSubject&) = delete;
  GroupSubject& operator=(const GroupSubject&) = delete;
  const RuleSubject& get() const { return subject_; }

 private:
  std::string cmdline_;
  RuleSubject subject_;
};

// The init a chain is orphaned to: host PID 1 or its container's init.
// Programs that adopt orphans (init systems, container inits, user service managers, shims and
// supervisors set as child subreapers). /proc does not show PR_SET_CHILD_SUBREAPER, so by name.
constexpr std::string_view kReapers[] = {"systemd",     "tini",  "dumb-init", "catatonit",
                                         "s6-svscan",   "runit", "conmon",    "containerd-shim",
                                         "docker-init", "init"};

// PID 1, the container's init, or a process that adopts orphans.
bool IsInit(const Snapshot& s, int pid, const std::string& container) {
  if (pid == 1) return true;
  if (!container.empty()) {
    const Container* c = s.FindContainer(container);
    if (c != nullptr && c->init_pid == pid) return true;
  }
  const Process* p = s.FindProcess(pid);
  if (p == nullptr) return false;
  return std::find(std::begin(kReapers), std::end(kReapers), p->comm) != std::end(kReapers);
}

Chain MakeChain(const Snapshot& s, const SpawnChain& sc) {
  Chain chain;
  chain.root_pid = sc.root_pid;
  chain.pids = sc.pids;
  const Process* root = s.FindProcess(sc.root_pid);
  if (root != nullptr) {
    chain.started_at = root->started_at;
    if (s.FindProcess(root->ppid) != nullptr) chain.spawner_pid = root->ppid;
  }
  bool all_pss = s.stats().pss;
  uint64_t pss = 0;
  for (int pid : sc.pids) {
    const Process* p = s.FindProcess(pid);
    if (p == nullptr) continue;
    chain.rss_bytes += p->rss_bytes.value_or(0);
    if (p->pss_bytes) {
      pss += *p->pss_bytes;
    } else if (p->rss_bytes) {
      all_pss = false;
    }
  }
  if (all_pss) chain.pss_bytes = pss;
  return chain;
}

// Counts the distinct "cycles" start times fall into: a new cycle begins more than kTogether
// after the previous start.
int StartCycles(const std::vector<absl::Time>& starts) {
  int cycles = 0;
  absl::Time last = absl::InfinitePast();
  for (absl::Time start : starts) {  // oldest first
    if (cycles == 0 || start - last > kTogether) ++cycles;
    last = start;
  }
  return cycles;
}

struct Facts {
  int orphaned = 0;
  int same_exe_parent = 0;  // roots forked by a parent running the same program
  int wrapper_chains = 0;   // chains of more than one process
  int cycles = 0;
  // The most start cycles one live spawner (not an init) accounts for: more than one means it
  // starts new copies and keeps the old ones.
  int spawner_cycles = 0;
  int busiest_spawner = 0;
  std::set<int> spawners;
};

Facts Gather(const Snapshot& s, const Group& g) {
  Facts f;
  for (const Chain& c : g.chains) {
    if (c.orphaned) ++f.orphaned;
    if (c.pids.size() > 1) ++f.wrapper_chains;
    if (c.spawner_pid != 0 && !c.orphaned) f.spawners.insert(c.spawner_pid);
    const Process* root = s.FindProcess(c.root_pid);
    const Process* parent = root ? s.FindProcess(root->ppid) : nullptr;
    // A fork without exec keeps its parent's comm and exe; npm started by a node spawner has
    // the same exe (node) but its own comm, so it was exec'd.
    if (root && parent && !c.orphaned && parent->comm == root->comm &&
        (root->exe.empty() || parent->exe.empty() || parent->exe == root->exe))
      ++f.same_exe_parent;
  }
  std::vector<absl::Time> starts;
  starts.reserve(g.chains.size());
  for (const Chain& c : g.chains) starts.push_back(c.started_at);
  f.cycles = StartCycles(starts);
  std::map<int, std::vector<absl::Time>> by_spawner;
  for (const Chain& c : g.chains) {
    if (c.spawner_pid != 0 && !c.orphaned && !IsInit(s, c.spawner_pid, g.container)) {
      by_spawner[c.spawner_pid].push_back(c.started_at);
    }
  }
  for (const auto& [pid, spawned] : by_spawner) {
    int cycles = StartCycles(spawned);
    if (cycles > f.spawner_cycles) {
      f.spawner_cycles = cycles;
      f.busiest_spawner = pid;
    }
  }
  return f;
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

void Classify(const Snapshot& s, const Rules& rules, const SpawnChain& first, const Rule* expect,
              Group* g) {
  if (g->count == 1 && !g->expected) {
    g->classification = Classification::kSingle;
    return;
  }
  Facts f = Gather(s, *g);
  std::vector<std::string>& ev = g->evidence;
  if (f.wrapper_chains > 0) {
    ev.push_back(fmt::format("{} of {} are wrapper chains ({} processes each)", f.wrapper_chains,
                             g->count, g->chains.front().pids.size()));
  }
  if (f.same_exe_parent == g->count) {
    ev.push_back("every copy was forked by a parent running the same program");
  } else if (f.same_exe_parent == 0) {
    ev.push_back("exec'd by a different program than their parent");
  }
  if (g->count > 1) {
    ev.push_back(f.cycles == 1 ? "all started together"
                               : fmt::format("started in {} separate cycles", f.cycles));
  }
  if (f.spawner_cycles > 1) {
    ev.push_back(fmt::format("pid {} started copies in {} separate cycles and kept the old ones",
                             f.busiest_spawner, f.spawner_cycles));
  }
  if (f.orphaned > 0) {
    ev.push_back(fmt::format("{} orphaned (their spawner is gone)", f.orphaned));
  } else if (g->count > 1) {
    ev.push_back("every spawner is alive");
  }

  // An expect rule and a pool rule may both match: the one listed first wins (file rules come
  // before the built-in ones, so a user's pool overrides a built-in expectation).
  GroupSubject subject(s, first, *g);
  const Rule* pool = rules.Match(RuleAction::kPool, subject.get());
  if (pool != nullptr && expect != nullptr && expect < pool) pool = nullptr;
  if (pool != nullptr) {
    g->expected.reset();
    g->classification = Classification::kPool;
    ev.push_back(fmt::format("marked a pool by rule {}", pool->origin));
  } else if (g->expected && g->count > *g->expected) {
    g->classification = Classification::kLeak;
  } else if (g->expected) {
    g->classification = g->count == 1 ? Classification::kSingle : Classification::kPool;
  } else if (f.same_exe_parent == g->count && f.cycles == 1 && f.orphaned == 0) {
    g->classification = Classification::kPool;
  } else if ((f.wrapper_chains > 0 || f.same_exe_parent == 0) &&
             (f.spawner_cycles > 1 || f.orphaned > 0)) {
    g->classification = Classification::kLeak;
  } else {
    g->classification = Classification::kPool;
  }
  if (g->expected) {
    ev.insert(ev.begin(),
              fmt::format("{} where {} expected ({})", Plural(g->count, "chain", "chains"),
                          *g->expected, expect->origin));
  }
}

}  // namespace

std::vector<Group> BuildGroups(const Snapshot& s, const Rules& rules,
                               const std::vector<SpawnChain>& chains) {
  std::map<std::pair<std::string, std::string>, std::vector<const SpawnChain*>> by_key;
  for (const SpawnChain& c : chains) by_key[{c.container, c.signature}].push_back(&c);

  std::vector<Group> groups;
  for (auto& [key, members] : by_key) {
    Group g;
    g.container = key.first;
    g.signature = key.second;
    g.count = static_cast<int>(members.size());
    g.chains.reserve(members.size());
    for (const SpawnChain* sc : members) g.chains.push_back(MakeChain(s, *sc));
    SortUnlessSorted(g.chains, [](const Chain& a, const Chain& b) {  // pid order mostly is
      return std::tie(a.started_at, a.root_pid) < std::tie(b.started_at, b.root_pid);
    });
    // Orphaned: parented by an init while some copy of the same chain has a live spawner that is
    // not an init (otherwise the init is simply the spawner, as for a container's entrypoint).
    bool has_real_spawner = std::any_of(g.chains.begin(), g.chains.end(), [&](const Chain& c) {
      return c.spawner_pid != 0 && !IsInit(s, c.spawner_pid, g.container);
    });
    bool all_pss = true;
    uint64_t pss = 0;
    for (Chain& c : g.chains) {
      c.orphaned =
          has_real_spawner && (c.spawner_pid == 0 || IsInit(s, c.spawner_pid, g.container));
      g.rss_bytes += c.rss_bytes;
      if (c.pss_bytes)
        pss += *c.pss_bytes;
      else
        all_pss = false;
    }
    if (all_pss && s.stats().pss) g.pss_bytes = pss;
    if (g.count > 1) {
      absl::Duration span = g.chains.back().started_at - g.chains.front().started_at;
      if (span > absl::ZeroDuration())
        g.spawn_rate_per_hour = (g.count - 1) / absl::ToDoubleHours(span);
    }
    const SpawnChain& first = *members.front();
    const Rule* expect = nullptr;
    {
      GroupSubject subject(s, first, g);
      expect = rules.Match(RuleAction::kExpect, subject.get());
      if (expect != nullptr) g.expected = expect->expected;
    }
    Classify(s, rules, first, expect, &g);
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
