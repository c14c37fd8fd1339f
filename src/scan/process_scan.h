// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads every process of a root's /proc, on several threads, with its cgroup membership.

#include <atomic>
#include <functional>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cgroupfs/cgroup_layout.h"
#include "procfs/process_reader.h"
#include "procleak/snapshot.h"

namespace procleak {

// The files a Scanner keeps open between scans (see KeptFiles), by pid, for at most `budget`
// processes.
struct KeptProcesses {
  absl::flat_hash_map<int, KeptFiles> files;
  size_t budget = 0;
};

// Closes what KeepFiles opened.
void CloseKept(const KeptFiles& kept);

// Reads every process listed in `settings.proc_fd` (whose proc_path, page_size, pss and plan
// fields apply to every reader) on `threads` threads, each with its own buffer (0: one per online
// CPU, at most 4, and one when there are fewer than 256 processes). Then places
// each process in its cgroups: it takes every hierarchy's cgroup.procs files when there are fewer
// cgroup directories than processes, and reads /proc/PID/cgroup for whatever they did not place.
// Then FinishProcesses(). Vanished and denied processes are counted in *skips.
// With `only`, reads those pids instead of listing the directory; with `kept`, keeps the files of
// the processes read (while the budget lasts) in kept->files.
absl::StatusOr<std::vector<Process>> ReadProcesses(std::string_view root, const Host& host,
                                                   const CgroupLayout& layout,
                                                   const ProcessReadContext& settings, int threads,
                                                   SkipCounter* skips,
                                                   const std::vector<int>* only = nullptr,
                                                   KeptProcesses* kept = nullptr);

// What ReadProcesses does once every process's cgroup_lines hold its memberships (from
// cgroup.procs or /proc/PID/cgroup): drops the lines of hierarchies procleak does not read
// (UsedLines), fills started_at and Process::cgroup (AccountingCgroupPath), and gives a v1 zombie
// its parent's cgroup (InheritZombieCgroups). On `threads` threads as ReadProcesses picks them.
absl::Status FinishProcesses(const Host& host, const CgroupLayout& layout,
                             const ProcessReadContext& settings, int threads, SkipCounter* skips,
                             std::vector<Process>& processes);

// Runs fn(index, part, ctx) for every index below `n` on `threads` threads (0: as ReadProcesses
// picks; `part` numbers the thread), each with its own context made like `settings`; the first
// error stops the others and is returned. Skips counted in the contexts are added to *skips.
using ProcessTask = std::function<absl::Status(size_t, size_t, ProcessReadContext*)>;
absl::Status ForEachProcess(size_t n, const ProcessReadContext& settings, int threads,
                            SkipCounter* skips, const ProcessTask& fn);

// Runs work(part, ctx, failed) on `threads` threads, the calling one among them, each with its
// own context made like `settings`; the first error sets `failed` for the others to stop at and
// is returned. Skips counted in the contexts are added to *skips. An exception (std::bad_alloc)
// in any thread stops the others too and is thrown again on the calling one; a thread that cannot
// be started leaves its share to the others (`part` may then be missing), so work must take its
// share in turn, not by part.
using ThreadTask =
    std::function<absl::Status(size_t, ProcessReadContext*, const std::atomic<bool>&)>;
absl::Status OnThreads(int threads, const ProcessReadContext& settings, SkipCounter* skips,
                       const ThreadTask& work);

}  // namespace procleak
