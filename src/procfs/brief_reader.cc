// SPDX-License-Identifier: Apache-2.0
// ReadProcessBrief: the few files of /proc/PID that procleak scan's text report needs.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "absl/status/status.h"
#include "base/fd_closer.h"
#include "fmt/format.h"
#include "procfs/cmdline_parser.h"
#include "procfs/pid_path.h"
#include "procfs/process_reader.h"
#include "procfs/smaps_rollup_parser.h"
#include "procfs/stat_parser.h"
#include "procfs/statm_parser.h"
#include "procfs/status_parser.h"

namespace procleak {
namespace {

absl::Status Malformed(const ProcessReadContext& ctx, std::string_view pid, const char* file,
                       const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  std::string_view root(ctx.proc_path);
  if (!root.empty() && root.back() == '/') root.remove_suffix(1);
  return absl::InvalidArgumentError(fmt::format("{}/{}/{}: {}", root, pid, file, message));
}

// An optional file of the process: opened, then read into *text once every file is open.
struct OptionalFile {
  const char* name;
  FileKind kind;
  int fd = -1;
  std::string* text;  // one of the context's buffers
  bool read = false;  // its content is in *text
};

absl::Status Open(PidPath& path, ProcessReadContext* ctx, OptionalFile* file) {
  absl::StatusOr<ReadOutcome> opened = OpenFileAt(
      ctx->proc_fd, ctx->proc_path, path.File(file->name), &file->fd, nullptr, ctx->type_check);
  if (!opened.ok()) return opened.status();
  ctx->skips.Readable(*opened);  // counts a denied file; a gone one is told apart by stat
  return absl::OkStatus();
}

absl::Status Read(PidPath& path, ProcessReadContext* ctx, OptionalFile* file) {
  if (file->fd < 0) return absl::OkStatus();
  absl::StatusOr<ReadOutcome> read = ReadFromStart(file->fd, ctx->proc_path, path.File(file->name),
                                                   file->kind, file->text, ReadUntil::kShortRead);
  if (!read.ok()) return read.status();
  file->read = ctx->skips.Readable(*read);
  return absl::OkStatus();
}

// The exe link's target into *exe; a denied one is counted, a dangling one (zombie, kernel
// thread) or a gone process leaves it empty.
void ReadExeLink(PidPath& path, ProcessReadContext* ctx, std::string* exe) {
  char target[4096];
  const ssize_t n = readlinkat(ctx->proc_fd, path.File("exe"), target, sizeof(target));
  if (n > 0) {
    exe->assign(target, static_cast<size_t>(n));
  } else if (n < 0 && (errno == EACCES || errno == EPERM)) {
    ++ctx->skips.denied;
  }
}

}  // namespace

absl::StatusOr<ProcessRead> ReadProcessBrief(int pid, ProcessReadContext* ctx, Process* out) {
  PidPath path(pid);
  if (!path.valid()) return BadPid(ctx->proc_path, pid);
  int stat_fd = -1;
  // The owner of /proc/PID is that of its stat file: procfs gives every file of /proc/PID the
  // owner of the directory, set when the open looked it up.
  struct stat stat_file;
  absl::StatusOr<ReadOutcome> opened =
      OpenFileAt(ctx->proc_fd, ctx->proc_path, path.File("stat"), &stat_fd,
                 ctx->uid ? &stat_file : nullptr, ctx->type_check);
  if (!opened.ok()) return opened.status();
  if (*opened != ReadOutcome::kRead) {
    ctx->skips.Missing(*opened);
    return ProcessRead::kVanished;
  }
  FdCloser stat_closer(stat_fd);
  OptionalFile cmdline{
      .name = "cmdline", .kind = FileKind::kPidCmdline, .text = &ctx->cmdline_buffer};
  OptionalFile rollup{
      .name = "smaps_rollup", .kind = FileKind::kPidSmapsRollup, .text = &ctx->rollup_buffer};
  // Only where the owner is root on a tree that may show root for another uid; its buffer is
  // free: the rollup's is needed beside it only with pss.
  OptionalFile proc_status{
      .name = "status", .kind = FileKind::kPidStatus, .text = &ctx->status_buffer};
  std::optional<uint32_t> owner;
  std::string exe;
  bool uid_from_status = false;
  absl::Status status = Open(path, ctx, &cmdline);
  if (status.ok() && ctx->pss) status = Open(path, ctx, &rollup);
  if (status.ok() && ctx->uid) {
    owner = stat_file.st_uid;
    uid_from_status = owner == 0u && !ctx->owner_is_uid;
  }
  if (status.ok() &&
      (uid_from_status || InOtherPidNamespace(ctx->proc_fd, path.File("ns/pid"), *ctx))) {
    status = Open(path, ctx, &proc_status);
  }
  FdCloser cmdline_closer(cmdline.fd);
  FdCloser rollup_closer(rollup.fd);
  FdCloser status_closer(proc_status.fd);
  if (status.ok() && ctx->exe) ReadExeLink(path, ctx, &exe);
  if (status.ok()) status = Read(path, ctx, &cmdline);
  if (status.ok()) status = Read(path, ctx, &rollup);
  if (status.ok()) status = Read(path, ctx, &proc_status);
  if (!status.ok()) return status;

  // Last: its success vouches for every file opened before it.
  absl::StatusOr<ReadOutcome> stat_read =
      ReadFromStart(stat_fd, ctx->proc_path, path.File("stat"), FileKind::kPidStat, &ctx->buffer,
                    ReadUntil::kShortRead);
  if (!stat_read.ok()) return stat_read.status();
  if (*stat_read != ReadOutcome::kRead) {
    ctx->skips.Missing(*stat_read);
    return ProcessRead::kVanished;
  }
  absl::StatusOr<Stat> stat = ParseStat(ctx->buffer);
  if (!stat.ok()) return Malformed(*ctx, path.pid(), "stat", stat.status());
  Process p;
  p.pid = pid;
  FillFromStat(&*stat, &p);
  if (cmdline.read) p.argv = ParseCmdline(*cmdline.text);
  p.exe = std::move(exe);
  // The owner, unless status was to tell: then its Uid, or none when status could not be read.
  if (!uid_from_status || proc_status.fd < 0) p.uid = owner;
  if (proc_status.read) {
    absl::StatusOr<StatusBrief> parsed = ParseStatusBrief(*proc_status.text);
    if (!parsed.ok()) return Malformed(*ctx, path.pid(), "status", parsed.status());
    if (parsed->uid && uid_from_status) {
      if (*parsed->uid > UINT32_MAX) {
        return Malformed(*ctx, path.pid(), "status",
                         absl::InvalidArgumentError("Uid out of range"));
      }
      p.uid = static_cast<uint32_t>(*parsed->uid);
    }
    p.ns_pid = parsed->ns_pid;
  }
  // Kernel threads and zombies have no mm: no RSS, and smaps_rollup reads empty or ESRCH.
  if (!p.kernel_thread && p.state != 'Z') {
    p.rss_bytes = stat->rss_pages * ctx->page_size;
    if (rollup.read) {
      absl::StatusOr<SmapsRollup> parsed = ParseSmapsRollup(*rollup.text);
      if (!parsed.ok()) return Malformed(*ctx, path.pid(), "smaps_rollup", parsed.status());
      p.pss_bytes = parsed->pss;
      if (parsed->rss) p.rss_bytes = parsed->rss;
    }
  }
  *out = std::move(p);
  return ProcessRead::kRead;
}

namespace {

// Reads `file` of `p`, a process read before, into *file->text when `p` is still the process its
// pid names: the file is opened first, then stat is read, and only when stat shows p's starttime
// is the opened file read. That stat, or nullopt when p has ended, its pid names another process,
// or the file cannot be opened or read.
absl::StatusOr<std::optional<Stat>> ReadOfSameProcess(const Process& p, PidPath& path,
                                                      ProcessReadContext* ctx, OptionalFile* file) {
  if (!path.valid()) return BadPid(ctx->proc_path, p.pid);
  absl::Status status = Open(path, ctx, file);
  FdCloser closer(file->fd);
  if (!status.ok()) return status;
  if (file->fd < 0) return std::nullopt;
  absl::StatusOr<ReadOutcome> stat_read =
      ReadFileAt(ctx->proc_fd, ctx->proc_path, path.File("stat"), FileKind::kPidStat, &ctx->buffer,
                 ReadUntil::kShortRead, ctx->type_check);
  if (!stat_read.ok()) return stat_read.status();
  if (*stat_read != ReadOutcome::kRead) return std::nullopt;
  absl::StatusOr<Stat> stat = ParseStat(ctx->buffer);
  if (!stat.ok()) return Malformed(*ctx, path.pid(), "stat", stat.status());
  if (stat->starttime != p.starttime_ticks) return std::nullopt;
  status = Read(path, ctx, file);
  if (!status.ok()) return status;
  if (!file->read) return std::nullopt;
  return *std::move(stat);
}

}  // namespace

absl::StatusOr<std::optional<uint64_t>> ReadExactRss(const Process& p, ProcessReadContext* ctx) {
  PidPath path(p.pid);
  // The cmdline buffer is free here.
  OptionalFile statm{.name = "statm", .kind = FileKind::kPidStatm, .text = &ctx->cmdline_buffer};
  absl::StatusOr<std::optional<Stat>> stat = ReadOfSameProcess(p, path, ctx, &statm);
  if (!stat.ok()) return stat.status();
  if (!*stat || (*stat)->state == 'Z') return std::nullopt;
  absl::StatusOr<Statm> parsed = ParseStatm(*statm.text);
  if (!parsed.ok()) return Malformed(*ctx, path.pid(), "statm", parsed.status());
  if (parsed->resident == 0) return std::nullopt;  // its memory map is gone: it is exiting
  return parsed->resident * ctx->page_size;
}

absl::StatusOr<std::optional<int>> ReadNsPid(const Process& p, ProcessReadContext* ctx) {
  PidPath path(p.pid);
  OptionalFile status{.name = "status", .kind = FileKind::kPidStatus, .text = &ctx->cmdline_buffer};
  absl::StatusOr<std::optional<Stat>> stat = ReadOfSameProcess(p, path, ctx, &status);
  if (!stat.ok()) return stat.status();
  if (!*stat) return std::nullopt;
  absl::StatusOr<StatusBrief> parsed = ParseStatusBrief(*status.text);
  if (!parsed.ok()) return Malformed(*ctx, path.pid(), "status", parsed.status());
  return parsed->ns_pid;
}

}  // namespace procleak
