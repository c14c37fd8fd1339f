// SPDX-License-Identifier: Apache-2.0
#include "scan/process_scan.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "cgroupfs/cgroup_procs.h"
#include "scan/accounting.h"

namespace procleak {
namespace {

constexpr size_t kParallelFrom = 256;  // fewer processes are read on the calling thread
constexpr size_t kChunk = 32;          // pids a thread takes at a time
constexpr long kMaxThreads = 4;

ProcessReadContext ReaderLike(const ProcessReadContext& settings) {
  ProcessReadContext ctx;
  ctx.proc_fd = settings.proc_fd;
  ctx.proc_path = settings.proc_path;
  ctx.page_size = settings.page_size;
  ctx.pss = settings.pss;
  ctx.reference = settings.reference;
  ctx.read_cgroup = settings.read_cgroup;
  return ctx;
}

void AddSkips(const SkipCounter& from, SkipCounter* to) {
  to->vanished += from.vanished;
  to->denied += from.denied;
}

int PickThreads(size_t n, int threads) {
  if (threads > 0) return threads;
  // One per online CPU, at most kMaxThreads; one for a few processes.
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return n < kParallelFrom ? 1 : static_cast<int>(std::clamp<long>(cpus, 1, kMaxThreads));
}

// Reads `pids` on `threads` threads; the first error wins. With `kept`, keeps directories.
absl::StatusOr<std::vector<Process>> ReadAll(const std::vector<int>& pids,
                                             const ProcessReadContext& settings, int threads,
                                             SkipCounter* skips, KeptProcesses* kept) {
  threads = PickThreads(pids.size(), threads);
  std::vector<std::vector<Process>> parts(static_cast<size_t>(threads));
  std::vector<std::vector<std::pair<int, KeptFiles>>> part_files(static_cast<size_t>(threads));
  std::atomic<size_t> kept_count{kept != nullptr ? kept->files.size() : 0};
  for (auto& part : parts) part.reserve(pids.size() / static_cast<size_t>(threads) + kChunk);
  absl::Status status =
      ForEachProcess(pids.size(), settings, threads, skips,
                     [&](size_t i, size_t part, ProcessReadContext* ctx) -> absl::Status {
                       Process p;
                       int fd = -1;
                       const bool keep = kept != nullptr && kept_count.fetch_add(1) < kept->budget;
                       absl::StatusOr<ProcessRead> read =
                           ReadProcessKeepingDir(pids[i], ctx, &p, keep ? &fd : nullptr);
                       if (!read.ok()) return read.status();
                       if (*read == ProcessRead::kRead) parts[part].push_back(std::move(p));
                       if (fd >= 0) {
                         KeptFiles files = KeepFiles(fd, *ctx);
                         close(fd);
                         if (files.statm >= 0) part_files[part].emplace_back(pids[i], files);
                       }
                       return absl::OkStatus();
                     });
  if (kept != nullptr) {  // also on error, so that every descriptor is owned and closed
    for (auto& files : part_files) {
      for (auto& [pid, f] : files) {
        auto [it, added] = kept->files.try_emplace(pid, f);
        if (!added) CloseKept(f);
      }
    }
  }
  if (!status.ok()) return status;
  std::vector<Process> processes = std::move(parts[0]);
  for (size_t t = 1; t < parts.size(); ++t) {
    std::move(parts[t].begin(), parts[t].end(), std::back_inserter(processes));
  }
  std::sort(processes.begin(), processes.end(),
            [](const Process& a, const Process& b) { return a.pid < b.pid; });
  return processes;
}

// The hierarchy `line` of /proc/PID/cgroup belongs to, or nullptr when it is not mounted.
const CgroupHierarchy* HierarchyOf(const CgroupLayout& layout, const CgroupMembership& line) {
  const std::vector<CgroupMembership> one = {line};
  for (const CgroupHierarchy& h : layout.hierarchies) {
    if (FindMembership(one, h) != nullptr) return &h;
  }
  return nullptr;
}

// The hierarchies procleak reads: memory (accounting), pids, v2, and name=systemd (where some
// container managers put their containers). Lines of the others are not kept.
bool IsUsed(const CgroupLayout& layout, const CgroupHierarchy* h) {
  return h != nullptr && (h == layout.MemoryHierarchy() || h == layout.ForController("pids") ||
                          h->v2 || h->Has("name=systemd"));
}

// Drops the lines of hierarchies procleak does not read (all kept without a known layout).
// Decisions are remembered per hierarchy id and controller list, which repeat for every process.
class UsedLines {
 public:
  explicit UsedLines(const CgroupLayout& layout) : layout_(layout) {}
  void Filter(std::vector<CgroupMembership>* lines) {
    if (layout_.mode == CgroupMode::kNone) return;
    std::erase_if(*lines, [&](const CgroupMembership& line) {
      auto [it, added] = keep_.try_emplace({line.hierarchy_id, line.controllers}, false);
      if (added) it->second = IsUsed(layout_, HierarchyOf(layout_, line));
      return !it->second;
    });
  }

