// SPDX-License-Identifier: Apache-2.0
#include "analysis/lineage.h"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

#include "fmt/format.h"
#include "signature/signature.h"

namespace procleak {
namespace {

// Programs that adopt orphans (init systems, container inits, user service managers, shims and
// supervisors set as child subreapers). /proc does not show PR_SET_CHILD_SUBREAPER, so by name.
constexpr std::string_view kReapers[] = {"systemd",         "tini",        "dumb-init", "catatonit",
                                         "s6-svscan",       "runit",       "conmon",    "init",
                                         "containerd-shim", "docker-init", "pause",     "runsvdir"};

// By name, and by executable when known: a script named `init` shows that name as its comm, but
// its executable is the interpreter's. (comm is cut to 15 bytes: containerd-shim-runc-v2.)
bool IsReaper(const Process& p) {
  if (std::find(std::begin(kReapers), std::end(kReapers), p.comm) == std::end(kReapers)) {
    return false;
  }
  const std::string_view exe = p.exe;
  // /sbin/init is systemd or busybox on many hosts.
  return exe.empty() || exe.substr(exe.rfind('/') + 1).starts_with(p.comm) ||
         exe.ends_with("/systemd") || exe.ends_with("/busybox");
}

// A container's topmost process, as the runtime or the pid namespace tells.
bool IsContainerInit(const Snapshot& s, const Process& p) {
  if (p.container.empty()) return false;
  if (p.ns_pid == 1) return true;
  const Container* c = s.FindContainer(p.container);
  return c != nullptr && c->init_pid == p.pid;
}

// A process that was set apart on purpose: it leads its own process group or session (a
// daemon, a service, a job, a terminal session). Unknown (0: read from a source without them,
// or outside this /proc's pid namespace; -1: read while being reaped) counts as set apart, so
// that nothing is called orphaned without evidence.
bool LeadsItsGroup(const Process& p) {
  return p.pgid == p.pid || p.sid == p.pid || (p.pgid <= 0 && p.sid <= 0);
}

// (container, cgroup, root signature): the copies that can belong to one group.
using SignatureKey = std::tuple<std::string_view, std::string_view, std::string_view>;

SignatureKey KeyOf(const Process& root, const SpawnChain& c) {
  return {c.container, HostScope(root), c.root_signature};
}

// Whether `orphan` can only have been left by an earlier instance of `spawner`'s program: it is
// older than the spawner, and shares its session or was reparented to the spawner's own parent
// (a supervisor that is also the init of its namespace).
bool LeftByEarlierInstance(const Process& orphan, const Process& spawner) {
  if (orphan.starttime_ticks >= spawner.starttime_ticks) return false;
  return (orphan.sid > 0 && orphan.sid == spawner.sid) || orphan.ppid == spawner.ppid;
}

}  // namespace

InitRole InitRoleOf(const Snapshot& s, const Process& p) {
  if (p.pid == 1 || IsReaper(p)) return InitRole::kAdopter;
  if (IsContainerInit(s, p)) {
    // An entrypoint shell runs commands and adopts what they leave; an application as the init
    // (`node hub.js` run directly) starts its children itself.
    return IsShellProgram(ClassifyCommand(p.argv, p.comm).program) ? InitRole::kAdopter
                                                                   : InitRole::kSpawner;
  }
  return p.ns_pid == 1 ? InitRole::kAdopter : InitRole::kNone;
}

std::string InitDescription(const Snapshot& s, const Process& p) {
  if (p.pid == 1) return "PID 1";
  if (IsContainerInit(s, p)) return "the container's init";
  if (p.ns_pid == 1) return "the init of a PID namespace";
  return fmt::format("a subreaper ({})", IsReaper(p) ? p.comm : "adopts orphans");
}

std::string PidText(const Process& p) {
  if (p.ns_pid) return fmt::format("pid {} (ns pid {})", p.pid, *p.ns_pid);
  return fmt::format("pid {}", p.pid);
}

const std::string& HostScope(const Process& p) {
  static const std::string kNone;
  return p.container.empty() ? p.cgroup : kNone;
}

std::vector<int> NamespaceCandidates(const Snapshot& s, const Analysis& analysis) {
  std::set<int> pids;
  for (const Group& g : analysis.groups) {
    if (g.count > 1 && g.spawner_pid != 0) pids.insert(g.spawner_pid);
    for (const Chain& c : g.chains) {
      if (c.orphaned && c.spawner_pid != 0) pids.insert(c.spawner_pid);
      // `unshare --pid --fork sh -c X`: the shell is the namespace's init, and X would not
      // continue its chain.
      if (c.pids.size() < 2) continue;
      const Process* root = s.FindProcess(c.root_pid);
      if (root != nullptr && IsShellProgram(ClassifyCommand(root->argv, root->comm).program)) {
        pids.insert(c.root_pid);
      }
    }
  }
  return {pids.begin(), pids.end()};
}

std::vector<ChainOrigin> ChainOrigins(const Snapshot& s, const std::vector<SpawnChain>& chains) {
  std::vector<ChainOrigin> out(chains.size());
  // Per (container, cgroup, root signature): the live spawners, and the chains an init adopted
  // or may have (see below).
  std::map<SignatureKey, std::set<int>> spawners;
  std::map<SignatureKey, std::vector<size_t>> gone;
  // Copies of one spawner mostly come one after another: its role and their key are known then.
  const Process* last_parent = nullptr;
  InitRole last_role = InitRole::kNone;
  std::optional<std::pair<SignatureKey, int>> last_spawned;
  for (size_t i = 0; i < chains.size(); ++i) {
    const Process* root = s.FindProcess(chains[i].root_pid);
    // Started by the kernel (PID 1, kthreadd), or exited (no copy: see BuildGroups).
    if (root == nullptr || root->ppid == 0 || root->state == 'Z' || root->state == 'X') continue;
    ChainOrigin& o = out[i];
    const Process* parent = s.FindProcess(root->ppid);
    if (parent == nullptr || parent != last_parent) {
      last_parent = parent;
      last_role = parent != nullptr ? InitRoleOf(s, *parent) : InitRole::kAdopter;
    }
    if (last_role != InitRole::kAdopter) {
      o.spawner_pid = parent->pid;
      std::pair<SignatureKey, int> spawned{KeyOf(*root, chains[i]), parent->pid};
      if (spawned != last_spawned) spawners[spawned.first].insert(parent->pid);
      last_spawned = spawned;
    } else if (parent != nullptr && LeadsItsGroup(*root)) {
      o.origin = Origin::kInit;
      o.spawner_pid = parent->pid;
    } else if (parent != nullptr && root->pgid == parent->pid) {
      // In the process group the init itself leads: a job of its own (an entrypoint shell's
      // `worker &`), unless a supervisor it runs turns out to have left it.
      o.origin = Origin::kInit;
      o.spawner_pid = parent->pid;
      gone[KeyOf(*root, chains[i])].push_back(i);
    } else {
      o.origin = Origin::kGone;
      o.orphaned = true;
      o.process_group = root->pgid;
      gone[KeyOf(*root, chains[i])].push_back(i);
    }
  }
  // A supervisor started again: its earlier instances' copies join the one live spawner.
  for (const auto& [key, left] : gone) {
    auto live = spawners.find(key);
    if (live == spawners.end() || live->second.size() != 1) continue;
    const Process* spawner = s.FindProcess(*live->second.begin());
    if (spawner == nullptr) continue;
    std::map<int, std::vector<std::pair<size_t, const Process*>>> by_group;
    for (size_t i : left) {
      const Process* root = s.FindProcess(chains[i].root_pid);
      by_group[root->pgid].emplace_back(i, root);
    }
    // One left-behind copy beside one live spawner is as likely a finished script's leftover
    // beside an unrelated command: a restart loop shows itself by leaving two or more.
    std::vector<std::pair<size_t, const Process*>> attributed;
    for (const auto& [group, members] : by_group) {
      const bool all = std::all_of(members.begin(), members.end(), [&](const auto& m) {
        return LeftByEarlierInstance(*m.second, *spawner);
      });
      if (all) attributed.insert(attributed.end(), members.begin(), members.end());
    }
    if (attributed.size() >= 2) {
      for (const auto& member : attributed) {
        ChainOrigin& o = out[member.first];
        o.origin = Origin::kSpawner;
        o.spawner_pid = spawner->pid;
        o.process_group = 0;
        o.orphaned = true;
      }
    }
  }
  return out;
}

}  // namespace procleak
