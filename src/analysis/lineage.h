// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who started each spawn chain (its lineage), from parentage, process groups and sessions alone.

#include <string>
#include <vector>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "signature/chains.h"

namespace procleak {

// What a process is to the chains whose roots it is the parent of.
enum class InitRole {
  kNone,     // an ordinary process: it started them
  kAdopter,  // an init that adopts orphans: host PID 1, a known subreaper (tini, systemd --user,
             // ...), a shell as a container's init, a pid namespace's init outside a container
  kSpawner,  // a container runtime's init running the application itself: it started them
};
InitRole InitRoleOf(const Snapshot& snapshot, const Process& p);

// "PID 1", "the container's init", "the init of a PID namespace", "a subreaper (tini)".
std::string InitDescription(const Snapshot& snapshot, const Process& p);

// "pid 4242" or, inside a nested pid namespace, "pid 4242 (ns pid 7)".
std::string PidText(const Process& p);

struct ChainOrigin {
  Origin origin = Origin::kSpawner;
  int spawner_pid = 0;    // kSpawner, kInit: the live process that started the chain; kGone: 0
  int process_group = 0;  // kGone: the process group its spawner left it in
  // Its spawner is gone: kGone, or kSpawner for a copy left behind by an earlier instance of
  // spawner_pid's program (older than spawner_pid, in its session or under its parent).
  bool orphaned = false;  // (the init it went to is its root's parent: Chain::spawner_pid)
};

// One origin per chain, in the order of `chains`:
//  - the root's parent is an ordinary process or a spawning init: kSpawner, that parent;
//  - the parent is an adopting init and the root leads its own process group or session (a
//    service, a daemon, a job): kInit, that init;
//  - the parent is an adopting init and the root does not lead its group or session (it kept
//    its spawner's), or the parent is not in the snapshot: kGone, orphaned, keyed by the process
//    group it was left in;
// then the copies a supervisor's earlier instances left: kGone chains of a scope and root
// signature in which exactly one live process spawned chains, all older than it and in its
// session (or reparented to its own parent), are attributed to it, still orphaned.
std::vector<ChainOrigin> ChainOrigins(const Snapshot& snapshot,
                                      const std::vector<SpawnChain>& chains);

// The scope a process's copies are grouped in outside containers: its cgroup ("" in a container).
const std::string& HostScope(const Process& p);

// What a brief scan must read status for (Process::ns_pid) before the analysis can be trusted:
// the spawner of every group of two or more chains (a PID namespace's init, unrecognised, would be
// taken for their spawner), the inits that orphaned chains were reparented to (named in
// evidence), and shells that root a chain of several processes (as a namespace's init, their
// child would root its own). Sorted, without repeats.
std::vector<int> NamespaceCandidates(const Snapshot& snapshot, const Analysis& analysis);

}  // namespace procleak
