// SPDX-License-Identifier: Apache-2.0
#pragma once
// Planning `procleak reap`: which surplus chains of duplicate_chain and orphaned_chain findings to
// stop, which to keep, and in what order to signal their processes (pure: reads only its inputs).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "procleak/analysis.h"
#include "procleak/snapshot.h"

namespace procleak {

// How many chains of each selected group survive.
struct ReapKeep {
  enum class Mode {
    kExpected,  // the group's expected count (from rules) if set, else 1 newest
    kNewest,    // the `count` newest
    kOldest,    // the `count` oldest
  };
  Mode mode = Mode::kExpected;
  int count = 1;  // kNewest and kOldest; 0 keeps none
};

struct ReapSelection {
  std::vector<FindingKind> findings;  // chain finding kinds; empty: both
  std::string signature;              // groups whose signature contains this; "" any
  std::string container;              // a container's name, id or id prefix; "" any (and host)
  std::vector<int> pids;              // only the chains holding one of these; empty: any
  ReapKeep keep;
};

// Why a process below a chain is not signalled although not protected as such.
inline constexpr const char* kOtherCgroup = "in another cgroup than its chain";

// One process of a chain to stop, with the identity it must still have when it is signalled.
struct ReapProcess {
  int pid = 0;
  int ppid = 0;
  uint64_t starttime_ticks = 0;
  std::string comm;
  std::vector<std::string> argv;
  std::string command_signature;  // ClassifyCommand(argv, comm).signature at planning time
  // Why it must not be signalled ("PID 1", "kernel thread", "procleak itself", "an ancestor of
  // procleak", "the container's init", "in another cgroup than its chain"); "" when it may be.
  std::string protected_reason;
  // False for a process below the chain proper: a child of its last process (a server's own
  // helpers), or one that outlived the process between them. Stopping a chain stops them too.
  bool in_chain = true;
};

// A process by the identity that tells a pid's reuse apart.
struct ReapIdentity {
  int pid = 0;
  uint64_t starttime_ticks = 0;
};

struct ReapChainRef {
  int root_pid = 0;
  absl::Time started_at;
};

struct ReapChain {
  int root_pid = 0;
  absl::Time started_at;
  bool orphaned = false;
  FindingKind finding = FindingKind::kDuplicateChain;  // the kind it is stopped for
  // "duplicate_chain: 4 copies where 1 expected", "orphaned_chain: outlived its spawner".
  std::string reason;
  uint64_t rss_bytes = 0;  // of the chain proper
  // The chain's processes and every process of the snapshot below them, each before its
  // ancestors, its root last. Below the chain, the walk stops at a kept chain, another chain to
  // stop (listed on its own), and a protected process or one in another cgroup (listed, its
  // descendants not).
  std::vector<ReapProcess> processes;
};

struct ReapGroup {
  std::string signature;
  std::string container;       // Container::id, "" for the host
  std::string container_name;  // "" unknown or the host
  int count = 0;
  std::optional<int> expected;
  std::vector<FindingKind> findings;  // the selected kinds that name it
  std::string keep;                   // "1 newest (expected count)", "2 newest", "1 oldest"
  std::vector<ReapChainRef> kept;     // oldest first
  std::vector<ReapChain> stop;        // oldest first
};

struct ReapPlan {
  std::vector<ReapGroup> groups;  // in the order of the analysis' findings
  // Every process of every chain to stop, protected ones included, in signalling order: each
  // process before its ancestors (deepest in the process tree first), so no wrapper sees its
  // child die and respawns it, and no child is reparented before it is signalled.
  std::vector<ReapProcess> order;
  // The roots of the kept chains: acting never stops them nor anything below them, also when
  // they run below a chain it stops.
  std::vector<ReapIdentity> spared;
  // Selection facts worth a line: a --pid that is in no selected chain or in a kept one; a kept
  // chain that runs below one to stop.
  std::vector<std::string> notes;
};

// `self_pid` and `self_ancestors` (procleak and the processes above it; 0 and empty when the
// snapshot is not of this machine) are never signalled, nor are PID 1, pids <= 1 and kernel
// threads: they stay in the plan with a protected_reason. Each chain to stop also lists the
// processes below it (ReapChain::processes).
ReapPlan PlanReap(const Snapshot& snapshot, const Analysis& analysis,
                  const ReapSelection& selection, int self_pid,
                  const std::vector<int>& self_ancestors);

// What a result says of a process with a protected_reason: "protected: PID 1", or kOtherCgroup.
std::string SkipDetail(const std::string& protected_reason);

// The number of processes in `plan.order` that may be signalled.
int SignallableCount(const ReapPlan& plan);

}  // namespace procleak
