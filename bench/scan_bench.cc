// SPDX-License-Identifier: Apache-2.0
// A full scan of this machine: every process, its cgroups, the host facts.
#include <benchmark/benchmark.h>

#include "procleak/scan.h"

namespace procleak {
namespace {

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
  state.counters["processes"] = static_cast<double>(processes);
  state.counters["per_process_us"] = benchmark::Counter(
      static_cast<double>(processes) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
BENCHMARK(BM_LiveScan)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace procleak

BENCHMARK_MAIN();
