// SPDX-License-Identifier: Apache-2.0
#include "live_processes.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <thread>

#include "testing/run_procleak.h"

extern char** environ;

namespace procleak::testing {
namespace {

using std::chrono::milliseconds;

// Groups of every live LiveProcesses, for the signal handler: a timeout's SIGTERM (meson) or a
// Ctrl-C must not leave the scenario's processes running. Lock-free so the handler may read it.
constexpr int kMaxGroups = 64;
std::atomic<pid_t> g_groups[kMaxGroups];

void RegisterGroup(pid_t group) {
  for (std::atomic<pid_t>& slot : g_groups) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, group)) return;
  }
}

void UnregisterGroup(pid_t group) {
  for (std::atomic<pid_t>& slot : g_groups) {
    pid_t expected = group;
    slot.compare_exchange_strong(expected, 0);
  }
}

extern "C" void KillGroupsAndDie(int sig) {
  for (std::atomic<pid_t>& slot : g_groups) {
    const pid_t group = slot.load();
    if (group > 0) kill(-group, SIGKILL);  // async-signal-safe
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void ArmSignalHandlers() {
  static const bool armed = [] {
    struct sigaction action = {};
    action.sa_handler = KillGroupsAndDie;
    sigemptyset(&action.sa_mask);
    for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &action, nullptr);
    return true;
  }();
  (void)armed;
}

// The test's environment with `overrides` set (replacing an inherited value of the same name).
std::vector<std::string> Environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string var = *entry;
    const std::string name = var.substr(0, var.find('='));
    bool replaced = false;
    for (const auto& [key, value] : overrides) replaced = replaced || key == name;
    if (!replaced) env.push_back(var);
  }
  for (const auto& [key, value] : overrides) env.push_back(key + "=" + value);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// Reaps child `pid` if it has exited, waiting up to `timeout`; false when it is still running.
bool Reap(pid_t pid, milliseconds timeout) {
  return PollUntil(
      [pid] {
        int status = 0;
        pid_t got = waitpid(pid, &status, WNOHANG);
        return got == pid || (got < 0 && errno == ECHILD);
      },
      timeout);
}

bool Alive(const LiveProcess& process) { return process.state != 'Z' && process.state != 'X'; }

}  // namespace

std::optional<LiveProcess> ReadLiveProcess(pid_t pid) {
  const std::string dir = "/proc/" + std::to_string(pid);
  const std::string stat = ReadAll(dir + "/stat");
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  // Fields after "(comm)": state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime stime cutime cstime priority nice num_threads itrealvalue starttime ...
  std::istringstream fields(stat.substr(close + 1));
  std::vector<std::string> f(std::istream_iterator<std::string>(fields), {});
  if (f.size() < 20) return std::nullopt;
  LiveProcess process;
  process.pid = pid;
  process.state = f[0][0];
  process.ppid = std::atoi(f[1].c_str());
  process.pgid = std::atoi(f[2].c_str());
  process.sid = std::atoi(f[3].c_str());
  process.tty_nr = std::atoi(f[4].c_str());
  process.starttime = std::strtoull(f[19].c_str(), nullptr, 10);
  const std::string cmdline = ReadAll(dir + "/cmdline");
  size_t start = 0;
  while (start < cmdline.size()) {
    size_t end = cmdline.find('\0', start);
    if (end == std::string::npos) end = cmdline.size();
    process.argv.push_back(cmdline.substr(start, end - start));
    start = end + 1;
  }
  // A rewritten title (npm's "npm exec X") is one argument followed by NUL padding.
  while (!process.argv.empty() && process.argv.back().empty()) process.argv.pop_back();
  return process;
}

std::vector<LiveProcess> ReadAllLiveProcesses() {
  std::vector<LiveProcess> all;
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return all;
  while (dirent* entry = readdir(proc)) {
    char* end = nullptr;
    const long pid = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    if (std::optional<LiveProcess> process = ReadLiveProcess(static_cast<pid_t>(pid))) {
      all.push_back(*std::move(process));
    }
  }
  closedir(proc);
  return all;
}

std::optional<pid_t> ReadNsPid(pid_t pid) {
  std::istringstream status(ReadAll("/proc/" + std::to_string(pid) + "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream values(line.substr(6));
    std::vector<pid_t> pids(std::istream_iterator<pid_t>(values), {});
    if (pids.size() < 2) return std::nullopt;
    return pids.back();
  }
  return std::nullopt;
}

std::vector<LiveProcess> Subtree(pid_t root, const std::vector<LiveProcess>& all) {
  std::map<pid_t, const LiveProcess*> by_pid;
  std::multimap<pid_t, const LiveProcess*> children;  // by parent; pids ascending per parent
  for (const LiveProcess& p : all) by_pid[p.pid] = &p;
  for (const auto& [pid, p] : by_pid) children.emplace(p->ppid, p);
  std::vector<LiveProcess> out;
  if (by_pid.count(root) == 0) return out;
  std::vector<const LiveProcess*> stack = {by_pid[root]};
  while (!stack.empty() && out.size() < all.size()) {  // bounded, should /proc show a cycle
    const LiveProcess* p = stack.back();
    stack.pop_back();
    out.push_back(*p);
    auto [first, last] = children.equal_range(p->pid);
    std::vector<const LiveProcess*> kids;
    for (auto it = first; it != last; ++it) kids.push_back(it->second);
    stack.insert(stack.end(), kids.rbegin(), kids.rend());
  }
  return out;
}

std::string Joined(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) out += (out.empty() ? "" : " ") + arg;
  return out;
}

std::string Basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }

bool InPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path != nullptr ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((dir + "/" + program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

std::vector<pid_t> PidsAfter(const std::string& text, const std::string& prefix) {
  std::vector<pid_t> pids;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) pids.push_back(std::atoi(line.c_str() + prefix.size()));
  }
  return pids;
}

