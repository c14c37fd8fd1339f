// SPDX-License-Identifier: Apache-2.0
// Scan(): reads processes, their cgroups and host facts under a root into a Snapshot.

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <map>
#include <utility>

#include "absl/status/status.h"
#include "base/fd_closer.h"
#include "base/read_file.h"
#include "cgroupfs/cgroup_layout.h"
#include "cgroupfs/cgroup_reader.h"
#include "container/container_reader.h"
#include "procfs/host_reader.h"
#include "procfs/process_reader.h"
#include "procleak/scan.h"
#include "scan/proc_visibility.h"
#include "scan/process_scan.h"
#include "scan/snapshot_assembly.h"

namespace procleak {

absl::StatusOr<int> OpenProcDir(const std::string& proc_path) {
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

absl::StatusOr<HostAndLayout> ReadHostAndLayout(std::string_view root, absl::Time scanned_at) {
  absl::StatusOr<Host> host = ReadHost(root);
  if (!host.ok()) return host.status();
  absl::StatusOr<CgroupLayout> layout = ReadCgroupLayout(root);
  if (!layout.ok()) return layout.status();
  host->cgroup_mode = layout->mode;
  host->scanned_at = scanned_at;
  return HostAndLayout{.host = *std::move(host), .layout = *std::move(layout)};
}

namespace {

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

// Copies the container cgroup's memory, pids and pressure facts onto each container. A container
// whose own cgroup holds no process directly (all of them sit in sub-cgroups) has it read here.
// A member's /proc/PID/cgroup lines with every path inside the container's cgroup cut back to
// it, so that ReadCgroup reads the container's own pids files rather than the member's leaf
// cgroup (LXC payloads, nspawn scopes and podman hold their processes in sub-cgroups).
std::vector<CgroupMembership> ContainerMembership(std::vector<CgroupMembership> lines,
                                                  const std::string& container_cgroup) {
  for (CgroupMembership& line : lines) {
    const std::string& path = line.path;
    if (path.size() > container_cgroup.size() &&
        path.compare(0, container_cgroup.size(), container_cgroup) == 0 &&
        path[container_cgroup.size()] == '/') {
      line.path = container_cgroup;
    }
  }
  return lines;
}

absl::Status FillContainerCgroups(const ScanOptions& options, const CgroupLayout& layout,
                                  const std::vector<Process>& processes,
                                  const std::vector<Cgroup>& cgroups, uint64_t page_size,
                                  std::vector<Container>* containers, SkipCounter* skips) {
  std::map<std::string, const Cgroup*> by_path;
  for (const Cgroup& c : cgroups) by_path[c.path] = &c;
  for (Container& container : *containers) {
    if (container.cgroup.empty() || container.pids.empty()) continue;
    std::optional<Cgroup> read;
    const Cgroup* cgroup = nullptr;
    if (auto it = by_path.find(container.cgroup); it != by_path.end()) {
      cgroup = it->second;
    } else {
      // Rare (LXC, nspawn, podman): a search here beats indexing every process for every scan.
      auto member = std::find_if(processes.begin(), processes.end(),
                                 [&](const Process& p) { return p.pid == container.pids.front(); });
      if (member == processes.end()) continue;
      absl::StatusOr<Cgroup> got =
          ReadCgroup(options.root, layout, container.cgroup,
                     ContainerMembership(member->cgroup_lines, container.cgroup), page_size, skips);
      if (!got.ok()) return got.status();
      read = *std::move(got);
      cgroup = &*read;
    }
    container.memory_bytes = cgroup->memory_bytes;
    if (cgroup->memory_limit) container.memory_limit = cgroup->memory_limit;
    container.oom_kills = cgroup->oom_kills;
    container.pids_current = cgroup->pids_current;
    container.pids_max = cgroup->pids_max;
    container.memory_pressure = cgroup->memory_pressure;
  }
  return absl::OkStatus();
}

// Whether the owner of a /proc/PID directory under `proc_fd` is its process's effective uid
// whatever that is: procfs of Linux 4.11 or later (commit 68eb94f16227) shows even a
// non-dumpable process's directory as its own, where its files belong to root. A fixture tree
// belongs to whoever wrote it.
bool OwnerIsUid(int proc_fd, const std::string& kernel_release) {
  if (!IsProcfs(proc_fd)) return false;
  int major = 0, minor = 0;
  if (std::sscanf(kernel_release.c_str(), "%d.%d", &major, &minor) != 2) return false;
  return major > 4 || (major == 4 && minor >= 11);
}

}  // namespace

absl::StatusOr<Snapshot> FinishSnapshot(const ScanOptions& options, const CgroupLayout& layout,
                                        Host host, std::vector<Process> processes,
                                        uint64_t page_size, SkipCounter skips,
                                        std::chrono::steady_clock::time_point started) {
  absl::StatusOr<std::vector<Cgroup>> cgroups =
      ReadCgroups(options, layout, processes, page_size, &skips);
  if (!cgroups.ok()) return cgroups.status();
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers({options.root, options.docker_root}, processes, &skips);
  if (!containers.ok()) return containers.status();
  absl::Status filled =
      FillContainerCgroups(options, layout, processes, *cgroups, page_size, &*containers, &skips);
  if (!filled.ok()) return filled;

  ScanStats stats;
  stats.pss = options.pss;
  stats.skipped_vanished = skips.vanished;
  stats.skipped_denied = skips.denied;
  stats.duration = absl::FromChrono(std::chrono::steady_clock::now() - started);
  return Snapshot::Build(std::move(host), std::move(processes), *std::move(cgroups), stats,
                         *std::move(containers));
}

absl::StatusOr<Snapshot> Scan(const ScanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const absl::Time scanned_at = absl::Now();
  ProcessReadContext ctx;
  ctx.proc_path = JoinPath(options.root, "/proc");
  ctx.page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  ctx.pss = options.pss;
  ctx.brief = !options.read.exact;
  ctx.uid = options.read.uid;
  ctx.exe = options.read.exe;
  absl::StatusOr<int> proc_fd = OpenProcDir(ctx.proc_path);
  if (!proc_fd.ok()) return proc_fd.status();
  ctx.proc_fd = *proc_fd;
  ctx.type_check = TypeCheckFor(ctx.proc_fd);
  FdCloser closer(ctx.proc_fd);
  ctx.ns_pid = options.read.ns_pid;
  if (ctx.ns_pid) ctx.pid_ns = ProcPidNamespace(ctx.proc_fd);

  absl::StatusOr<HostAndLayout> read = ReadHostAndLayout(options.root, scanned_at);
  if (!read.ok()) return read.status();
  ctx.owner_is_uid = OwnerIsUid(ctx.proc_fd, read->host.kernel);

  absl::StatusOr<std::vector<Process>> processes =
      ReadProcesses(options.root, read->host, read->layout, ctx, options.threads, &ctx.skips);
  if (!processes.ok()) return processes.status();
  absl::StatusOr<std::optional<ProcMountOptions>> proc_mount = ReadProcMount(options.root);
  if (!proc_mount.ok()) return proc_mount.status();
  read->host.proc_hidden = ProcHidden(*proc_mount, IsProcfs(ctx.proc_fd), *processes);
  return FinishSnapshot(options, read->layout, std::move(read->host), *std::move(processes),
                        ctx.page_size, ctx.skips, started);
}

}  // namespace procleak
