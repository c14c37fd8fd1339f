// SPDX-License-Identifier: Apache-2.0
#include "cli/pidfd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "base/read_file.h"
#include "fmt/format.h"
#include "procfs/cmdline_parser.h"
#include "procfs/stat_parser.h"
#include "signature/signature.h"

namespace procleak {
namespace {

// After SIGKILL a process exits as soon as it leaves the kernel; one that does not within this
// long is stuck (uninterruptible sleep) and reported as failed.
constexpr absl::Duration kKillWait = absl::Seconds(2);

// glibc 2.36's <sys/pidfd.h> declares these without C linkage (fixed in 2.37), so C++ cannot
// link against it: call the system calls directly.
int PidfdOpen(int pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0u)); }
int PidfdSignal(int fd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0u));
}

std::optional<Stat> ReadStat(int pid) {
  std::string text;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", fmt::format("/proc/{}/stat", pid).c_str(), &text);
  if (!read.ok() || *read != ReadOutcome::kRead) return std::nullopt;
  absl::StatusOr<Stat> stat = ParseStat(text);
  if (!stat.ok()) return std::nullopt;
  return *stat;
}

// A zombie, or a process already on its way out (PF_EXITING: signals no longer matter to it).
bool Exited(const Stat& stat) {
  return stat.state == 'Z' || stat.state == 'X' || (stat.flags & kPfExiting) != 0;
}

// nullopt when `p` is still the planned process, else what it is now (gone or skipped).
std::optional<ReapResult> Verify(const ReapProcess& p) {
  std::optional<Stat> stat = ReadStat(p.pid);
  if (!stat) return ReapResult{ReapOutcome::kGone, "exited"};
  if (stat->starttime != p.starttime_ticks) {
    return ReapResult{ReapOutcome::kGone, "exited; its pid now belongs to a later process"};
  }
  if (Exited(*stat)) return ReapResult{ReapOutcome::kGone, "exited"};
  if ((stat->flags & kPfKthread) != 0) {
    return ReapResult{ReapOutcome::kSkipped, "identity changed: a kernel thread"};
  }
  std::string text;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", fmt::format("/proc/{}/cmdline", p.pid).c_str(), &text);
  if (!read.ok() || *read == ReadOutcome::kGone) return ReapResult{ReapOutcome::kGone, "exited"};
  if (*read == ReadOutcome::kDenied) {
    return ReapResult{ReapOutcome::kSkipped, "identity unverifiable: cmdline not readable"};
  }
  std::vector<std::string> argv = ParseCmdline(text);
  std::string signature = ClassifyCommand(argv, stat->comm).signature;
  if (signature == p.command_signature) return std::nullopt;
  // An exiting process loses its command line (with its memory) before it becomes a zombie; it
  // is flagged exiting before that.
  std::optional<Stat> again = ReadStat(p.pid);
  if (!again || again->starttime != p.starttime_ticks || Exited(*again)) {
    return ReapResult{ReapOutcome::kGone, "exited"};
  }
  return ReapResult{ReapOutcome::kSkipped,
                    fmt::format("identity changed: its command is now '{}', not '{}'", signature,
                                p.command_signature)};
}

std::string Errno(const char* call, int err) {
  return fmt::format("{}: {}", call, std::strerror(err));
}

struct Pinned {
  size_t index = 0;  // into the order
  int fd = -1;
};

// Polls the pidfds until each has exited (readable) or `wait` passes; returns those still
// running. Exited ones get `outcome` and their pidfds are closed.
std::vector<Pinned> AwaitExits(std::vector<Pinned> pinned, absl::Duration wait, ReapOutcome outcome,
                               std::vector<ReapResult>* results) {
  const absl::Time deadline = absl::Now() + wait;
  while (!pinned.empty()) {
    std::vector<pollfd> fds;
    for (const Pinned& p : pinned) fds.push_back({p.fd, POLLIN, 0});
    const absl::Duration left = std::max(deadline - absl::Now(), absl::ZeroDuration());
    const int ms = static_cast<int>(
        absl::ToInt64Milliseconds(left + absl::Milliseconds(1) - absl::Nanoseconds(1)));
    const int ready = poll(fds.data(), fds.size(), ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;  // timeout (or an error, which leaves the rest to SIGKILL)
    std::vector<Pinned> running;
    for (size_t i = 0; i < pinned.size(); ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        (*results)[pinned[i].index] = {outcome, ""};
        close(pinned[i].fd);
      } else {
        running.push_back(pinned[i]);
      }
    }
    pinned = std::move(running);
    if (absl::Now() >= deadline) break;
  }
  return pinned;
}

}  // namespace

