// SPDX-License-Identifier: Apache-2.0
// ReferenceScan: the processes of ReadReferenceProcess, one after another, made into a Snapshot by
// the scan layer's own assembly (what it checks is the reading, not the assembly).

#include "testing/reference_scan.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "scan/proc_visibility.h"
#include "scan/process_scan.h"
#include "scan/snapshot_assembly.h"
#include "testing/reference_reader.h"

namespace procleak::testing {
namespace {

// The pids of the /proc directory `proc_fd` (which it takes over), ascending: its entries that
// are directories (or of unknown type) named by a number from 1 to INT_MAX.
absl::StatusOr<std::vector<int>> ListDirectory(int proc_fd, const std::string& proc_path) {
  DIR* dir = fdopendir(proc_fd);
  if (dir == nullptr) {
    const int err = errno;
    close(proc_fd);
    return absl::ErrnoToStatus(err, proc_path);
  }
  std::vector<int> pids;
  errno = 0;
  while (const dirent* entry = readdir(dir)) {
    const std::string name = entry->d_name;
    const bool numeric =
        !name.empty() && name.size() <= 10 &&
        std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (numeric && (entry->d_type == DT_DIR || entry->d_type == DT_UNKNOWN)) {
      const long long pid = std::stoll(name);
      if (pid > 0 && pid <= INT_MAX) pids.push_back(static_cast<int>(pid));
    }
    errno = 0;
  }
  const int err = errno;
  closedir(dir);
  if (err != 0) return absl::ErrnoToStatus(err, proc_path);
  std::sort(pids.begin(), pids.end());
  return pids;
}

}  // namespace

absl::StatusOr<Snapshot> ReferenceScan(const ScanOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  const absl::Time scanned_at = absl::Now();
  ReferenceReader reader{.proc_path = JoinPath(options.root, "/proc"),
                         .page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE)),
                         .pss = options.pss};
  absl::StatusOr<int> proc_fd = OpenProcDir(reader.proc_path);
  if (!proc_fd.ok()) return proc_fd.status();
  const bool procfs = IsProcfs(*proc_fd);  // before ListDirectory, which closes it
  absl::StatusOr<std::vector<int>> pids = ListDirectory(*proc_fd, reader.proc_path);
  if (!pids.ok()) return pids.status();

  absl::StatusOr<HostAndLayout> read = ReadHostAndLayout(options.root, scanned_at);
  if (!read.ok()) return read.status();

  std::vector<Process> processes;
  for (int pid : *pids) {
    Process p;
    absl::StatusOr<ProcessRead> read = ReadReferenceProcess(pid, &reader, &p);
    if (!read.ok()) return read.status();
    if (*read == ProcessRead::kRead) processes.push_back(std::move(p));
  }
  absl::Status finished =
      FinishProcesses(read->host, read->layout, ProcessReadContext(), 1, &reader.skips, processes);
  if (!finished.ok()) return finished;
  absl::StatusOr<std::optional<ProcMountOptions>> proc_mount = ReadProcMount(options.root);
  if (!proc_mount.ok()) return proc_mount.status();
  read->host.proc_hidden = ProcHidden(*proc_mount, procfs, processes);
  return FinishSnapshot(options, read->layout, std::move(read->host), std::move(processes),
                        reader.page_size, reader.skips, started);
}

}  // namespace procleak::testing
