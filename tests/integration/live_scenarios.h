// SPDX-License-Identifier: Apache-2.0
#pragma once
// Issue 15's live scenario suite, run once: under CPU load, every scenario (scenario_stage.h) is
// started at once and brought up side by side, one `procleak scan --json` is taken of them all,
// L1's surplus is reaped with `procleak reap --apply`, and every process started is killed and
// reaped again.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "scenario_stage.h"
#include "testing/json_expect.h"
#include "testing/run_procleak.h"

namespace procleak::testing {

// `procleak reap --signature srv-delayed --apply` on L1, after a dry run showed it would stop
// only L1's processes.
struct ReapCheck {
  std::string skipped;  // why it was not applied
  RunResult plan;       // the dry run
  RunResult apply;
  std::vector<pid_t> stopped;        // the pids of the four oldest chains
  std::vector<pid_t> kept;           // the newest chain's
  std::vector<pid_t> stopped_alive;  // after up to 8 s: should be none
  std::vector<pid_t> kept_gone;      // should be none
};

struct SuiteRun {
  std::string skip;      // a tool is missing: the tests skip with this
  bool scanned = false;  // the scan ran (scenarios that did not come up are marked so)
  Scenarios scenarios;   // leak ones first
  // The harness's own problems: a scenario that did not come up or changed while it was
  // scanned, a scan that gave no JSON, a missing variable. Should be none.
  std::vector<std::string> problems;
  RunResult scan;
  Json doc;  // the scan's document; null when it was not JSON
  ReapCheck reap;
  // What names this run's processes in their arguments: the scripts' dirs, the temp dirs.
  std::vector<std::string> markers;
  // Alive after teardown, of its process groups or named by a marker: should be none.
  std::vector<LiveProcess> leftovers;
  std::chrono::milliseconds ready_after{0};
  std::chrono::milliseconds wall{0};
};

// Runs the suite once, holding the machine-wide LiveTestLock; reads PROCLEAK_BIN, SCENARIOS_DIR
// and NPM_CHAINS_DIR. Problems of the harness itself are returned in `problems`, not reported
// (a failure in a suite's set-up would skip its tests). Every process it started is killed and
// reaped before it returns, also on failure.
SuiteRun RunLiveScenarios();

const Scenario* FindScenario(const SuiteRun& run, const std::string& id);

}  // namespace procleak::testing
