// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads /proc/PID directories (under any root) into Process records.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "base/read_file.h"
#include "procleak/snapshot.h"

namespace procleak {

// Per-thread reusable state: one buffer for every file read, and the skip counts.
struct ProcessReadContext {
  int proc_fd = -1;
  TypeCheck type_check = TypeCheck::kRegular;  // TypeCheckFor(proc_fd): kNone on procfs
  std::string proc_path;  // for error messages, e.g. "/proc" or "/tmp/fixture/proc"
  uint64_t page_size = 4096;
  bool pss = false;  // also read smaps_rollup
  // Read as ReadProcessBrief does (a ReadPlan without `exact`), with the owner of /proc/PID
  // (`uid`) and the exe link (`exe`); ReadProcess reads both whatever these say.
  bool brief = false;
  bool uid = false;
  bool exe = false;
  // The owner of /proc/PID is the effective uid even when it is root (procfs of Linux 4.11 or
  // later, which shows a non-dumpable process's directory as its own, unlike its files); else a
  // root-owned process's uid comes from status.
  bool owner_is_uid = false;
  // Read status for ns_pid where the process's ns/pid link is not `pid_ns`, the link of this
  // /proc's own pid namespace (ProcPidNamespace); nothing more where that is empty.
  bool ns_pid = false;
  std::string pid_ns;
  std::string buffer;
  std::string cmdline_buffer, rollup_buffer, status_buffer;  // the brief reader's, side by side
  std::string pid_path;  // "/proc/123" of the process being read, for messages
  SkipCounter skips;

