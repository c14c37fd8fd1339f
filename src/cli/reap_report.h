// SPDX-License-Identifier: Apache-2.0
#pragma once
// What `procleak reap` prints: the plan with each process's result as text or as the
// procleak.reap/1 document, what was left running, and the exit status.

#include <string>
#include <vector>

#include "analysis/reap_plan.h"
#include "cli/args.h"
#include "cli/reap_stopper.h"
#include "nlohmann/json.hpp"
#include "procleak/snapshot.h"

namespace procleak {

// A process of a stopped chain left running: skipped (for a reason other than having exited) or
// failed.
struct ReapLeft {
  const ReapProcess* process = nullptr;
  const ReapResult* result = nullptr;
  bool found = false;  // not in the plan: found below a stopped process
};
std::vector<ReapLeft> LeftRunning(const ReapPlan& plan, const ReapActed& acted);

inline constexpr const char* kReapSchema = "procleak.reap/1";

std::string ReapText(const ReapPlan& plan, const ReapActed& acted, const CliArgs& args);
nlohmann::ordered_json ReapJson(const Snapshot& snapshot, const ReapPlan& plan,
                                const ReapActed& acted, const CliArgs& args);

// After --apply: kExitFindings when a process of a stopped chain was left running or a limit
// left some unlooked-at (ReapActed::incomplete), else kExitOk. kExitOk after a dry run.
int ReapExitStatus(const ReapPlan& plan, const ReapActed& acted, bool applied);

}  // namespace procleak