bool PollUntil(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(50));
  }
}

LiveTestLock::LiveTestLock()
    : fd_(open("/tmp/procleak-npm-chains-test.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666)) {
  if (fd_ >= 0) flock(fd_, LOCK_EX);
}

LiveTestLock::~LiveTestLock() {
  if (fd_ >= 0) close(fd_);  // releases the lock
}

LiveProcesses::LiveProcesses() { ArmSignalHandlers(); }

LiveProcesses::~LiveProcesses() { KillAll(); }

std::optional<pid_t> LiveProcesses::Start(const SpawnSpec& spec) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  const int flags = O_WRONLY | O_CREAT | O_TRUNC;
  posix_spawn_file_actions_addopen(
      &actions, STDOUT_FILENO, spec.stdout_path.empty() ? "/dev/null" : spec.stdout_path.c_str(),
      flags, 0600);
  posix_spawn_file_actions_addopen(
      &actions, STDERR_FILENO, spec.stderr_path.empty() ? "/dev/null" : spec.stderr_path.c_str(),
      flags, 0600);
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, spec.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Own process group (or session, which leads one); no blocked signals and default
  // dispositions, whatever the runner set.
  posix_spawnattr_setflags(
      &attr, static_cast<short>((spec.new_session ? POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP) |
                                POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t none, defaults;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigemptyset(&defaults);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<std::string> argv = spec.argv;
  std::vector<std::string> env = Environment(spec.env);
  std::vector<char*> argv_ptrs = Pointers(argv);
  std::vector<char*> env_ptrs = Pointers(env);
  pid_t pid = 0;
  // PATH is searched in the test's environment (glibc), which the overrides do not change.
  const int rc =
      posix_spawnp(&pid, argv_ptrs[0], &actions, &attr, argv_ptrs.data(), env_ptrs.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << spec.argv[0] << ": " << std::strerror(rc);
    return std::nullopt;
  }
  groups_.insert(pid);
  RegisterGroup(pid);
  return pid;
}

std::optional<int> LiveProcesses::WaitExited(pid_t pid, milliseconds timeout) {
  siginfo_t info = {};
  const bool exited = PollUntil(
      [&] {
        info = {};
        return waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
               info.si_pid == pid;
      },
      timeout);
  if (!exited || info.si_code != CLD_EXITED) return std::nullopt;
  return info.si_status;
}

std::optional<int> LiveProcesses::Run(const SpawnSpec& spec, milliseconds timeout) {
  std::optional<pid_t> pid = Start(spec);
  if (!pid) return std::nullopt;
  std::optional<int> status = WaitExited(*pid, timeout);
  if (!status) {
    ADD_FAILURE() << spec.argv[0] << " did not exit normally within " << timeout.count() << " ms";
  }
  // The leader is a zombie (or still running): its group id is still ours to kill.
  kill(-*pid, SIGKILL);
  Reap(*pid, milliseconds(5000));
  UnregisterGroup(*pid);
  groups_.erase(*pid);
  return status;
}

void LiveProcesses::Track(const LiveProcess& process) { tracked_.push_back(process); }

std::vector<LiveProcess> LiveProcesses::KillAll() {
  const std::set<pid_t> groups = groups_;
  const std::vector<LiveProcess> tracked = tracked_;
  // While killing, be a subreaper: what the dying spawners and pool master leave behind is then
  // reparented to the test and reaped here, not left as zombies for PID 1 (which may not reap:
  // a container whose PID 1 is the test runner). Copies orphaned earlier stay PID 1's.
  int was_subreaper = 0;
  prctl(PR_GET_CHILD_SUBREAPER, &was_subreaper);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  for (pid_t group : groups) kill(-group, SIGKILL);
  auto same_process = [](const LiveProcess& want) {
    std::optional<LiveProcess> now = ReadLiveProcess(want.pid);
    return now && now->starttime == want.starttime && Alive(*now) ? now : std::nullopt;
  };
  for (const LiveProcess& want : tracked) {
    if (same_process(want)) kill(want.pid, SIGKILL);
  }
  // Any other child of the test is something the test started.
  std::set<pid_t> children = groups;
  for (const LiveProcess& p : ReadAllLiveProcesses()) {
    if (p.ppid != getpid()) continue;
    if (Alive(p)) kill(p.pid, SIGKILL);
    children.insert(p.pid);
  }
  for (pid_t child : children) {
    if (!Reap(child, milliseconds(5000))) ADD_FAILURE() << "child " << child << " not reaped";
  }
  // Then whatever was reparented to the test: SIGKILLed with its group, so it exits promptly.
  PollUntil(
      [] {
        while (true) {
          int status = 0;
          const pid_t got = waitpid(-1, &status, WNOHANG);
          if (got < 0) return errno == ECHILD;
          if (got == 0) return false;
        }
      },
      milliseconds(5000));
  prctl(PR_SET_CHILD_SUBREAPER, was_subreaper);
  // Reparented copies die as zombies of their new parent (PID 1), which reaps them in its time.
  std::vector<LiveProcess> remaining;
  PollUntil(
      [&] {
        remaining.clear();
        for (const LiveProcess& p : ReadAllLiveProcesses()) {
          if (groups.count(p.pgid) != 0 && Alive(p)) remaining.push_back(p);
        }
        for (const LiveProcess& want : tracked) {
          if (std::optional<LiveProcess> now = same_process(want)) remaining.push_back(*now);
        }
        return remaining.empty();
      },
      milliseconds(5000));
  for (pid_t group : groups) UnregisterGroup(group);
  groups_.clear();
  tracked_.clear();
  return remaining;
}

}  // namespace procleak::testing
