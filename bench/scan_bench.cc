// SPDX-License-Identifier: Apache-2.0
// Whole-scan costs: this machine, generated trees of 1,000 to 20,000 processes, and the work that
// follows a scan (analysis, text and JSON reports). per_process_us must stay flat as trees grow.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <optional>
#include <string>

#include "fixture_tree.h"
#include "procleak/analysis.h"
#include "procleak/scan.h"
#include "render/json_report.h"
#include "render/text_report.h"

namespace procleak {
namespace {

// Real time, not CPU time: a scan is mostly system calls, and may use more than one thread.
void CountPerProcess(benchmark::State& state, size_t processes) {
  state.counters["processes"] = static_cast<double>(processes);
  // Seconds per process, printed with an SI prefix: "14.2u" is 14.2 microseconds.
  state.counters["per_process_us"] =
      benchmark::Counter(static_cast<double>(processes) * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_LiveScan(benchmark::State& state) {
  size_t processes = 0;
  for (auto _ : state) {
    absl::StatusOr<Snapshot> s = Scan({.root = "/"});
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      return;
    }
    processes = s->processes().size();
  }
  CountPerProcess(state, processes);
}
BENCHMARK(BM_LiveScan)->Unit(benchmark::kMillisecond)->UseRealTime();

// What watch and record pay per sample after the first: a warm Scanner::Next() of this machine.
void BM_LiveWarmRescan(benchmark::State& state) {
  Scanner scanner({.root = "/"});
  absl::StatusOr<Snapshot> first = scanner.Next();
  if (!first.ok()) {
    state.SkipWithError(std::string(first.status().message()).c_str());
    return;
  }
  size_t processes = 0;
  for (auto _ : state) {
    absl::StatusOr<Snapshot> s = scanner.Next();
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      return;
    }
    processes = s->processes().size();
  }
  CountPerProcess(state, processes);
}
BENCHMARK(BM_LiveWarmRescan)->Unit(benchmark::kMillisecond)->UseRealTime();

// The generated tree of state.range(0) processes, or nullopt after SkipWithError.
std::optional<std::string> Tree(benchmark::State& state) {
  absl::StatusOr<std::string> root = bench::CachedTree(static_cast<int>(state.range(0)));
  if (!root.ok()) {
    state.SkipWithError(std::string(root.status().message()).c_str());
    return std::nullopt;
  }
  return *root;
}

void BM_FixtureScan(benchmark::State& state) {
  std::optional<std::string> root = Tree(state);
  if (!root) return;
  size_t processes = 0;
  for (auto _ : state) {
    absl::StatusOr<Snapshot> s = Scan({.root = *root});
    if (!s.ok()) {
      state.SkipWithError(std::string(s.status().message()).c_str());
      return;
    }
    processes = s->processes().size();
  }
  if (processes != static_cast<size_t>(state.range(0))) {
    state.SkipWithError(("scanned " + std::to_string(processes) + " processes").c_str());
    return;
  }
  CountPerProcess(state, processes);
}
BENCHMARK(BM_FixtureScan)
    ->Arg(1000)
    ->Arg(5000)
    ->Arg(20000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// A scan of the generated tree and its analysis, made once per size and kept.
struct Scanned {
  Snapshot snapshot;
  Analysis analysis;
};
const Scanned* ScanOnce(benchmark::State& state) {
  static std::map<int, Scanned> scans;
  int n = static_cast<int>(state.range(0));
  if (auto it = scans.find(n); it != scans.end()) return &it->second;
  std::optional<std::string> root = Tree(state);
  if (!root) return nullptr;
  absl::StatusOr<Snapshot> s = Scan({.root = *root});
  if (!s.ok()) {
    state.SkipWithError(std::string(s.status().message()).c_str());
    return nullptr;
  }
  Scanned& scanned = scans[n];
  scanned.snapshot = std::move(*s);
  scanned.analysis = Analyze(scanned.snapshot, nullptr);
  return &scanned;
}

void BM_Analyze(benchmark::State& state) {
  const Scanned* scanned = ScanOnce(state);
  if (scanned == nullptr) return;
  for (auto _ : state) {
    Analysis analysis = Analyze(scanned->snapshot, nullptr);
    benchmark::DoNotOptimize(analysis);
  }
  state.counters["groups"] = static_cast<double>(scanned->analysis.groups.size());
  state.counters["findings"] = static_cast<double>(scanned->analysis.findings.size());
  CountPerProcess(state, scanned->snapshot.processes().size());
}
BENCHMARK(BM_Analyze)->Arg(1000)->Arg(5000)->Arg(20000)->Unit(benchmark::kMillisecond);

// `procleak scan` and `procleak scan --tree` output, analysis included.
void BM_RenderText(benchmark::State& state) {
  const Scanned* scanned = ScanOnce(state);
  if (scanned == nullptr) return;
  TextOptions options;
  options.analysis = &scanned->analysis;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string report = RenderScanText(scanned->snapshot, options);
    std::string tree = RenderTree(scanned->snapshot, options);
    bytes = report.size() + tree.size();
    benchmark::DoNotOptimize(report);
    benchmark::DoNotOptimize(tree);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  CountPerProcess(state, scanned->snapshot.processes().size());
}
BENCHMARK(BM_RenderText)->Arg(1000)->Arg(5000)->Arg(20000)->Unit(benchmark::kMillisecond);

// `procleak scan --json`: the document streamed to a file (/dev/null) as the CLI streams it.
void BM_RenderJson(benchmark::State& state) {
  const Scanned* scanned = ScanOnce(state);
  if (scanned == nullptr) return;
  std::FILE* sink = std::fopen("/dev/null", "w");
  if (sink == nullptr) return state.SkipWithError("cannot open /dev/null");
  size_t bytes = 0;
  for (auto _ : state) {
    JsonWriter out(2, sink);
    WriteScanJson(out, scanned->snapshot, &scanned->analysis, JsonOptions{});
    if (!out.Finish()) return state.SkipWithError("cannot write to /dev/null");
    bytes = out.bytes();
  }
  std::fclose(sink);
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  CountPerProcess(state, scanned->snapshot.processes().size());
}
BENCHMARK(BM_RenderJson)->Arg(1000)->Arg(5000)->Arg(20000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace procleak

BENCHMARK_MAIN();
