// SPDX-License-Identifier: Apache-2.0
// Scan(): reads processes, their cgroups and host facts under a root into a Snapshot.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "base/read_file.h"
#include "cgroupfs/cgroup_layout.h"
#include "cgroupfs/cgroup_reader.h"
#include "model/accounting.h"
#include "procfs/host_reader.h"
#include "procfs/process_reader.h"
#include "procleak/scan.h"

namespace procleak {
namespace {

class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

absl::StatusOr<int> OpenProc(const std::string& proc_path) {
  int fd = -1;
  absl::StatusOr<ReadOutcome> opened = OpenDirAt(AT_FDCWD, "", proc_path.c_str(), &fd);
  if (!opened.ok()) return opened.status();
  switch (*opened) {
    case ReadOutcome::kRead:
      return fd;
    case ReadOutcome::kGone:
      return absl::ErrnoToStatus(ENOENT, proc_path);
    case ReadOutcome::kDenied:
      break;
  }
  return absl::ErrnoToStatus(EACCES, proc_path);
}

// Reads every listed process; vanished ones are skipped and counted in ctx->skips.
absl::StatusOr<std::vector<Process>> ReadProcesses(const Host& host, const CgroupLayout& layout,
                                                   ProcessReadContext* ctx) {
  absl::StatusOr<std::vector<int>> pids = ListPids(ctx->proc_fd, ctx->proc_path);
  if (!pids.ok()) return pids.status();
  const int64_t ticks_per_second = sysconf(_SC_CLK_TCK);
  std::vector<Process> processes;
  processes.reserve(pids->size());
  for (int pid : *pids) {
    Process p;
    absl::StatusOr<ProcessRead> read = ReadProcess(pid, ctx, &p);
    if (!read.ok()) return read.status();
    if (*read == ProcessRead::kVanished) continue;
    p.started_at = host.boot_time +
                   absl::Microseconds(static_cast<int64_t>(p.starttime_ticks) * 1'000'000 /
                                      ticks_per_second);
    p.cgroup = AccountingCgroupPath(p.cgroup_lines, layout);
    processes.push_back(std::move(p));
  }
  InheritZombieCgroups(layout, processes);
  return processes;
}

absl::StatusOr<std::vector<Cgroup>> ReadCgroups(const ScanOptions& options,
                                                const CgroupLayout& layout,
                                                const std::vector<Process>& processes,
                                                uint64_t page_size, SkipCounter* skips) {
  // Path -> member pids, in pid order; the first live member's lines locate the other
  // hierarchies (a v1 zombie's lines all read "/").
  std::map<std::string, std::pair<std::vector<int>, const Process*>> members;
  for (const Process& p : processes) {
    if (p.cgroup.empty()) continue;
    auto& [pids, sample] = members[p.cgroup];
    pids.push_back(p.pid);
    if (sample == nullptr || (sample->state == 'Z' && p.state != 'Z')) sample = &p;
  }
  std::vector<Cgroup> cgroups;
  cgroups.reserve(members.size());
  for (auto& [path, entry] : members) {
    absl::StatusOr<Cgroup> cgroup =
        ReadCgroup(options.root, layout, path, entry.second->cgroup_lines, page_size, skips);
    if (!cgroup.ok()) return cgroup.status();
    std::sort(entry.first.begin(), entry.first.end());
    cgroup->pids = std::move(entry.first);
    cgroups.push_back(*std::move(cgroup));
  }
  return cgroups;
}

}  // namespace

absl::StatusOr<Snapshot> Scan(const ScanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const absl::Time scanned_at = absl::Now();
  ProcessReadContext ctx;
  ctx.proc_path = JoinPath(options.root, "/proc");
  ctx.page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  absl::StatusOr<int> proc_fd = OpenProc(ctx.proc_path);
  if (!proc_fd.ok()) return proc_fd.status();
  ctx.proc_fd = *proc_fd;
  FdCloser closer(ctx.proc_fd);

  absl::StatusOr<Host> host = ReadHost(options.root);
  if (!host.ok()) return host.status();
  absl::StatusOr<CgroupLayout> layout = ReadCgroupLayout(options.root);
  if (!layout.ok()) return layout.status();
  host->cgroup_mode = layout->mode;
  host->scanned_at = scanned_at;

  absl::StatusOr<std::vector<Process>> processes = ReadProcesses(*host, *layout, &ctx);
  if (!processes.ok()) return processes.status();
  absl::StatusOr<std::vector<Cgroup>> cgroups =
      ReadCgroups(options, *layout, *processes, ctx.page_size, &ctx.skips);
  if (!cgroups.ok()) return cgroups.status();

  ScanStats stats;
  stats.skipped_vanished = ctx.skips.vanished;
  stats.skipped_denied = ctx.skips.denied;
  stats.duration = absl::FromChrono(std::chrono::steady_clock::now() - started);
  return Snapshot::Build(*std::move(host), *std::move(processes), *std::move(cgroups), stats);
}

}  // namespace procleak
