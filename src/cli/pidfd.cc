// SPDX-License-Identifier: Apache-2.0
#include "cli/pidfd.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "base/read_file.h"
#include "fmt/format.h"
#include "procfs/cmdline_parser.h"
#include "procfs/pid_listing.h"

namespace procleak {
namespace {

// glibc 2.36's <sys/pidfd.h> declares these without C linkage (fixed in 2.37), so C++ cannot
// link against it: call the system calls directly.
int PidfdOpen(int pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0u)); }
int PidfdSignal(int fd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0u));
}

std::optional<Stat> ReadStatFile(const std::string& path) {
  std::string text;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", path.c_str(), FileKind::kPidStat, &text, ReadUntil::kShortRead);
  if (!read.ok() || *read != ReadOutcome::kRead) return std::nullopt;
  absl::StatusOr<Stat> stat = ParseStat(text);
  if (!stat.ok()) return std::nullopt;
  return *stat;
}

bool ExitedState(char state) { return state == 'Z' || state == 'X'; }

}  // namespace

PidfdSystem::PidfdSystem(size_t pidfds) {
  proc_fd_ = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (const long hz = sysconf(_SC_CLK_TCK); hz > 0 && hz <= 1000000000) ticks_per_second_ = hz;
  rlimit limit{};
  const rlim_t wanted = static_cast<rlim_t>(pidfds) + 64;  // and what else procleak holds open
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < wanted) {
    limit.rlim_cur = std::min(wanted, limit.rlim_max);
    setrlimit(RLIMIT_NOFILE, &limit);  // on failure, pidfd_open reports EMFILE per process
  }
}

PidfdSystem::~PidfdSystem() {
  if (proc_fd_ >= 0) close(proc_fd_);
}

std::optional<Stat> PidfdSystem::ReadStat(int pid) {
  return ReadStatFile(fmt::format("/proc/{}/stat", pid));
}

ReadOutcome PidfdSystem::ReadArgv(int pid, std::vector<std::string>* argv) {
  std::string text;
  absl::StatusOr<ReadOutcome> read = ReadFileAt(
      AT_FDCWD, "", fmt::format("/proc/{}/cmdline", pid).c_str(), FileKind::kPidCmdline, &text);
  if (!read.ok()) return ReadOutcome::kGone;
  if (*read == ReadOutcome::kRead) *argv = ParseCmdline(text);
  return *read;
}

std::optional<std::string> PidfdSystem::ReadCgroup(int pid) {
  std::string text;
  absl::StatusOr<ReadOutcome> read = ReadFileAt(
      AT_FDCWD, "", fmt::format("/proc/{}/cgroup", pid).c_str(), FileKind::kPidCgroup, &text);
  if (!read.ok() || *read != ReadOutcome::kRead) return std::nullopt;
  return text;
}

std::vector<Stat> PidfdSystem::ListProcesses() {
  std::vector<Stat> out;
  if (proc_fd_ < 0) return out;
  absl::StatusOr<std::vector<int>> pids = ListPids(proc_fd_, "/proc");
  if (!pids.ok()) return out;
  out.reserve(pids->size());
  for (int pid : *pids) {
    if (std::optional<Stat> stat = ReadStat(pid)) out.push_back(std::move(*stat));
  }
  return out;
}

ReapSystem::Stopped PidfdSystem::ThreadsStopped(int pid, uint64_t starttime) {
  std::optional<Stat> stat = ReadStat(pid);
  if (!stat || stat->starttime != starttime || ExitedState(stat->state) ||
      (stat->flags & kPfExiting) != 0) {
    return Stopped::kGone;
  }
  const std::string task = fmt::format("/proc/{}/task", pid);
  int dir = -1;
  absl::StatusOr<ReadOutcome> opened = OpenDirAt(AT_FDCWD, "", task.c_str(), &dir);
  if (!opened.ok() || *opened != ReadOutcome::kRead) {
    return stat->state == 'T' || stat->state == 't' ? Stopped::kYes : Stopped::kNo;
  }
  absl::StatusOr<std::vector<int>> tids = ListPids(dir, task);
  close(dir);
  if (!tids.ok()) return Stopped::kNo;
  for (int tid : *tids) {
    std::optional<Stat> thread = ReadStatFile(fmt::format("{}/{}/stat", task, tid));
    if (!thread) continue;  // exited since the listing
    if (thread->state != 'T' && thread->state != 't' && !ExitedState(thread->state)) {
      return Stopped::kNo;
    }
  }
  return Stopped::kYes;
}

int PidfdSystem::Open(int pid) {
  const int fd = PidfdOpen(pid);
  return fd >= 0 ? fd : -errno;
}

int PidfdSystem::Signal(int handle, int sig) { return PidfdSignal(handle, sig) == 0 ? 0 : errno; }

std::vector<int> PidfdSystem::WaitExited(const std::vector<int>& handles, absl::Duration timeout) {
  std::vector<pollfd> fds;
  fds.reserve(handles.size());
  for (int h : handles) fds.push_back({h, POLLIN, 0});
  const int ms = static_cast<int>(absl::ToInt64Milliseconds(
      std::max(timeout, absl::ZeroDuration()) + absl::Milliseconds(1) - absl::Nanoseconds(1)));
  std::vector<int> out;
  if (poll(fds.data(), fds.size(), ms) <= 0) return out;  // a timeout, EINTR: none yet
  for (const pollfd& p : fds) {
    if ((p.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) != 0) out.push_back(p.fd);
  }
  return out;
}

void PidfdSystem::Close(int handle) { close(handle); }

absl::Time PidfdSystem::Now() { return absl::Now(); }

// As the kernel computes a starttime: boot-time nanoseconds (a time namespace's offset included
// in both) divided down to USER_HZ ticks.
uint64_t PidfdSystem::NowTicks() {
  timespec ts{};
  if (clock_gettime(CLOCK_BOOTTIME, &ts) != 0) return 0;
  const uint64_t ns = static_cast<uint64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
  return ns / (1000000000 / ticks_per_second_);
}

void PidfdSystem::Sleep(absl::Duration duration) { absl::SleepFor(duration); }

std::vector<int> SelfAncestors() {
  std::vector<int> out;
  std::set<int> seen;
  std::optional<Stat> self = ReadStatFile("/proc/self/stat");
  for (int pid = self ? self->ppid : getppid(); pid > 0 && seen.insert(pid).second;) {
    out.push_back(pid);
    std::optional<Stat> stat = ReadStatFile(fmt::format("/proc/{}/stat", pid));
    if (!stat) break;
    pid = stat->ppid;
  }
  return out;
}

}  // namespace procleak
