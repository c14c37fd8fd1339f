// SPDX-License-Identifier: Apache-2.0
#pragma once
// Taking a snapshot of a host (or of a fixture tree laid out like one).

#include <memory>
#include <string>
#include <vector>

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
  // Read only what procleak scan's text report needs: /proc/PID/stat and cmdline (and
  // smaps_rollup with pss), about half the kernel work of a full scan. Process::uid, ns_pid and
  // exe stay empty, and without pss rss_bytes is stat's field 24, which since Linux 6.2 leaves out
  // each CPU's unflushed share of the kernel's counters (a few dozen pages per process, either
  // way); with pss, RSS and PSS both come from smaps_rollup and are exact. RefineRss() makes chosen
  // processes' RSS exact, RefineNamespaces() fills in their ns_pid. Scanner ignores it.
  bool brief = false;
};

// Reads every process under ROOT/proc, the cgroups that hold them and the host facts.
// A process that vanishes mid-read is skipped and counted; a missing cgroup file leaves its field
// absent. Fails only when ROOT/proc itself cannot be read or a file is malformed; the error
// message names the file.
absl::StatusOr<Snapshot> Scan(const ScanOptions& options);

// After a brief Scan() (ScanOptions::brief without pss): re-reads /proc/PID/statm of `pids`, so
// that their rss_bytes are exact, and recomputes subtree sums. A process that has ended since, or
// whose pid names another process now, keeps the scan's figure. Errors as Scan().
absl::Status RefineRss(const ScanOptions& options, const std::vector<int>& pids,
                       Snapshot* snapshot);

// After a brief Scan() (ScanOptions::brief), which does not read /proc/PID/status: reads status
// of `pids` and sets their Process::ns_pid (the pid inside a nested pid namespace, 1 for its
// init). A process that has ended since, or whose pid names another process now (stat's starttime
// differs), is left unchanged; so are kernel threads, unknown pids and processes in this /proc's
// own pid namespace. Also fills in what a full scan leaves absent (processes not owned by root).
// Errors as Scan().
absl::Status RefineNamespaces(const ScanOptions& options, const std::vector<int>& pids,
                              Snapshot* snapshot);

// Scans one root again and again (procleak watch and record). The first Next() is a full Scan();
// later ones are warm: a process seen before (same pid and starttime) has only its RSS (and PSS)
// re-read, with one pread of its statm (and smaps_rollup) file kept open since (such a file stays
// bound to its process and fails once it is reaped), so its command line, exe, uid and cgroup are
// not read again; its stat (state, parent, threads) is re-read when it exits into a zombie or its
// parent ends. New processes are read in full. Cgroups, containers and host memory are read afresh
// every time. Keeps files for as many processes as RLIMIT_NOFILE allows (less 256); others, and
// every process of a root that is not procfs (a fixture tree), are refreshed by pid, with stat's
// starttime telling whether it is still the same process. Construct it before a sandbox is
// installed (it reads the file limit).
class Scanner {
 public:
  explicit Scanner(ScanOptions options);
  ~Scanner();
  Scanner(Scanner&&) noexcept;
  Scanner& operator=(Scanner&&) noexcept;

  absl::StatusOr<Snapshot> Next();
  // Of the last Next(): how many processes were carried over and only refreshed.
  int reused() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace procleak
