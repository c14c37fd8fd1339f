// SPDX-License-Identifier: Apache-2.0
// ReadProcess: /proc/PID directories into Process records.

#include "procfs/process_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "base/fd_closer.h"
#include "fmt/format.h"
#include "procfs/cgroup_file_parser.h"
#include "procfs/cmdline_parser.h"
#include "procfs/pid_path.h"
#include "procfs/smaps_rollup_parser.h"
#include "procfs/stat_parser.h"
#include "procfs/statm_parser.h"
#include "procfs/status_parser.h"

namespace procleak {
namespace {

// What became of one optional file of a process whose stat was read.
enum class FileState { kRead, kAbsent, kDenied, kVanished };

// One open /proc/PID directory being read into a Process.
struct PidDir {
  int fd;
  const std::string& path;  // "/proc/123", for messages (the context's reused pid_path)
  ProcessReadContext* ctx;
};

// Reads `name` into ctx->buffer. ENOENT/ESRCH mean either that the process exited (the directory
// fd is pinned to the task, so every later open fails) or that this kernel or fixture simply has
// no such file; re-opening stat tells the two apart. Counts what it skipped.
absl::StatusOr<FileState> ReadPidFile(const PidDir& dir, const char* name, FileKind kind) {
  // Stops at a short read: every file read here is rendered in one piece.
  absl::StatusOr<ReadOutcome> read = ReadFileAt(dir.fd, dir.path, name, kind, &dir.ctx->buffer,
                                                ReadUntil::kShortRead, dir.ctx->type_check);
  if (!read.ok()) return read.status();
  if (dir.ctx->skips.Readable(*read)) return FileState::kRead;
  if (*read == ReadOutcome::kDenied) return FileState::kDenied;
  absl::StatusOr<ReadOutcome> probe =
      ReadFileAt(dir.fd, dir.path, "stat", FileKind::kPidStat, &dir.ctx->buffer, ReadUntil::kEof,
                 dir.ctx->type_check);
  if (!probe.ok()) return probe.status();
  if (*probe != ReadOutcome::kGone) return FileState::kAbsent;
  ++dir.ctx->skips.vanished;
  return FileState::kVanished;
}

absl::Status FileError(const PidDir& dir, const char* name, const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  return absl::InvalidArgumentError(fmt::format("{}/{}: {}", dir.path, name, message));
}

// The exe link's target; a denied or dangling link (zombie, kernel thread) leaves it empty.
void ReadExe(const PidDir& dir, Process* p) {
  char target[4096];
  ssize_t n = readlinkat(dir.fd, "exe", target, sizeof(target));
  if (n > 0) {
    p->exe.assign(target, static_cast<size_t>(n));
  } else if (n < 0 && (errno == EACCES || errno == EPERM)) {
    ++dir.ctx->skips.denied;
  }
}

// Reads the link `name` (relative to `dir_fd`) into *target; false when it cannot be read.
bool ReadLink(int dir_fd, const char* name, std::string* target) {
  char buffer[128];  // "pid:[4026531836]"
  const ssize_t n = readlinkat(dir_fd, name, buffer, sizeof(buffer));
  if (n <= 0 || static_cast<size_t>(n) == sizeof(buffer)) return false;
  target->assign(buffer, static_cast<size_t>(n));
  return true;
}

absl::StatusOr<ProcessRead> Vanished(const PidDir& dir) {
  ++dir.ctx->skips.vanished;
  return ProcessRead::kVanished;
}

// Reads the cgroup file of an opened /proc/PID into *lines, then stat again: the cgroup file is
// read later than stat, and by then `read` may have begun exiting (a v1 kernel moves an exiting
// task to the root cgroup before it becomes a zombie) or, when the directory was opened anew, be
// another process with the same pid. Either is counted as vanished.
absl::StatusOr<ProcessRead> ReadCgroupLines(const PidDir& dir, const Process& read,
                                            std::vector<CgroupMembership>* lines) {
  absl::StatusOr<FileState> state = ReadPidFile(dir, "cgroup", FileKind::kPidCgroup);
  if (!state.ok()) return state.status();
  if (*state == FileState::kVanished) return ProcessRead::kVanished;
  std::vector<CgroupMembership> parsed_lines;
  if (*state == FileState::kRead) {
    absl::StatusOr<std::vector<CgroupMembership>> parsed = ParseProcCgroup(dir.ctx->buffer);
    if (!parsed.ok()) return FileError(dir, "cgroup", parsed.status());
    parsed_lines = *std::move(parsed);
  }
  absl::StatusOr<ReadOutcome> stat_read =
      ReadFileAt(dir.fd, dir.path, "stat", FileKind::kPidStat, &dir.ctx->buffer,
                 ReadUntil::kShortRead, dir.ctx->type_check);
  if (!stat_read.ok()) return stat_read.status();
  if (*stat_read == ReadOutcome::kGone) return Vanished(dir);
  if (*stat_read == ReadOutcome::kRead) {
    absl::StatusOr<Stat> now = ParseStat(dir.ctx->buffer);
    if (!now.ok()) return FileError(dir, "stat", now.status());
    const bool exiting = now->state == 'Z' || now->state == 'X' || (now->flags & kPfExiting) != 0;
    if (now->starttime != read.starttime_ticks || (exiting && read.state != 'Z')) {
      return Vanished(dir);
    }
  }
  *lines = std::move(parsed_lines);
  return ProcessRead::kRead;
}

// Reads /proc/PID/status into *p: its NSpid, and with `uid_and_rss` also its effective uid and
// VmRSS. An absent or denied status leaves them empty.
absl::StatusOr<FileState> ReadStatus(const PidDir& dir, bool uid_and_rss, Process* p) {
  absl::StatusOr<FileState> state = ReadPidFile(dir, "status", FileKind::kPidStatus);
  if (!state.ok() || *state != FileState::kRead) return state;
  absl::StatusOr<StatusBrief> brief = ParseStatusBrief(dir.ctx->buffer);
  if (!brief.ok()) return FileError(dir, "status", brief.status());
  p->ns_pid = brief->ns_pid;
  if (!uid_and_rss) return state;
  p->rss_bytes = brief->vm_rss_bytes;
  if (brief->uid) {
    if (*brief->uid > UINT32_MAX) {
      return FileError(dir, "status", absl::InvalidArgumentError("Uid out of range"));
    }
    p->uid = static_cast<uint32_t>(*brief->uid);
  }
  return state;
}

// Fills *p from the files of an opened /proc/PID; a kVanished result has been counted.
absl::StatusOr<ProcessRead> ReadOpened(const PidDir& dir, Process* p) {
  ProcessReadContext* ctx = dir.ctx;
  absl::StatusOr<ReadOutcome> stat_read =
      ReadFileAt(dir.fd, dir.path, "stat", FileKind::kPidStat, &ctx->buffer, ReadUntil::kShortRead,
                 ctx->type_check);
  if (!stat_read.ok()) return stat_read.status();
  if (*stat_read == ReadOutcome::kDenied) {
    ++ctx->skips.denied;  // nothing is known about it, not even its parent: leave it out
    return ProcessRead::kVanished;
  }
  if (*stat_read == ReadOutcome::kGone) {
    ++ctx->skips.vanished;
    return ProcessRead::kVanished;
  }
  absl::StatusOr<Stat> stat = ParseStat(ctx->buffer);
  if (!stat.ok()) return FileError(dir, "stat", stat.status());
  FillFromStat(&*stat, p);

  // Each optional file: a vanished process ends the read; absent or denied leaves fields empty.
  // The uid: /proc/PID belongs to the process's effective uid, except that the kernel shows root
  // for a process that is not dumpable (and a fixture tree's files all belong to root), so a
  // root-owned process's uid comes from status, which also has its RSS (VmRSS). RSS otherwise
  // from statm: since Linux 6.2 stat's field 24 is a per-CPU approximation, statm the sum.
  struct stat owner;
  const bool owner_known = fstat(dir.fd, &owner) == 0;
  const bool uid_from_status = !owner_known || owner.st_uid == 0;
  if (!uid_from_status) p->uid = owner.st_uid;
  absl::StatusOr<FileState> state;
  if (uid_from_status || InOtherPidNamespace(dir.fd, "ns/pid", *ctx)) {
    state = ReadStatus(dir, /*uid_and_rss=*/uid_from_status, p);
    if (!state.ok()) return state.status();
    if (*state == FileState::kVanished) return ProcessRead::kVanished;
  }
  const bool has_mm = !p->kernel_thread && p->state != 'Z';
  if (!p->rss_bytes && has_mm) {  // not from status's VmRSS
    state = ReadPidFile(dir, "statm", FileKind::kPidStatm);
    if (!state.ok()) return state.status();
    if (*state == FileState::kVanished) return ProcessRead::kVanished;
    if (*state == FileState::kRead) {
      absl::StatusOr<Statm> statm = ParseStatm(ctx->buffer);
      if (!statm.ok()) return FileError(dir, "statm", statm.status());
      p->rss_bytes = statm->resident * ctx->page_size;
    } else if (*state == FileState::kAbsent) {
      p->rss_bytes = stat->rss_pages * ctx->page_size;  // the same counter, approximated
    }
  }
  // Kernel threads and zombies have no mm; their statm reads all zeros.
  if (p->kernel_thread || p->state == 'Z') p->rss_bytes.reset();

  state = ReadPidFile(dir, "cmdline", FileKind::kPidCmdline);
  if (!state.ok()) return state.status();
  if (*state == FileState::kVanished) return ProcessRead::kVanished;
  if (*state == FileState::kRead) p->argv = ParseCmdline(ctx->buffer);

  if (ctx->pss && !p->kernel_thread && p->state != 'Z') {
    state = ReadPidFile(dir, "smaps_rollup", FileKind::kPidSmapsRollup);
    if (!state.ok()) return state.status();
    if (*state == FileState::kVanished) return ProcessRead::kVanished;
    if (*state == FileState::kRead) {
      absl::StatusOr<SmapsRollup> rollup = ParseSmapsRollup(ctx->buffer);
      if (!rollup.ok()) return FileError(dir, "smaps_rollup", rollup.status());
      p->pss_bytes = rollup->pss;
    }
  }
  if (!p->kernel_thread) ReadExe(dir, p);
  return ProcessRead::kRead;
}

// Path "PROC/PID" for messages, in the context's reused string.
void SetPidPath(ProcessReadContext* ctx, std::string_view pid) {
  ctx->pid_path.assign(ctx->proc_path);
  if (ctx->pid_path.empty() || ctx->pid_path.back() != '/') ctx->pid_path += '/';
  ctx->pid_path.append(pid);
}

// Opens /proc/PID for `read`; a process that is gone or denied is counted and never read. With
// `keep`, a read that returns kRead hands the open directory over in *keep.
template <typename Read>
absl::StatusOr<ProcessRead> WithPidDir(int pid, ProcessReadContext* ctx, Read read,
                                       int* keep = nullptr) {
  PidPath name(pid);
  if (!name.valid()) return BadPid(ctx->proc_path, pid);
  int fd = -1;
  absl::StatusOr<ReadOutcome> opened = OpenDirAt(ctx->proc_fd, ctx->proc_path, name.Dir(), &fd);
  if (!opened.ok()) return opened.status();
  if (*opened != ReadOutcome::kRead) {
    ctx->skips.Missing(*opened);
    return ProcessRead::kVanished;
  }
  FdCloser guard(fd);
  // Reuses the context's string: no allocation per process for a path only messages need.
  SetPidPath(ctx, name.pid());
  absl::StatusOr<ProcessRead> result = read(PidDir{.fd = fd, .path = ctx->pid_path, .ctx = ctx});
  if (keep != nullptr && result.ok() && *result == ProcessRead::kRead) *keep = guard.Release();
  return result;
}

// Updates *p from a fresh stat; kEnded when the pid now names another process.
absl::StatusOr<Refresh> RefreshStat(const PidDir& dir, Process* p) {
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(dir.fd, dir.path, "stat", FileKind::kPidStat, &dir.ctx->buffer,
                 ReadUntil::kShortRead, dir.ctx->type_check);
  if (!read.ok()) return read.status();
  if (*read == ReadOutcome::kGone) return Refresh::kEnded;
  if (*read == ReadOutcome::kDenied) {
    ++dir.ctx->skips.denied;
    return Refresh::kRefreshed;
  }
  absl::StatusOr<Stat> stat = ParseStat(dir.ctx->buffer);
  if (!stat.ok()) return FileError(dir, "stat", stat.status());
  if (stat->starttime != p->starttime_ticks) return Refresh::kEnded;
  UpdateFromStat(*stat, p);
  if (p->state == 'Z') {
    p->rss_bytes.reset();
    p->pss_bytes.reset();
  }
  return Refresh::kRefreshed;
}

absl::StatusOr<Refresh> ReadRollup(const PidDir& dir, int fd, Process* p) {
  absl::StatusOr<ReadOutcome> read =
      fd >= 0
          ? ReadFromStart(fd, dir.path, "smaps_rollup", FileKind::kPidSmapsRollup, &dir.ctx->buffer)
          : ReadFileAt(dir.fd, dir.path, "smaps_rollup", FileKind::kPidSmapsRollup,
                       &dir.ctx->buffer, ReadUntil::kEof, dir.ctx->type_check);
  if (!read.ok()) return read.status();
  if (*read == ReadOutcome::kGone) return Refresh::kEnded;
  if (*read == ReadOutcome::kDenied) {
    ++dir.ctx->skips.denied;
    return Refresh::kRefreshed;
  }
  absl::StatusOr<SmapsRollup> rollup = ParseSmapsRollup(dir.ctx->buffer);
  if (!rollup.ok()) return FileError(dir, "smaps_rollup", rollup.status());
  p->pss_bytes = rollup->pss;
  return Refresh::kRefreshed;
}

// Through an opened /proc/PID: stat (identity, state, parent), statm and smaps_rollup.
absl::StatusOr<Refresh> RefreshOpened(const PidDir& dir, Process* p) {
  absl::StatusOr<Refresh> stat = RefreshStat(dir, p);
  if (!stat.ok() || *stat == Refresh::kEnded) return stat;
  if (p->kernel_thread || p->state == 'Z') return Refresh::kRefreshed;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(dir.fd, dir.path, "statm", FileKind::kPidStatm, &dir.ctx->buffer,
                 ReadUntil::kShortRead, dir.ctx->type_check);
  if (!read.ok()) return read.status();
  if (*read == ReadOutcome::kGone) return Refresh::kEnded;
  if (*read == ReadOutcome::kRead) {
    absl::StatusOr<Statm> statm = ParseStatm(dir.ctx->buffer);
    if (!statm.ok()) return FileError(dir, "statm", statm.status());
    p->rss_bytes = statm->resident * dir.ctx->page_size;
  } else {
    ++dir.ctx->skips.denied;
  }
  return dir.ctx->pss ? ReadRollup(dir, -1, p) : Refresh::kRefreshed;
}

}  // namespace

std::string ProcPidNamespace(int proc_fd) {
  std::string link;
  if (ReadLink(proc_fd, "1/ns/pid", &link)) return link;
  // A scanner that may not trace pid 1 (another user's) and lives in this /proc's namespace.
  std::string text;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(proc_fd, "", "self/status", FileKind::kPidStatus, &text);
  if (!read.ok() || *read != ReadOutcome::kRead) return "";
  absl::StatusOr<StatusBrief> self = ParseStatusBrief(text);
  if (!self.ok() || self->ns_pid) return "";
  if (!ReadLink(proc_fd, "self/ns/pid", &link)) return "";
  return link;
}

bool InOtherPidNamespace(int dir_fd, const char* ns_link, const ProcessReadContext& ctx) {
  if (!ctx.ns_pid || ctx.pid_ns.empty()) return false;
  char target[128];
  const ssize_t n = readlinkat(dir_fd, ns_link, target, sizeof(target));
  if (n < 0) return errno == EACCES || errno == EPERM;
  return std::string_view(target, static_cast<size_t>(n)) != ctx.pid_ns;
}

void UpdateFromStat(const Stat& stat, Process* p) {
  p->state = stat.state;
  p->ppid = stat.ppid;
  p->pgid = stat.pgrp;
  p->sid = stat.session;
  p->tty_nr = stat.tty_nr;
  p->threads = stat.num_threads;
}

void FillFromStat(Stat* stat, Process* p) {
  UpdateFromStat(*stat, p);
  p->starttime_ticks = stat->starttime;
  p->comm = std::move(stat->comm);
  p->kernel_thread = (stat->flags & kPfKthread) != 0;
}

absl::StatusOr<ProcessRead> ReadProcessKeepingDir(int pid, ProcessReadContext* ctx, Process* out,
                                                  int* dir_fd) {
  return WithPidDir(
      pid, ctx,
      [&](const PidDir& dir) -> absl::StatusOr<ProcessRead> {
        // Filled aside so that *out is untouched unless the whole record was read.
        Process p;
        p.pid = pid;  // the directory's pid: a thread's stat would name its tid, the same number
        absl::StatusOr<ProcessRead> read = ReadOpened(dir, &p);
        if (read.ok() && *read == ProcessRead::kRead) *out = std::move(p);
        return read;
      },
      dir_fd);
}

KeptFiles KeepFiles(int dir_fd, const ProcessReadContext& ctx) {
  KeptFiles kept;
  // On any failure the descriptor stays -1, and RefreshProcess reads through the directory.
  (void)OpenFileAt(dir_fd, "", "statm", &kept.statm, nullptr, ctx.type_check);
  if (ctx.pss && kept.statm >= 0) {
    (void)OpenFileAt(dir_fd, "", "smaps_rollup", &kept.smaps_rollup, nullptr, ctx.type_check);
  }
  return kept;
}

absl::StatusOr<Refresh> RefreshProcess(const KeptFiles& kept, bool read_stat,
                                       ProcessReadContext* ctx, Process* p) {
  PidPath name(p->pid);
  if (!name.valid()) return BadPid(ctx->proc_path, p->pid);
  if (kept.statm >= 0 && !read_stat) {
    SetPidPath(ctx, name.pid());
    const PidDir dir{.fd = -1, .path = ctx->pid_path, .ctx = ctx};
    absl::StatusOr<ReadOutcome> read = ReadFromStart(
        kept.statm, dir.path, "statm", FileKind::kPidStatm, &ctx->buffer, ReadUntil::kShortRead);
    if (!read.ok()) return read.status();
    if (*read == ReadOutcome::kGone) return Refresh::kEnded;
    if (*read == ReadOutcome::kRead && !p->kernel_thread && p->state != 'Z') {
      absl::StatusOr<Statm> statm = ParseStatm(ctx->buffer);
      if (!statm.ok()) return FileError(dir, "statm", statm.status());
      // No resident page: its memory map is gone, it is exiting or a zombie now.
      if (statm->resident == 0) return RefreshProcess(kept, true, ctx, p);
      p->rss_bytes = statm->resident * ctx->page_size;
      if (ctx->pss && kept.smaps_rollup >= 0) return ReadRollup(dir, kept.smaps_rollup, p);
    }
    return Refresh::kRefreshed;
  }
  std::optional<Refresh> result;
  absl::StatusOr<ProcessRead> opened =
      WithPidDir(p->pid, ctx, [&](const PidDir& dir) -> absl::StatusOr<ProcessRead> {
        absl::StatusOr<Refresh> refreshed = RefreshOpened(dir, p);
        if (!refreshed.ok()) return refreshed.status();
        result = *refreshed;
        return ProcessRead::kRead;
      });
  if (!opened.ok()) return opened.status();
  return result.value_or(Refresh::kEnded);
}

absl::StatusOr<ProcessRead> ReadProcess(int pid, ProcessReadContext* ctx, Process* out) {
  return ReadProcessKeepingDir(pid, ctx, out, nullptr);
}

absl::StatusOr<ProcessRead> ReadProcessCgroup(const Process& read, ProcessReadContext* ctx,
                                              std::vector<CgroupMembership>* lines) {
  return WithPidDir(read.pid, ctx,
                    [&](const PidDir& dir) { return ReadCgroupLines(dir, read, lines); });
}

}  // namespace procleak
