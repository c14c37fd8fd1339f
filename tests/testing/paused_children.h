// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: forked children that only pause, killed and reaped when the helper is destroyed
// (also when an assertion failed), and killed by the kernel if the test process dies first.

#include <sys/types.h>

#include <vector>

namespace procleak::testing {

class PausedChildren {
 public:
  // Forks `n` children (no exec): each keeps this process's comm, argv and cgroups.
  explicit PausedChildren(int n);
  ~PausedChildren();
  PausedChildren(const PausedChildren&) = delete;
  PausedChildren& operator=(const PausedChildren&) = delete;

  // The children forked, in order; fewer than asked if fork failed.
  const std::vector<pid_t>& pids() const { return pids_; }
  // Waits up to 5 s until every child sleeps in pause() (state 'S' in its stat).
  bool WaitUntilAsleep() const;
  // Kills and reaps every child now; the pids are then free for reuse.
  void Reap();

 private:
  std::vector<pid_t> pids_;
};

}  // namespace procleak::testing