const char* ReapOutcomeName(ReapOutcome outcome) {
  switch (outcome) {
    case ReapOutcome::kWouldSignal:
      return "would_signal";
    case ReapOutcome::kTerminated:
      return "terminated";
    case ReapOutcome::kKilled:
      return "killed";
    case ReapOutcome::kGone:
      return "gone";
    case ReapOutcome::kSkipped:
      return "skipped";
    case ReapOutcome::kFailed:
      break;
  }
  return "failed";
}

std::vector<ReapResult> SignalInOrder(const std::vector<ReapProcess>& order, absl::Duration grace) {
  std::vector<ReapResult> results(order.size());
  std::vector<Pinned> pinned;
  for (size_t i = 0; i < order.size(); ++i) {
    const ReapProcess& p = order[i];
    if (!p.protected_reason.empty()) {
      results[i] = {ReapOutcome::kSkipped, "protected: " + p.protected_reason};
      continue;
    }
    if (std::optional<ReapResult> changed = Verify(p)) {
      results[i] = *changed;
      continue;
    }
    const int fd = PidfdOpen(p.pid);
    if (fd < 0) {
      results[i] = errno == ESRCH ? ReapResult{ReapOutcome::kGone, "exited"}
                                  : ReapResult{ReapOutcome::kFailed, Errno("pidfd_open", errno)};
      continue;
    }
    // The pidfd refers to whatever process held the pid when it was opened: if that one still
    // has the planned starttime (and command), the pidfd pins the planned process and a pid
    // reused from now on cannot be signalled by mistake.
    if (std::optional<ReapResult> changed = Verify(p)) {
      results[i] = *changed;
      close(fd);
      continue;
    }
    if (PidfdSignal(fd, SIGTERM) != 0) {
      results[i] = errno == ESRCH ? ReapResult{ReapOutcome::kGone, "exited"}
                                  : ReapResult{ReapOutcome::kFailed,
                                               Errno("pidfd_send_signal SIGTERM", errno)};
      close(fd);
      continue;
    }
    pinned.push_back({i, fd});
  }
  std::vector<Pinned> left =
      AwaitExits(std::move(pinned), grace, ReapOutcome::kTerminated, &results);
  std::vector<Pinned> killed;
  for (const Pinned& p : left) {
    if (PidfdSignal(p.fd, SIGKILL) == 0) {
      killed.push_back(p);
      continue;
    }
    results[p.index] = errno == ESRCH ? ReapResult{ReapOutcome::kTerminated, ""}
                                      : ReapResult{ReapOutcome::kFailed,
                                                   Errno("pidfd_send_signal SIGKILL", errno)};
    close(p.fd);
  }
  for (const Pinned& p : AwaitExits(std::move(killed), kKillWait, ReapOutcome::kKilled, &results)) {
    results[p.index] = {ReapOutcome::kFailed, "still running after SIGKILL"};
    close(p.fd);
  }
  return results;
}

std::vector<int> SelfAncestors() {
  std::vector<int> out;
  std::set<int> seen;
  std::optional<Stat> self = ReadStat(getpid());
  for (int pid = self ? self->ppid : getppid(); pid > 0 && seen.insert(pid).second;) {
    out.push_back(pid);
    std::optional<Stat> stat = ReadStat(pid);
    if (!stat) break;
    pid = stat->ppid;
  }
  return out;
}

}  // namespace procleak
