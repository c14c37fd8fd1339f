// SPDX-License-Identifier: Apache-2.0
#pragma once
// The running system for `procleak reap --apply`: /proc read directly, processes pinned and
// signalled through pidfds (pidfd_open(2), pidfd_send_signal(2)), exits awaited with poll(2).

#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "cli/reap_system.h"

namespace procleak {

class PidfdSystem : public ReapSystem {
 public:
  // Raises the soft limit on open files towards `pidfds` (a pidfd per pinned process), as far as
  // the hard limit allows.
  explicit PidfdSystem(size_t pidfds);
  ~PidfdSystem() override;
  PidfdSystem(const PidfdSystem&) = delete;
  PidfdSystem& operator=(const PidfdSystem&) = delete;

  std::optional<Stat> ReadStat(int pid) override;
  ReadOutcome ReadArgv(int pid, std::vector<std::string>* argv) override;
  std::optional<std::string> ReadCgroup(int pid) override;
  std::vector<Stat> ListProcesses() override;
  Stopped ThreadsStopped(int pid, uint64_t starttime) override;
  int Open(int pid) override;
  int Signal(int handle, int sig) override;
  std::vector<int> WaitExited(const std::vector<int>& handles, absl::Duration timeout) override;
  void Close(int handle) override;
  absl::Time Now() override;
  uint64_t NowTicks() override;
  void Sleep(absl::Duration duration) override;

 private:
  int proc_fd_ = -1;
  uint64_t ticks_per_second_ = 100;
};

// The processes above this one, from its parent up to PID 1, read from /proc/PID/stat.
std::vector<int> SelfAncestors();

}  // namespace procleak
