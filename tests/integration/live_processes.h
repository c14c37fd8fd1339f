// SPDX-License-Identifier: Apache-2.0
#pragma once
// Integration-test helper: starts real processes, each in a process group of its own, reads what
// they became from /proc, and kills and reaps everything it started, also when the test fails or
// is stopped by a timeout's SIGTERM.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace procleak::testing {

// One /proc/PID as the test sees it.
struct LiveProcess {
  pid_t pid = 0;
  pid_t ppid = 0;
  pid_t pgid = 0;
  char state = '?';
  uint64_t starttime = 0;         // clock ticks after boot; tells a pid's reuse apart
  std::vector<std::string> argv;  // empty for a zombie or a kernel thread
};

// nullopt when PID is gone (or /proc/PID cannot be read).
std::optional<LiveProcess> ReadLiveProcess(pid_t pid);
// Every process in /proc, those that vanish while being read left out.
std::vector<LiveProcess> ReadAllLiveProcesses();

// argv joined by spaces, as ps shows it; the last component of a path ("/usr/bin/node" -> "node").
std::string Joined(const std::vector<std::string>& argv);
std::string Basename(const std::string& path);

// Calls `done` every 50 ms until it returns true (then true) or `timeout` passes (then false).
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);

struct SpawnSpec {
  std::vector<std::string> argv;                         // argv[0] is looked up in PATH
  std::string cwd;                                       // empty: the test's
  std::string stdout_path;                               // empty: /dev/null
  std::string stderr_path;                               // empty: /dev/null
  std::vector<std::pair<std::string, std::string>> env;  // set on top of the test's environment
};

// Everything one scenario started. Each Start() makes a new process group led by the started
// process; the leader is not reaped before KillAll(), so its pid (the group id) cannot be reused
// and kill(-group) can only reach processes the scenario started, wherever they were reparented.
class LiveProcesses {
 public:
  LiveProcesses();   // arms the SIGTERM/SIGINT handler that kills the groups
  ~LiveProcesses();  // KillAll()
  LiveProcesses(const LiveProcesses&) = delete;
  LiveProcesses& operator=(const LiveProcesses&) = delete;

  // Starts `spec` in a new process group; nullopt (after ADD_FAILURE) when it cannot.
  std::optional<pid_t> Start(const SpawnSpec& spec);
  // Starts `spec`, waits up to `timeout` for it to exit and reaps it: its exit status, or
  // nullopt (after ADD_FAILURE, its group killed) on a timeout or a death by signal.
  std::optional<int> Run(const SpawnSpec& spec, std::chrono::milliseconds timeout);
  // Waits up to `timeout` for a started `pid` to exit, leaving it a zombie (its group id stays
  // reserved); its exit status, or nullopt on a timeout or a death by signal.
  std::optional<int> WaitExited(pid_t pid, std::chrono::milliseconds timeout);
  // Also kills `process` by pid in KillAll(), if that pid still has the same start time: for a
  // process that might leave the groups (reparented copies are checked both ways).
  void Track(const LiveProcess& process);

  // SIGKILLs every group and tracked process and every remaining child of the test, reaps the
  // children, then waits up to 5 s until none of them is alive (zombies left to their new
  // parent count as gone). Returns what is still alive, empty on success. Idempotent.
  std::vector<LiveProcess> KillAll();

  const std::set<pid_t>& groups() const { return groups_; }

 private:
  std::set<pid_t> groups_;  // leaders, not yet reaped
  std::vector<LiveProcess> tracked_;
};

}  // namespace procleak::testing