 private:
  const CgroupLayout& layout_;
  std::map<std::pair<int, std::string>, bool> keep_;
};

// Fills cgroup_lines from every hierarchy's cgroup.procs, shaped like one process's own
// /proc/PID/cgroup (the template: same hierarchies, ids and controller names, in its order).
// Returns the indexes of the processes it could not place; all of them when a hierarchy is not
// mounted, has too many directories or cannot be walked.
absl::StatusOr<std::vector<size_t>> PlaceFromCgroupProcs(std::string_view root,
                                                         const CgroupLayout& layout,
                                                         const std::vector<CgroupMembership>& shape,
                                                         std::vector<Process>& processes) {
  std::vector<size_t> unplaced;
  std::vector<ProcsMembership> members;
  size_t budget = processes.size() / 2;  // directories we may walk before per-PID files win
  bool usable = !shape.empty() && layout.mode != CgroupMode::kNone;
  for (const CgroupMembership& line : shape) {
    const CgroupHierarchy* h = usable ? HierarchyOf(layout, line) : nullptr;
    if (h == nullptr) {
      usable = false;
      break;
    }
    absl::StatusOr<std::optional<ProcsMembership>> read = ReadProcsMembership(root, *h, budget);
    if (!read.ok()) return read.status();
    if (!*read) {
      usable = false;
      break;
    }
    budget -= std::min(budget, (*read)->paths.size());
    members.push_back(**std::move(read));
  }
  for (size_t i = 0; i < processes.size(); ++i) {
    Process& p = processes[i];
    bool placed = usable;
    for (size_t h = 0; placed && h < shape.size(); ++h) {
      auto it = members[h].index.find(p.pid);
      placed = it != members[h].index.end() && it->second != ProcsMembership::kConflict;
      if (placed) {
        p.cgroup_lines.push_back(
            {shape[h].hierarchy_id, shape[h].controllers, members[h].paths[it->second]});
      }
    }
    if (!placed) {
      p.cgroup_lines.clear();
      unplaced.push_back(i);
    }
  }
  return unplaced;
}

// Places every process: from cgroup.procs where that works, else from /proc/PID/cgroup. A
// process that vanished before its cgroup file was read is dropped and counted.
absl::Status PlaceInCgroups(std::string_view root, const CgroupLayout& layout,
                            const ProcessReadContext& settings, std::vector<Process>& processes,
                            SkipCounter* skips) {
  ProcessReadContext ctx = ReaderLike(settings);
  // The template: the first process whose cgroup file can be read, its used hierarchies only.
  std::vector<CgroupMembership> shape;
  for (size_t i = 0; i < processes.size() && i < 8 && shape.empty(); ++i) {
    absl::StatusOr<ProcessRead> read = ReadProcessCgroup(processes[i], &ctx, &shape);
    if (!read.ok()) return read.status();
  }
  UsedLines(layout).Filter(&shape);
  ctx.skips = SkipCounter();  // a template process that vanished is counted below, if at all
  absl::StatusOr<std::vector<size_t>> unplaced =
      PlaceFromCgroupProcs(root, layout, shape, processes);
  if (!unplaced.ok()) return unplaced.status();
  std::vector<bool> drop(processes.size(), false);
  for (size_t i : *unplaced) {
    absl::StatusOr<ProcessRead> read =
        ReadProcessCgroup(processes[i], &ctx, &processes[i].cgroup_lines);
    if (!read.ok()) return read.status();
    drop[i] = *read == ProcessRead::kVanished;
  }
  AddSkips(ctx.skips, skips);
  size_t kept = 0;
  for (size_t i = 0; i < processes.size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) processes[kept] = std::move(processes[i]);
    ++kept;
  }
  processes.resize(kept);
  return absl::OkStatus();
}

}  // namespace

