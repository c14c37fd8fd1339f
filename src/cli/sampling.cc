// SPDX-License-Identifier: Apache-2.0
#include "cli/sampling.h"

#include <signal.h>
#include <sys/resource.h>
#include <time.h>

#include <cerrno>

#include "absl/time/clock.h"

namespace procleak {
namespace {

volatile sig_atomic_t g_stop = 0;

void OnStop(int) { g_stop = 1; }

}  // namespace

void InstallStopHandlers() {
  struct sigaction action = {};
  action.sa_handler = &OnStop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads finish; only the sleep between samples is cut short
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &action, nullptr);
}

bool StopRequested() { return g_stop != 0; }

void RaiseFileLimit() {
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);  // best effort: fewer kept files only cost speed
  }
}

Pacer::Pacer(absl::Duration interval, std::optional<int> count,
             std::optional<absl::Duration> duration)
    : interval_(interval), count_(count), duration_(duration) {}

bool Pacer::WaitForNext() {
  if (StopRequested()) return false;
  if (taken_ == 0) {
    first_ = absl::Now();
    ++taken_;
    return true;
  }
  if (count_ && taken_ >= *count_) return false;
  const absl::Time next = first_ + interval_ * taken_;
  if (duration_ && next - first_ >= *duration_) return false;
  // clock_nanosleep is never restarted after a handler ran, whatever SA_RESTART says.
  for (absl::Duration left = next - absl::Now(); left > absl::ZeroDuration();
       left = next - absl::Now()) {
    if (waiter_) {
      if (!waiter_(left)) return false;
      continue;
    }
    timespec ts = absl::ToTimespec(left);
    if (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, nullptr) == EINTR && StopRequested()) {
      return false;
    }
  }
  if (StopRequested()) return false;
  ++taken_;
  return true;
}

}  // namespace procleak
