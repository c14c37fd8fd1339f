// SPDX-License-Identifier: Apache-2.0
#pragma once
// The sampling loop of watch and record: stop on SIGINT, SIGTERM or SIGHUP, sleep until the next
// sample without drifting.

#include <functional>
#include <optional>

#include "absl/time/time.h"

namespace procleak {

// Installs handlers that make StopRequested() true (before the sandbox: it needs rt_sigaction).
void InstallStopHandlers();
bool StopRequested();

// Raises the soft RLIMIT_NOFILE to the hard one: a warm rescan keeps one file per process open.
void RaiseFileLimit();

// Paces samples `interval` apart from the first one, for at most `count` samples and at most
// `duration` after the first.
class Pacer {
 public:
  Pacer(absl::Duration interval, std::optional<int> count, std::optional<absl::Duration> duration);
  // Waits for the next sample's time; false when it is time to stop (count, duration, signal).
  bool WaitForNext();
  // Waits up to the time given instead of sleeping (watch's live view: keys, resizes); returns
  // false to stop. It may return early: it is called again for the time left.
  void SetWaiter(std::function<bool(absl::Duration)> waiter) { waiter_ = std::move(waiter); }
  int samples() const { return taken_; }

 private:
  absl::Duration interval_;
  std::optional<int> count_;
  std::optional<absl::Duration> duration_;
  std::function<bool(absl::Duration)> waiter_;
  absl::Time first_;
  int taken_ = 0;
};

}  // namespace procleak