  // A context with these settings (descriptor, paths, flags) but fresh buffers and no skips:
  // one per reading thread.
  ProcessReadContext Fresh() const {
    ProcessReadContext ctx;
    ctx.proc_fd = proc_fd;
    ctx.type_check = type_check;
    ctx.proc_path = proc_path;
    ctx.page_size = page_size;
    ctx.pss = pss;
    ctx.brief = brief;
    ctx.uid = uid;
    ctx.exe = exe;
    ctx.owner_is_uid = owner_is_uid;
    ctx.ns_pid = ns_pid;
    ctx.pid_ns = pid_ns;
    return ctx;
  }
};

enum class ProcessRead { kRead, kVanished };

// The ns/pid link of the pid namespace the /proc at `proc_fd` belongs to ("pid:[4026531836]"):
// its pid 1's, or, where that may not be read, the scanner's own (PROC/self) when status shows it
// in that namespace (one NSpid value). Empty when neither is known (a fixture tree without ns
// links, a /proc of a namespace the scanner is above and may not trace the init of).
std::string ProcPidNamespace(int proc_fd);

// Whether a process must have its status read for ns_pid under ctx: ctx->ns_pid, ctx->pid_ns
// known, and its ns/pid link (`ns_link`, relative to `dir_fd`: "123/ns/pid" or "ns/pid") either
// names another namespace or may not be read (EACCES). False when the process is gone or the
// tree has no such link.
bool InOtherPidNamespace(int dir_fd, const char* ns_link, const ProcessReadContext& ctx);

struct Stat;
// Copies what a process's stat says into *p: with FillFromStat everything Process takes from it
// (the comm is moved out of *stat); with UpdateFromStat only what can change while it lives
// (state, parent, process group, session, terminal and thread count).
void FillFromStat(Stat* stat, Process* p);
void UpdateFromStat(const Stat& stat, Process* p);

// Reads stat, cmdline, the exe link, smaps_rollup (with ctx->pss) and, when /proc/PID is owned by
// root or InOtherPidNamespace() says so, status (for the uid and ns_pid; the directory's owner is
// the uid otherwise) of `pid` into *out: everything in Process except started_at, cgroup_lines
// (from cgroup.procs, or ReadProcessCgroup), cgroup and the derived tree fields, which the scanner
// fills. A process that is gone (ENOENT/ESRCH on any file) returns kVanished and is counted in
// ctx->skips.vanished; a denied file leaves its fields absent and is counted in
// ctx->skips.denied (a denied stat returns kVanished without counting it as vanished). Malformed
// content is an error naming the file: "/proc/123/stat: no ')' after comm".
absl::StatusOr<ProcessRead> ReadProcess(int pid, ProcessReadContext* ctx, Process* out);

// ReadProcess that, when it returns kRead and `dir_fd` is not null, hands over the open /proc/PID
// directory in *dir_fd (the caller closes it). Such a descriptor stays pinned to that process:
// once it is reaped every open through it fails, even if its pid is reused.
absl::StatusOr<ProcessRead> ReadProcessKeepingDir(int pid, ProcessReadContext* ctx, Process* out,
                                                  int* dir_fd);

// What procleak scan's text report needs, and no more: stat and cmdline (and smaps_rollup with
// ctx->pss), opened by "PID/NAME" relative to ctx->proc_fd with no directory descriptor; with
// ctx->uid the owner of /proc/PID (fstatat) and, where that is root and !ctx->owner_is_uid,
// status (uid and ns_pid); with ctx->exe the exe link; status for ns_pid where
// InOtherPidNamespace() says so. Leaves uid and exe empty otherwise. RSS
// comes from smaps_rollup with ctx->pss (the sum of the page walk, equal to statm's), otherwise
// from stat field 24, which since Linux 6.2 leaves out each CPU's unflushed share of the counters
// (RefineRss re-reads statm where an exact figure is shown). Every file is opened before any is
// read and stat is read last: when that read succeeds the process still existed after every open,
// so its pid named no other process in between and all files are its (the owner and the link are
// taken between the first open and that read as well). Outcomes and counting as ReadProcess.
absl::StatusOr<ProcessRead> ReadProcessBrief(int pid, ProcessReadContext* ctx, Process* out);

// The exact RSS (statm resident pages) of `p`, a process read before, or nullopt when it has
// ended, its pid names another process now (stat's starttime differs) or it has no memory map any
// more. statm is opened before stat is read, as in ReadProcessBrief.
absl::StatusOr<std::optional<uint64_t>> ReadExactRss(const Process& p, ProcessReadContext* ctx);

// The in-namespace pid (status's innermost `NSpid:`, see ProcStatus::ns_pid) of `p`, a process
// read before, or nullopt when it is not in a nested pid namespace, it has ended or its pid names
// another process now (stat's starttime differs). status is opened before stat is read, as in
// ReadExactRss.
absl::StatusOr<std::optional<int>> ReadNsPid(const Process& p, ProcessReadContext* ctx);

enum class Refresh { kRefreshed, kEnded };

// Files of one process kept open between scans; -1 when not kept. A /proc/PID file stays bound to
// its process: read again from offset 0 it renders afresh, and once the process is reaped every
// read fails with ESRCH, even if its pid names another process by then.
struct KeptFiles {
  int statm = -1;
  int smaps_rollup = -1;
};

// Opens statm (and smaps_rollup with ctx->pss) of the process whose /proc/PID is `dir_fd`; a file
// that cannot be opened stays -1.
KeptFiles KeepFiles(int dir_fd, const ProcessReadContext& ctx);

// Re-reads what changes of a process read before (*p): its RSS (statm), PSS (with ctx->pss) and,
// with `read_stat` or when its memory map is gone (it exited and is a zombie now), stat's state,
// ppid, process group, session, terminal and thread count. Command line, exe, uid, ns_pid and
// cgroup are kept. Through `kept` when
// kept.statm >= 0 (one pread each); otherwise, and for stat, /proc/PID is opened anew and
// stat's starttime tells whether it is still the same process. kEnded: it is gone or its pid
// now names another process.
absl::StatusOr<Refresh> RefreshProcess(const KeptFiles& kept, bool read_stat,
                                       ProcessReadContext* ctx, Process* p);

// Reads only /proc/PID/cgroup of `read` (a process ReadProcess filled, which cgroup.procs did not
// place) into *lines. A process that is not `read` any more (another starttime: its pid was
// reused) or that began exiting since it was read (a v1 kernel may already show it in "/") is
// kVanished and counted, so that no record mixes two processes or two moments of one.
absl::StatusOr<ProcessRead> ReadProcessCgroup(const Process& read, ProcessReadContext* ctx,
                                              std::vector<CgroupMembership>* lines);

}  // namespace procleak
