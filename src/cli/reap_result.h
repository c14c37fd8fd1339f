// SPDX-License-Identifier: Apache-2.0
#pragma once
// What became of a process `procleak reap` planned to stop or found while stopping, and the
// identity checks that decide it before a process is pinned.

#include <optional>
#include <string>

#include "analysis/reap_plan.h"
#include "cli/reap_system.h"
#include "procfs/stat_parser.h"

namespace procleak {

enum class ReapOutcome {
  kWouldSignal,  // dry run
  kTerminated,   // exited after SIGTERM
  kKilled,       // exited after SIGKILL
  kGone,     // had exited or was exiting (or its pid belongs to a later process) before its turn
  kSkipped,  // protected, in another cgroup, or its identity changed (detail says which)
  kFailed,   // a system call failed (detail has the errno text), or it outlived SIGKILL
};
// "would_signal", "terminated", "killed", "gone", "skipped", "failed".
const char* ReapOutcomeName(ReapOutcome outcome);

// How a process that the plan did not hold was found while stopping chains.
enum class ReapFoundBy {
  kParent,        // below a pinned process
  kProcessGroup,  // reparented after its parent exited: in the process group of a stopped process
  kSession,       // reparented: in the session of a stopped process, in a process group of its own
};
// "parent", "process_group", "session".
const char* ReapFoundByName(ReapFoundBy by);

struct ReapResult {
  ReapOutcome outcome = ReapOutcome::kWouldSignal;
  std::string detail;  // why skipped, gone or failed; "" otherwise
};

// A zombie, or a process already on its way out (PF_EXITING: signals no longer matter to it).
bool Exited(const Stat& stat);

ReapResult ExitedBefore();                         // gone: "exited"
ReapResult FailedCall(const char* call, int err);  // failed: "CALL: strerror"

// nullopt when `p` is still the planned process: the same starttime and command signature (*now
// then holds its stat); else what it is now: gone, or skipped because its identity changed.
std::optional<ReapResult> VerifyPlanned(const ReapProcess& p, ReapSystem* system, Stat* now);

}  // namespace procleak
