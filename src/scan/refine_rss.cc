// SPDX-License-Identifier: Apache-2.0
// RefineRss(): exact RSS for the processes a brief scan's report shows.

#include <unistd.h>

#include <optional>

#include "absl/container/flat_hash_map.h"
#include "base/fd_closer.h"
#include "procfs/process_reader.h"
#include "procleak/scan.h"
#include "scan/process_scan.h"
#include "scan/snapshot_assembly.h"

namespace procleak {

absl::Status RefineRss(const ScanOptions& options, const std::vector<int>& pids,
                       Snapshot* snapshot) {
  std::vector<const Process*> wanted;
  for (int pid : pids) {
    const Process* p = snapshot->FindProcess(pid);
    if (p != nullptr && p->rss_bytes) wanted.push_back(p);
  }
  if (wanted.empty()) return absl::OkStatus();
  ProcessReadContext settings;
  settings.proc_path = JoinPath(options.root, "/proc");
  settings.page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  absl::StatusOr<int> proc_fd = OpenProcDir(settings.proc_path);
  if (!proc_fd.ok()) return proc_fd.status();
  settings.proc_fd = *proc_fd;
  FdCloser closer(settings.proc_fd);
  std::vector<std::optional<uint64_t>> exact(wanted.size());
  SkipCounter skips;  // a process that ended since the scan keeps the scan's figure, uncounted
  absl::Status read =
      ForEachProcess(wanted.size(), settings, options.threads, &skips,
                     [&](size_t i, size_t, ProcessReadContext* ctx) -> absl::Status {
                       absl::StatusOr<std::optional<uint64_t>> rss = ReadExactRss(*wanted[i], ctx);
                       if (!rss.ok()) return rss.status();
                       exact[i] = *rss;
                       return absl::OkStatus();
                     });
  if (!read.ok()) return read;
  absl::flat_hash_map<int, uint64_t> by_pid;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (exact[i]) by_pid[wanted[i]->pid] = *exact[i];
  }
  snapshot->SetRss(by_pid);
  return absl::OkStatus();
}

}  // namespace procleak
