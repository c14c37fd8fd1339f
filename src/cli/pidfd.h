// SPDX-License-Identifier: Apache-2.0
#pragma once
// Acting on a reap plan: re-verifying each process's identity, pinning it with a pidfd, SIGTERM
// leaves first, waiting for exits, SIGKILL after the grace period.

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "analysis/reap_plan.h"

namespace procleak {

enum class ReapOutcome {
  kWouldSignal,  // dry run
  kTerminated,   // exited after SIGTERM
  kKilled,       // exited after SIGKILL
  kGone,     // had exited or was exiting (or its pid belongs to a later process) before its turn
  kSkipped,  // protected, or its identity changed (detail says which)
  kFailed,   // a system call failed (detail has the errno text), or it outlived SIGKILL
};
// "would_signal", "terminated", "killed", "gone", "skipped", "failed".
const char* ReapOutcomeName(ReapOutcome outcome);

struct ReapResult {
  ReapOutcome outcome = ReapOutcome::kWouldSignal;
  std::string detail;  // why skipped, gone or failed; "" otherwise
};

// One result per process of `order` (same positions). Protected processes are skipped. Every
// other one is re-verified from /proc/PID/stat and cmdline (same starttime, same command
// signature), opened with pidfd_open, verified again while the pidfd pins it, and sent SIGTERM
// through the pidfd; then the pidfds are polled for up to `grace`, what is left gets SIGKILL and
// is polled for up to 2 more seconds.
std::vector<ReapResult> SignalInOrder(const std::vector<ReapProcess>& order, absl::Duration grace);

// The processes above this one, from its parent up to PID 1, read from /proc/PID/stat.
std::vector<int> SelfAncestors();

}  // namespace procleak
