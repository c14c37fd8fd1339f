// SPDX-License-Identifier: Apache-2.0
#pragma once
// What changed between two snapshots (and their analyses): processes, chains, groups, memory per
// container and group, findings. `procleak diff` prints it and `procleak watch` shows it per
// sample.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "procleak/analysis.h"
#include "procleak/snapshot.h"

namespace procleak {

// A process by identity: pid plus starttime (a reused pid is another process).
struct ProcessRef {
  int pid = 0;
  uint64_t starttime_ticks = 0;
  std::string comm;
  std::string container;  // "" for the host
  uint64_t rss_bytes = 0;
};

struct ChainRef {
  std::string signature;
  std::string container;
  int root_pid = 0;
  absl::Time started_at;
  uint64_t rss_bytes = 0;
};

// A group present on either side; key (signature, container, cgroup, origin, spawner_pid,
// process_group): the group's identity (see Group).
struct GroupChange {
  std::string signature;
  std::string container;
  std::string cgroup;
  Origin origin = Origin::kSpawner;
  int spawner_pid = 0;
  int process_group = 0;
  int count_before = 0;  // 0: the group appeared
  int count_after = 0;   // 0: the group disappeared
  // Chains whose root process started (ended) between the snapshots. A chain that only changed
  // signature (its wrapper exec'd one level further) moves between groups uncounted.
  int chains_started = 0;
  int chains_ended = 0;
  Classification classification_after = Classification::kSingle;  // before's if it disappeared
  int64_t rss_delta_bytes = 0;
  std::optional<int64_t> pss_delta_bytes;  // when both sides have PSS
  double spawn_rate_per_hour = 0;          // chains_started over the interval
  double rss_slope_bytes_per_hour = 0;     // rss_delta over the interval
};

// A container present on either side; key id.
struct ContainerChange {
  std::string id;
  std::string name;
  std::string runtime;
  bool appeared = false;
  bool disappeared = false;
  std::optional<uint64_t> memory_before;  // the cgroup's charge
  std::optional<uint64_t> memory_after;
  int processes_before = 0;
  int processes_after = 0;
  std::optional<double> memory_slope_bytes_per_hour;  // when both charges are known
};

struct SnapshotDiff {
  absl::Time from;  // A's scanned_at
  absl::Time to;    // B's scanned_at
  std::optional<int64_t> host_available_delta_bytes;
  std::vector<ProcessRef> processes_started;  // by pid
  std::vector<ProcessRef> processes_ended;
  std::vector<ChainRef> chains_started;  // chains in B's groups not in A's (by root identity)
  std::vector<ChainRef> chains_ended;
  std::vector<GroupChange> groups;  // only groups that changed; by |rss delta|, largest first
  std::vector<ContainerChange> containers;  // only containers that changed; by |memory delta|
  // In B, not in A, and the reverse; key: kind, container, cgroup, signature, spawner_pid.
  std::vector<Finding> findings_new;
  std::vector<Finding> findings_resolved;
};

// Pure. `a_analysis` and `b_analysis` are Analyze() of `a` and `b`.
SnapshotDiff Diff(const Snapshot& a, const Analysis& a_analysis, const Snapshot& b,
                  const Analysis& b_analysis);

}  // namespace procleak
