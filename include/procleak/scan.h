// SPDX-License-Identifier: Apache-2.0
#pragma once
// Taking a snapshot of a host (or of a fixture tree laid out like one).

#include <string>

#include "absl/status/statusor.h"
#include "procleak/snapshot.h"

namespace procleak {

struct ScanOptions {
  // Directory holding proc/ and sys/fs/cgroup/: "/" for this machine, a fixture tree in tests.
  std::string root = "/";
  // Docker's data root, read under `root` for container names, restart counts and limits.
  std::string docker_root = "/var/lib/docker";
  // Also read /proc/PID/smaps_rollup for PSS (costly: the kernel walks every mapping).
  bool pss = false;
  // Threads reading /proc/PID: 0 for one per online CPU (at most 4; one below 256 processes),
  // 1 to read on the caller's thread only.
  int threads = 0;
  // The plain reader (every file read to EOF, statm and status for every process, one
  // /proc/PID/cgroup per process instead of cgroup.procs): slower, for checking the fast one.
  bool reference = false;
};

// Reads every process under ROOT/proc, the cgroups that hold them and the host facts.
// A process that vanishes mid-read is skipped and counted; a missing cgroup file leaves its field
// absent. Fails only when ROOT/proc itself cannot be read or a file is malformed; the error
// message names the file.
absl::StatusOr<Snapshot> Scan(const ScanOptions& options);

}  // namespace procleak
