// SPDX-License-Identifier: Apache-2.0
#pragma once
// Analysing a snapshot: spawn-chain groups (leak, pool or single) and findings with actions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "procleak/rules.h"
#include "procleak/snapshot.h"

namespace procleak {

// A launched process and its wrapper descendants, built from parentage alone.
struct Chain {
  int root_pid = 0;
  std::vector<int> pids;  // root first, then its wrapper descendants
  int spawner_pid = 0;    // the root's parent (0: none in the snapshot); an init for an orphan
  // Its spawner is gone: reparented to PID 1, a subreaper, a container's or a PID namespace's
  // init, keeping the process group its spawner gave it.
  bool orphaned = false;
  absl::Time started_at;  // the root's start
  uint64_t rss_bytes = 0;
  std::optional<uint64_t> pss_bytes;  // with a PSS scan
};

enum class Classification { kLeak, kPool, kSingle };
const char* ClassificationName(Classification c);  // "leak", "pool", "single"

// Who started a group's chains: its lineage.
enum class Origin {
  kSpawner,  // a live process (Group::spawner_pid), which may also hold copies left behind by
             // earlier instances of its program (those chains are orphaned)
  kInit,     // an init (Group::spawner_pid) started them as services: each leads its own
             // process group or session
  kGone,     // their spawner is gone: reparented to an init, left in one process group
};
const char* OriginName(Origin o);  // "spawner", "init", "gone"

// Chains with one signature in one scope (a container, or outside containers one cgroup) from
// one lineage (one spawner, or one process group its spawner left behind).
struct Group {
  std::string signature;  // most of its chains': "npm exec @scope/server-x > sh > node"
  std::string container;  // Container::id, "" for the host
  std::string cgroup;     // outside containers: the cgroup every chain is in; "" in one
  Origin origin = Origin::kSpawner;
  int spawner_pid = 0;          // kSpawner and kInit: the live process that started them; kGone: 0
  int process_group = 0;        // kGone: the process group they were left in; otherwise 0
  int count = 0;                // chains
  std::optional<int> expected;  // from a rule, per lineage; unset when no rule names a count
  Classification classification = Classification::kSingle;
  std::vector<std::string> evidence;  // why leak or pool, one fact per line
  std::vector<Chain> chains;          // oldest first
  double spawn_rate_per_hour = 0;     // chains started per hour between first and last start
  uint64_t rss_bytes = 0;
  std::optional<uint64_t> pss_bytes;
};

enum class Severity { kInfo, kWarning, kCritical };
const char* SeverityName(Severity s);  // "info", "warning", "critical"

// What a finding is about. Chain findings name a group's surplus chains (procleak reap stops
// them); the others are about a container's cgroup and runtime.
enum class FindingKind {
  kDuplicateChain,   // chain: more copies than expected
  kOrphanedChain,    // chain: outlived its spawner
  kNoMemoryLimit,    // container
  kNearMemoryLimit,  // container
  kOomKills,         // container
  kPidsNearLimit,    // container
  kMemoryPressure,   // container
  kRestartLoop,      // container
};
// "duplicate_chain", "orphaned_chain", "no_memory_limit", "near_memory_limit", "oom_kills",
// "pids_near_limit", "memory_pressure", "restart_loop": the names the JSON document uses.
const char* FindingKindName(FindingKind kind);
std::optional<FindingKind> ParseFindingKind(std::string_view name);  // nullopt: no such kind
bool IsChainFinding(FindingKind kind);  // duplicate_chain and orphaned_chain

struct Finding {
  FindingKind kind = FindingKind::kDuplicateChain;
  Severity severity = Severity::kInfo;
  std::string container;  // Container::id, "" for the host
  std::string signature;  // for chain findings
  // Outside containers: a chain finding's group's cgroup, or the cgroup a limit, OOM, pids or
  // pressure finding is about (a systemd service or scope); "" otherwise.
  std::string cgroup;
  int spawner_pid = 0;  // chain findings: the group's live spawner, 0 when gone
  int count = 0;
  std::optional<int> expected;
  std::vector<int> pids;  // chain findings: the surplus chains' pids (what to stop)
  uint64_t rss_bytes = 0;
  std::optional<uint64_t> pss_bytes;
  // Each at most kMaxFindingTextBytes (the action kMaxActionBytes), whatever the input: a longer
  // one is cut and ends in " ... #" and a hash of the whole.
  std::string message;                // one line: what is wrong
  std::vector<std::string> evidence;  // the facts behind it
  std::string action;                 // what to do, pasteable where possible
};
inline constexpr size_t kMaxFindingTextBytes = 2048;
inline constexpr size_t kMaxActionBytes = 4096;

struct Analysis {
  std::vector<Group> groups;      // leaks first, then by memory
  std::vector<Finding> findings;  // critical first, then warning, info; then by memory
};

// Pure: reads nothing but the snapshot. `rules` may be null: the built-in rules and default
// thresholds (procleak/rules.h).
Analysis Analyze(const Snapshot& snapshot, const Rules* rules);

// The highest severity among findings, or nullopt.
std::optional<Severity> WorstSeverity(const Analysis& analysis);

}  // namespace procleak
