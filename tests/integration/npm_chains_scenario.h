// SPDX-License-Identifier: Apache-2.0
#pragma once
// Issue 4's incident, staged for npm_chains_test: starts the npm exec copies (some orphaned) and
// a pre-forking pool from tests/integration/npm_chains/, scans the live system with the built
// procleak, and ends every process it started again.

#include <sys/types.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "live_processes.h"

namespace procleak::testing {

inline constexpr int kLongLivedCopies = 5;  // N: started by the spawner that stays
inline constexpr int kOrphanedCopies = 3;   // K: started by a spawner that then exits
inline constexpr int kCopies = kLongLivedCopies + kOrphanedCopies;
inline constexpr int kSpawnIntervalMs = 300;
inline constexpr int kPoolWorkers = 4;
inline constexpr char kBin[] = "fake-mcp-server";

// One copy as the test saw it in /proc: npm exec -> sh -c -> node, root first.
struct ObservedChain {
  std::vector<LiveProcess> levels;
  bool orphaned = false;  // started by the spawner that exited
  pid_t root() const { return levels.front().pid; }
};

struct Scenario {
  std::string skip;  // a tool is missing (node, npm, python3): the tests skip with this
  bool ran = false;  // everything started and procleak scanned it
  pid_t long_lived_spawner = 0;
  pid_t orphan_parent = 0;            // the orphaned copies' parent once their spawner exited
  std::vector<ObservedChain> chains;  // in spawn order: the K orphaned ones, then the N others
  std::set<pid_t> pool;               // master and workers
  std::optional<int> scan_exit;
  std::string scan_err;
  nlohmann::json doc;                  // procleak's output; null when it was not JSON
  std::vector<LiveProcess> leftovers;  // still alive after teardown: should be none
  std::chrono::milliseconds ready_after{0};
};

// Runs the scenario once, holding a machine-wide lock so that runs from other build directories
// cannot add their copies to the counts; reads PROCLEAK_BIN, NPM_CHAINS_DIR and SCENARIOS_DIR
// (its spawner is scenarios/spawn.js). Failures are
// reported with ADD_FAILURE and leave the result partly filled (ran false). Every process it
// started is killed before it returns, also on failure.
Scenario RunNpmChainsScenario();

}  // namespace procleak::testing
