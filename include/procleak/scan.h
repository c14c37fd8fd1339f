// SPDX-License-Identifier: Apache-2.0
#pragma once
// Taking a snapshot of a host (or of a fixture tree laid out like one).

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "procleak/snapshot.h"

namespace procleak {

// What Scan() reads of each process, chosen by the caller. Every plan reads /proc/PID/stat (pid,
// parent, state, threads, start time, kernel-thread flag and an RSS figure) and cmdline, and
// smaps_rollup with ScanOptions::pss; each member below adds to that.
struct ReadPlan {
  // Process::uid: the owner of /proc/PID (one fstatat, no file read), which is the effective uid
  // on procfs since Linux 4.11; status's Uid where that owner is root and the tree is not procfs
  // or the kernel older.
  bool uid = true;
  // Process::exe: readlink of /proc/PID/exe.
  bool exe = true;
  // Exact RSS of every process (statm, or status's VmRSS). Without it, rss_bytes is stat's field
  // 24, which since Linux 6.2 leaves out each CPU's unflushed share of the kernel's counters (a
  // few dozen pages per process, either way; with pss, RSS and PSS both come from smaps_rollup and
  // are exact): RefineRss() fills it in for chosen processes.
  bool exact = true;
  // Process::ns_pid of every process in a pid namespace nested below this /proc's own (that of
  // its pid 1, or of the scanner where it lives in it): the /proc/PID/ns/pid link of each process
  // (one readlink), and status only where that names another namespace or may not be read (the
  // link needs the right to trace the process: a scan by another user reads status for the
  // processes it may not trace). Where this /proc's own namespace is not known (a fixture tree
  // without ns links), status is read where uid needs it, as without this member, and
  // RefineNamespaces() fills in the rest for chosen processes.
  bool ns_pid = true;

  // Everything (the default): what procleak watch, record, --tree and --pid need.
  static constexpr ReadPlan Full() { return {}; }
  // stat, cmdline, the owner of /proc/PID, the exe link and the ns/pid link: every field but
  // exact RSS, for about a third more kernel work than Brief() (procleak scan --json).
  static constexpr ReadPlan Lean() {
    return {.uid = true, .exe = true, .exact = false, .ns_pid = true};
  }
  // stat and cmdline only, about half the kernel work of Full(): uid, exe and ns_pid stay empty
  // too (procleak scan's text report).
  static constexpr ReadPlan Brief() {
    return {.uid = false, .exe = false, .exact = false, .ns_pid = false};
  }
  constexpr bool operator==(const ReadPlan&) const = default;
};

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
  // What to read of each process. Scanner reads ReadPlan::Full() whatever this says.
  ReadPlan read = ReadPlan::Full();
};

// Reads every process under ROOT/proc, the cgroups that hold them and the host facts.
// A process that vanishes mid-read is skipped and counted; a missing cgroup file leaves its field
// absent. Fails only when ROOT/proc itself cannot be read or a file is malformed; the error
// message names the file.
absl::StatusOr<Snapshot> Scan(const ScanOptions& options);

// `snapshot` (a Scan() of `options` without ReadPlan::exact nor pss) with statm re-read for
// `pids`, so that their rss_bytes are exact, and subtree sums computed again. A process that has
// ended since, or whose pid names another process now, keeps the scan's figure. Pass the snapshot
// with std::move when the old one is not needed: it is not copied then. Errors as Scan().
absl::StatusOr<Snapshot> RefineRss(const ScanOptions& options, Snapshot snapshot,
                                   const std::vector<int>& pids);

// `snapshot` (a Scan() of `options`) with /proc/PID/status read for `pids` and their
// Process::ns_pid set (the pid inside a nested pid namespace, 1 for its init). A process that has
// ended since, or whose pid names another process now (stat's starttime differs), is left
// unchanged; so are kernel threads, unknown pids and processes in this /proc's own pid namespace.
// Fills in what a plan without ReadPlan::ns_pid leaves absent. Errors as Scan().
absl::StatusOr<Snapshot> RefineNamespaces(const ScanOptions& options, Snapshot snapshot,
                                          const std::vector<int>& pids);

// Both refinements in one pass over the processes (each process's files read once).
struct Refinement {
  std::vector<int> rss = {};         // as RefineRss()
  std::vector<int> namespaces = {};  // as RefineNamespaces()
};
absl::StatusOr<Snapshot> Refine(const ScanOptions& options, Snapshot snapshot,
                                const Refinement& what);

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