void CloseKept(const KeptFiles& kept) {
  if (kept.statm >= 0) close(kept.statm);
  if (kept.smaps_rollup >= 0) close(kept.smaps_rollup);
}

absl::Status ForEachProcess(size_t n, const ProcessReadContext& settings, int threads,
                            SkipCounter* skips, const ProcessTask& fn) {
  threads = PickThreads(n, threads);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex mu;
  absl::Status first_error;
  std::vector<SkipCounter> part_skips(static_cast<size_t>(threads));
  auto work = [&](size_t part) {
    ProcessReadContext ctx = ReaderLike(settings);
    while (!failed.load(std::memory_order_relaxed)) {
      const size_t from = next.fetch_add(kChunk);
      if (from >= n) break;
      for (size_t i = from; i < std::min(from + kChunk, n); ++i) {
        absl::Status status = fn(i, part, &ctx);
        if (!status.ok()) {
          std::lock_guard<std::mutex> lock(mu);
          if (first_error.ok()) first_error = status;
          failed = true;
          break;
        }
      }
    }
    part_skips[part] = ctx.skips;
  };
  std::vector<std::thread> helpers;
  for (int t = 1; t < threads; ++t) helpers.emplace_back(work, static_cast<size_t>(t));
  work(0);
  for (std::thread& t : helpers) t.join();
  for (const SkipCounter& s : part_skips) AddSkips(s, skips);
  return first_error;
}

absl::StatusOr<std::vector<Process>> ReadProcesses(std::string_view root, const Host& host,
                                                   const CgroupLayout& layout,
                                                   const ProcessReadContext& settings, int threads,
                                                   SkipCounter* skips, const std::vector<int>* only,
                                                   KeptProcesses* kept) {
  absl::StatusOr<std::vector<int>> pids =
      only != nullptr ? *only : ListPids(settings.proc_fd, settings.proc_path);
  if (!pids.ok()) return pids.status();
  ProcessReadContext readers = ReaderLike(settings);
  readers.read_cgroup = settings.reference;
  absl::StatusOr<std::vector<Process>> processes = ReadAll(*pids, readers, threads, skips, kept);
  if (!processes.ok()) return processes.status();
  if (!settings.reference) {
    absl::Status placed = PlaceInCgroups(root, layout, settings, *processes, skips);
    if (!placed.ok()) return placed;
  }
  const int64_t ticks_per_second = sysconf(_SC_CLK_TCK);
  UsedLines used(layout);
  for (Process& p : *processes) {
    used.Filter(&p.cgroup_lines);
    p.started_at = host.boot_time + absl::Microseconds(static_cast<int64_t>(p.starttime_ticks) *
                                                       1'000'000 / ticks_per_second);
    p.cgroup = AccountingCgroupPath(p.cgroup_lines, layout);
  }
  InheritZombieCgroups(layout, *processes);
  return processes;
}

}  // namespace procleak
