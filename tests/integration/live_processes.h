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
  pid_t sid = 0;   // session
  int tty_nr = 0;  // controlling terminal's device number, 0 for none
  char state = '?';
  uint64_t starttime = 0;         // clock ticks after boot; tells a pid's reuse apart
  std::vector<std::string> argv;  // empty for a zombie or a kernel thread
};

// nullopt when PID is gone (or /proc/PID cannot be read).
std::optional<LiveProcess> ReadLiveProcess(pid_t pid);
// Every process in /proc, those that vanish while being read left out.
std::vector<LiveProcess> ReadAllLiveProcesses();
// PID's pid inside its own pid namespace (the last NSpid value of its status) when that
// namespace is nested below ours; nullopt in ours, or when PID is gone.
std::optional<pid_t> ReadNsPid(pid_t pid);
// `root` and every descendant of it in `all`, in preorder (children by pid), root first; empty
// when `root` is not in `all`.
std::vector<LiveProcess> Subtree(pid_t root, const std::vector<LiveProcess>& all);

// argv joined by spaces, as ps shows it; the last component of a path ("/usr/bin/node" -> "node").
std::string Joined(const std::vector<std::string>& argv);
std::string Basename(const std::string& path);

// Whether PATH names an executable `program`.
bool InPath(const std::string& program);
// The pids after `prefix` on the lines of `text` ("spawned 123", "worker 124").
std::vector<pid_t> PidsAfter(const std::string& text, const std::string& prefix);

// Calls `done` every 50 ms until it returns true (then true) or `timeout` passes (then false).
bool PollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout);

struct SpawnSpec {
  std::vector<std::string> argv{};                         // argv[0] is looked up in PATH
  std::string cwd{};                                       // empty: the test's
  std::string stdout_path{};                               // empty: /dev/null
  std::string stderr_path{};                               // empty: /dev/null
  std::vector<std::pair<std::string, std::string>> env{};  // set on top of the test's environment
  bool new_session = false;  // lead a new session (as a terminal's shell or a service does)
};

// Held by every test that starts processes procleak then groups: runs of such tests from
// several build directories on one machine would add to each other's groups. A machine-wide
// flock on a file under /tmp, released on destruction.
class LiveTestLock {
 public:
  LiveTestLock();
  ~LiveTestLock();
  LiveTestLock(const LiveTestLock&) = delete;
  LiveTestLock& operator=(const LiveTestLock&) = delete;

 private:
  int fd_ = -1;
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

  // Starts `spec` in a new process group (a new session with spec.new_session); nullopt (after
  // ADD_FAILURE) when it cannot.
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
