// SPDX-License-Identifier: Apache-2.0
#pragma once
// Acting on a reap plan: stopping whole chains, the processes started since the scan included.
// Each chain is frozen first (SIGSTOP, then its descendants found and stopped until none is
// new), so that nothing forks behind reap's back; then SIGTERM, SIGCONT, the grace period,
// another freeze, SIGKILL.

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "analysis/reap_plan.h"
#include "cli/reap_result.h"
#include "cli/reap_system.h"

namespace procleak {

// A process reap found below a process of a chain it stopped, not in the plan: started after
// the scan, or missed by it; or one a stopped process started and left (reap_strays.h).
struct ReapFound {
  ReapProcess process;  // as read when found; in_chain is false
  ReapResult result;
  ReapFoundBy by = ReapFoundBy::kParent;
  int found_in = 0;  // the process group or session it was found by; 0 for kParent
};

struct ReapActed {
  std::vector<ReapResult> planned;  // one per process of plan.order, same positions
  // One list per chain to stop (plan.groups' stop lists, in order), each process before its
  // ancestors.
  std::vector<std::vector<ReapFound>> found;
  std::vector<std::string> notes;  // limits reached, processes that would not stop
  bool incomplete = false;         // a limit left processes of a chain unstopped
};

struct ReapStopOptions {
  absl::Duration grace = absl::Seconds(5);
  // How long each freeze waits for SIGSTOP to take, in all.
  absl::Duration stop_wait = absl::Seconds(1);
  // After SIGKILL a process exits as soon as it leaves the kernel; one that does not within this
  // long is stuck (uninterruptible sleep) and reported as failed.
  absl::Duration kill_wait = absl::Seconds(2);
  // How often the grace period looks for processes the stopping ones started.
  absl::Duration track_interval = absl::Milliseconds(200);
  int max_rounds = 32;      // of listing descendants, per freeze
  size_t max_found = 4096;  // processes found beyond the plan, in all
  // Processes never to signal when found (procleak, its ancestors, containers' inits) and why;
  // PID 1, pids below 2 and kernel threads are never signalled either.
  std::map<int, std::string> protected_pids;
};

// The dry run's results: would_signal, or skipped for a protected process.
ReapActed DryRunResults(const ReapPlan& plan);

// Stops every chain of `plan`. Per chain, its root is re-verified (the planned starttime and
// command signature), pinned with a pidfd, verified again and sent SIGSTOP; then, round by round,
// every child of a pinned process (its starttime read twice around pidfd_open, its parent
// unchanged) is pinned and stopped, once the pinned processes are seen stopped, until a round
// finds none. Planned processes not reached that way are verified like the root. Processes that
// are protected or in another cgroup than the chain's root are skipped, spared chains (kept ones)
// not entered. Then each pinned process gets SIGTERM and SIGCONT, deepest first; during `grace`
// the ones they start get SIGTERM too; what is left is frozen again, its new children included,
// and gets SIGKILL. Every look for new children also takes what pinned processes started and
// left behind as they exited (reap_strays.h), and one more look is taken once all have exited.
ReapActed StopChains(const ReapPlan& plan, const ReapStopOptions& options, ReapSystem* system);

}  // namespace procleak
