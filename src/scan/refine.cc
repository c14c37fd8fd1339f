// SPDX-License-Identifier: Apache-2.0
// Refine(), RefineRss() and RefineNamespaces(): re-reading one file of chosen processes of a scan,
// each checked to be still the process the scan read.

#include <unistd.h>

#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "base/fd_closer.h"
#include "procfs/process_reader.h"
#include "procleak/scan.h"
#include "scan/process_scan.h"
#include "scan/snapshot_assembly.h"

namespace procleak {
namespace {

// Runs read(process, ctx) for each of `wanted` on the scan's threads, with a context for
// ROOT/proc, and returns what each gave, by pid (nullopt results left out). A process that ended
// since the scan is not counted as skipped: it keeps what the scan read.
template <typename T, typename Read>
absl::StatusOr<absl::flat_hash_map<int, T>> ReadEach(const ScanOptions& options,
                                                     const std::vector<const Process*>& wanted,
                                                     Read read) {
  absl::flat_hash_map<int, T> by_pid;
  if (wanted.empty()) return by_pid;
  ProcessReadContext settings;
  settings.proc_path = JoinPath(options.root, "/proc");
  settings.page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  absl::StatusOr<int> proc_fd = OpenProcDir(settings.proc_path);
  if (!proc_fd.ok()) return proc_fd.status();
  settings.proc_fd = *proc_fd;
  settings.type_check = TypeCheckFor(settings.proc_fd);
  FdCloser closer(settings.proc_fd);
  std::vector<std::optional<T>> values(wanted.size());
  SkipCounter skips;
  absl::Status status =
      ForEachProcess(wanted.size(), settings, options.threads, &skips,
                     [&](size_t i, size_t, ProcessReadContext* ctx) -> absl::Status {
                       absl::StatusOr<std::optional<T>> value = read(*wanted[i], ctx);
                       if (!value.ok()) return value.status();
                       values[i] = *value;
                       return absl::OkStatus();
                     });
  if (!status.ok()) return status;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (values[i]) by_pid[wanted[i]->pid] = *values[i];
  }
  return by_pid;
}

// The processes of `snapshot` named in `pids` for which `want` is true.
template <typename Want>
std::vector<const Process*> Chosen(const Snapshot& snapshot, const std::vector<int>& pids,
                                   Want want) {
  std::vector<const Process*> chosen;
  for (int pid : pids) {
    const Process* p = snapshot.FindProcess(pid);
    if (p != nullptr && want(*p)) chosen.push_back(p);
  }
  return chosen;
}

}  // namespace

absl::StatusOr<Snapshot> Refine(const ScanOptions& options, Snapshot snapshot,
                                const Refinement& what) {
  // A kernel thread lives in the initial pid namespace, always.
  absl::StatusOr<absl::flat_hash_map<int, int>> ns_pids = ReadEach<int>(
      options, Chosen(snapshot, what.namespaces, [](const Process& p) { return !p.kernel_thread; }),
      ReadNsPid);
  if (!ns_pids.ok()) return ns_pids.status();
  absl::StatusOr<absl::flat_hash_map<int, uint64_t>> rss = ReadEach<uint64_t>(
      options, Chosen(snapshot, what.rss, [](const Process& p) { return p.rss_bytes.has_value(); }),
      ReadExactRss);
  if (!rss.ok()) return rss.status();
  return std::move(snapshot).WithNsPids(*ns_pids).WithRss(*rss);
}

absl::StatusOr<Snapshot> RefineRss(const ScanOptions& options, Snapshot snapshot,
                                   const std::vector<int>& pids) {
  return Refine(options, std::move(snapshot), {.rss = pids});
}

absl::StatusOr<Snapshot> RefineNamespaces(const ScanOptions& options, Snapshot snapshot,
                                          const std::vector<int>& pids) {
  return Refine(options, std::move(snapshot), {.namespaces = pids});
}

}  // namespace procleak
