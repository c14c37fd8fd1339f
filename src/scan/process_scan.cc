// SPDX-License-Identifier: Apache-2.0
#include "scan/process_scan.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <future>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

#include "base/keyed_values.h"
#include "base/sort_unless_sorted.h"
#include "procfs/pid_listing.h"
#include "scan/accounting.h"
#include "scan/cgroup_placement.h"

namespace procleak {
namespace {

constexpr size_t kParallelFrom = 256;  // fewer processes are read on the calling thread
constexpr size_t kChunk = 32;          // pids a thread takes at a time
constexpr long kMaxThreads = 4;

int PickThreads(size_t n, int threads) {
  if (threads > 0) return threads;
  // One per online CPU, at most kMaxThreads; one for a few processes.
  const long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  return n < kParallelFrom ? 1 : static_cast<int>(std::clamp<long>(cpus, 1, kMaxThreads));
}

// Reads one process into *p; with `keep` (and a kept budget left) also keeps its files in
// *files. Returns whether it was read.
absl::StatusOr<bool> ReadOne(int pid, ProcessReadContext* ctx, KeptProcesses* kept,
                             std::atomic<size_t>* kept_count, Process* p,
                             std::vector<std::pair<int, KeptFiles>>* files) {
  int fd = -1;
  const bool keep = kept != nullptr && kept_count->fetch_add(1) < kept->budget;
  absl::StatusOr<ProcessRead> read = ctx->brief && !keep
                                         ? ReadProcessBrief(pid, ctx, p)
                                         : ReadProcessKeepingDir(pid, ctx, p, keep ? &fd : nullptr);
  if (!read.ok()) return read.status();
  if (fd >= 0) {
    KeptFiles kept_files = KeepFiles(fd, *ctx);
    close(fd);
    if (kept_files.statm >= 0) files->emplace_back(pid, kept_files);
  }
  return *read == ProcessRead::kRead;
}

// Hands the files the readers kept to `kept` (also after an error, so that every descriptor is
// owned and closed).
void StoreKept(std::vector<std::vector<std::pair<int, KeptFiles>>>& part_files,
               KeptProcesses* kept) {
  if (kept == nullptr) return;
  for (auto& files : part_files) {
    for (auto& [pid, f] : files) {
      auto [it, added] = kept->files.try_emplace(pid, f);
      if (!added) CloseKept(f);
    }
  }
}

// Merges parts that are each in pid order into one.
std::vector<Process> MergeByPid(std::vector<std::vector<Process>>& parts) {
  size_t total = 0;
  for (const auto& part : parts) total += part.size();
  std::vector<Process> out;
  out.reserve(total);
  std::vector<size_t> at(parts.size(), 0);
  while (out.size() < total) {
    size_t best = parts.size();
    for (size_t t = 0; t < parts.size(); ++t) {
      if (at[t] == parts[t].size()) continue;
      if (best == parts.size() || parts[t][at[t]].pid < parts[best][at[best]].pid) best = t;
    }
    out.push_back(std::move(parts[best][at[best]++]));
  }
  return out;
}

// The next batch of pids for one reading thread into *out (empty when there are no more). Safe
// to call from several threads: each batch goes to exactly one of them.
using NextBatch = std::function<absl::Status(std::vector<int>*)>;

// Reads the batches `next` hands out on `threads` threads, each taking another when it has read
// its last; the first error wins. With `kept`, keeps files. `expected` (processes, when known)
// sizes each thread's part. In pid order.
absl::StatusOr<std::vector<Process>> ReadBatches(const NextBatch& next,
                                                 const ProcessReadContext& settings, int threads,
                                                 SkipCounter* skips, KeptProcesses* kept,
                                                 std::optional<size_t> expected) {
  std::vector<std::vector<Process>> parts(static_cast<size_t>(threads));
  // Room for an even share (reserved, not touched): no part grows by copying.
  for (auto& part : parts) part.reserve(expected.value_or(0) / static_cast<size_t>(threads) + 64);
  std::vector<std::vector<std::pair<int, KeptFiles>>> part_files(static_cast<size_t>(threads));
  std::atomic<size_t> kept_count{kept != nullptr ? kept->files.size() : 0};
  absl::Status status = OnThreads(
      threads, settings, skips,
      [&](size_t t, ProcessReadContext* ctx, const std::atomic<bool>& failed) -> absl::Status {
        std::vector<int> batch;
        while (!failed.load(std::memory_order_relaxed)) {
          absl::Status listed = next(&batch);
          if (!listed.ok()) return listed;
          if (batch.empty()) break;
          for (int pid : batch) {
            Process p;
            absl::StatusOr<bool> read = ReadOne(pid, ctx, kept, &kept_count, &p, &part_files[t]);
            if (!read.ok()) return read.status();
            if (*read) parts[t].push_back(std::move(p));
          }
        }
        return absl::OkStatus();
      });
  StoreKept(part_files, kept);
  if (!status.ok()) return status;
  std::vector<Process> processes = MergeByPid(parts);
  // Pids given out of order, or a fixture tree's listing.
  SortUnlessSorted(processes, [](const Process& a, const Process& b) { return a.pid < b.pid; });
  return processes;
}

// Tasks on the host, threads included (ROOT/proc/loadavg: "0.00 0.01 0.05 1/5123 12345" gives
// runnable/total): a bound on the processes the listing will find. nullopt without that file
// (a fixture tree).
std::optional<size_t> TaskCount(const ProcessReadContext& settings) {
  std::string text;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(settings.proc_fd, settings.proc_path, "loadavg", FileKind::kLoadavg, &text);
  if (!read.ok() || *read != ReadOutcome::kRead) return std::nullopt;
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::optional<uint64_t> tasks =
      ParseU64(text.substr(slash + 1, text.find(' ', slash) - slash - 1));
  if (!tasks) return std::nullopt;
  return static_cast<size_t>(*tasks);
}

}  // namespace

void CloseKept(const KeptFiles& kept) {
  if (kept.statm >= 0) close(kept.statm);
  if (kept.smaps_rollup >= 0) close(kept.smaps_rollup);
}

absl::Status OnThreads(int threads, const ProcessReadContext& settings, SkipCounter* skips,
                       const ThreadTask& work) {
  std::atomic<bool> failed{false};
  std::mutex mu;
  absl::Status first_error;
  // The first exception of any thread (std::bad_alloc), thrown again on this one once all have
  // ended: escaping a thread, it would end the program in std::terminate.
  std::exception_ptr thrown;
  std::vector<SkipCounter> part_skips(static_cast<size_t>(threads));
  auto run = [&](size_t part) {
    try {
      ProcessReadContext ctx = settings.Fresh();
      absl::Status status = work(part, &ctx, failed);
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first_error.ok()) first_error = status;
        failed = true;
      }
      part_skips[part] = ctx.skips;
    } catch (...) {
      std::lock_guard<std::mutex> lock(mu);
      if (!thrown) thrown = std::current_exception();
      failed = true;
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(static_cast<size_t>(threads));  // no reallocation once threads run
  for (int t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(run, static_cast<size_t>(t));
    } catch (...) {  // no thread to be had: those running take its share (parts are taken in turn)
      break;
    }
  }
  run(0);
  for (std::thread& t : helpers) t.join();
  if (thrown) std::rethrow_exception(thrown);
  for (const SkipCounter& s : part_skips) skips->Add(s);
  return first_error;
}

