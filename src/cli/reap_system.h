// SPDX-License-Identifier: Apache-2.0
#pragma once
// What stopping chains needs of the running system (/proc and pidfds), behind an interface so
// that the stopping logic (reap_stopper.h) is tested against simulated processes as well.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "base/read_file.h"
#include "procfs/stat_parser.h"

namespace procleak {

class ReapSystem {
 public:
  virtual ~ReapSystem() = default;

  // /proc/PID/stat; nullopt when the process is gone or the file unreadable.
  virtual std::optional<Stat> ReadStat(int pid) = 0;
  // /proc/PID/cmdline: kRead with *argv set, kGone or kDenied.
  virtual ReadOutcome ReadArgv(int pid, std::vector<std::string>* argv) = 0;
  // /proc/PID/cgroup as it reads; nullopt when gone or unreadable.
  virtual std::optional<std::string> ReadCgroup(int pid) = 0;
  // Every process now, those that vanish while being read left out.
  virtual std::vector<Stat> ListProcesses() = 0;

  enum class Stopped { kYes, kNo, kGone };
  // Whether every thread of the process `pid` started at `starttime` is stopped (T or t; exited
  // threads count as stopped); kGone when it has exited or its pid is another process's now.
  virtual Stopped ThreadsStopped(int pid, uint64_t starttime) = 0;

  // pidfd_open(pid): a handle >= 0, or -errno.
  virtual int Open(int pid) = 0;
  // pidfd_send_signal(handle, sig): 0, or the errno.
  virtual int Signal(int handle, int sig) = 0;
  // Waits up to `timeout` until at least one of `handles` belongs to a process that has exited;
  // returns those that have (none on a timeout).
  virtual std::vector<int> WaitExited(const std::vector<int>& handles, absl::Duration timeout) = 0;
  virtual void Close(int handle) = 0;

  virtual absl::Time Now() = 0;
  // Now as clock ticks after boot, the unit of Stat::starttime.
  virtual uint64_t NowTicks() = 0;
  virtual void Sleep(absl::Duration duration) = 0;
};

}  // namespace procleak