absl::Status ForEachProcess(size_t n, const ProcessReadContext& settings, int threads,
                            SkipCounter* skips, const ProcessTask& fn) {
  std::atomic<size_t> next{0};
  return OnThreads(
      PickThreads(n, threads), settings, skips,
      [&](size_t part, ProcessReadContext* ctx, const std::atomic<bool>& failed) -> absl::Status {
        while (!failed.load(std::memory_order_relaxed)) {
          const size_t from = next.fetch_add(kChunk);
          if (from >= n) break;
          for (size_t i = from; i < std::min(from + kChunk, n); ++i) {
            absl::Status status = fn(i, part, ctx);
            if (!status.ok()) return status;
          }
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<std::vector<Process>> ReadProcesses(std::string_view root, const Host& host,
                                                   const CgroupLayout& layout,
                                                   const ProcessReadContext& settings, int threads,
                                                   SkipCounter* skips, const std::vector<int>* only,
                                                   KeptProcesses* kept) {
  // The cgroup hierarchies are walked on a thread of their own meanwhile: that work does not
  // wait for the processes, and it fills the CPU the readers leave idle at their ends. The
  // template process comes from the start of the listing.
  // The tasks on the host bound the processes before the listing ends: they size the readers'
  // parts, and half of them is how many cgroup directories the walk may read before one
  // /proc/PID/cgroup per process would have been cheaper (unbounded for a fixture tree).
  const std::optional<size_t> tasks = only != nullptr ? only->size() : TaskCount(settings);
  absl::StatusOr<std::vector<int>> first =
      only != nullptr
          ? std::vector<int>(only->begin(), only->begin() + std::min<size_t>(8, only->size()))
          : FirstPids(settings.proc_fd, settings.proc_path, 8);
  if (!first.ok()) return first.status();
  const size_t budget = only != nullptr ? only->size() / 2
                        : tasks         ? std::max<size_t>(*tasks / 2, 64)
                                        : SIZE_MAX;
  auto walk_all = [&, first = *std::move(first), budget] {
    return WalkMemberships(root, layout, settings, first, budget);
  };
  std::future<absl::StatusOr<Memberships>> walk;
  try {
    walk = std::async(std::launch::async, walk_all);
  } catch (const std::system_error&) {  // no thread to be had: walk when the result is wanted
    walk = std::async(std::launch::deferred, walk_all);
  }
  // Batches: the listing's, which the reading threads take in turn as they go, or `only`'s.
  std::optional<SharedListing> listing;
  std::atomic<size_t> taken{0};
  NextBatch next = [&](std::vector<int>* out) -> absl::Status {
    if (listing) return listing->Next(out);
    const size_t from = std::min(taken.fetch_add(kChunk), only->size());
    out->assign(only->begin() + static_cast<std::ptrdiff_t>(from),
                only->begin() + static_cast<std::ptrdiff_t>(std::min(from + kChunk, only->size())));
    return absl::OkStatus();
  };
  if (only == nullptr) {
    absl::StatusOr<SharedListing> opened =
        SharedListing::Open(settings.proc_fd, settings.proc_path);
    if (!opened.ok()) return opened.status();
    listing.emplace(*std::move(opened));
  }
  absl::StatusOr<std::vector<Process>> processes = ReadBatches(
      next, settings, PickThreads(only != nullptr ? only->size() : kParallelFrom, threads), skips,
      kept, tasks);
  absl::StatusOr<Memberships> memberships = walk.get();
  if (!processes.ok()) return processes.status();
  if (!memberships.ok()) return memberships.status();
  absl::Status placed = PlaceInCgroups(settings, *memberships, *processes, skips);
  if (!placed.ok()) return placed;
  absl::Status finished = FinishProcesses(host, layout, settings, threads, skips, *processes);
  if (!finished.ok()) return finished;
  return processes;
}

absl::Status FinishProcesses(const Host& host, const CgroupLayout& layout,
                             const ProcessReadContext& settings, int threads, SkipCounter* skips,
                             std::vector<Process>& processes) {
  const int64_t ticks_per_second = sysconf(_SC_CLK_TCK);
  const int finishers = PickThreads(processes.size(), threads);
  std::vector<UsedLines> used(static_cast<size_t>(finishers), UsedLines(layout));  // one each
  absl::Status finished = ForEachProcess(
      processes.size(), settings, finishers, skips,
      [&](size_t i, size_t part, ProcessReadContext*) -> absl::Status {
        Process& p = processes[i];
        used[part].Filter(&p.cgroup_lines);
        p.started_at = host.boot_time + absl::Microseconds(static_cast<int64_t>(p.starttime_ticks) *
                                                           1'000'000 / ticks_per_second);
        p.cgroup = AccountingCgroupPath(p.cgroup_lines, layout);
        return absl::OkStatus();
      });
  if (!finished.ok()) return finished;
  InheritZombieCgroups(layout, processes);
  return absl::OkStatus();
}

}  // namespace procleak
