// SPDX-License-Identifier: Apache-2.0
// Analysis and reap planning of deep wrapper chains (issue 17): a spawner that started two copies
// of `npm exec @scope/deep -> sh -c deep -> ... -> node deep`, each N processes deep, so that
// duplicate_chain names the older copy and reap plans to stop all N of its processes. Both must
// grow linearly with N: the reported complexity (BigO) and the time per process should hold from
// N = 1,000 to 20,000. Before issue 17, planning walked every planned process up to the root
// (quadratic: `procleak reap` on a 20,000-deep fixture took 26 to 140 s).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "analysis/reap_plan.h"
#include "procleak/analysis.h"
#include "procleak/snapshot.h"

namespace procleak {
namespace {

const absl::Time kBoot = absl::FromUnixSeconds(1795420800);

Process MakeProcess(int pid, int ppid, std::vector<std::string> argv, uint64_t start_ticks) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = 'S';
  p.argv = std::move(argv);
  p.comm = p.argv[0].substr(0, 15);
  p.exe = p.argv[0];
  p.starttime_ticks = start_ticks;
  p.started_at = kBoot + absl::Milliseconds(start_ticks * 10);
  p.rss_bytes = 1 << 20;
  p.pgid = ppid <= 1 ? pid : 100;
  p.sid = ppid <= 1 ? pid : 100;
  p.cgroup = "/app.slice";
  return p;
}

// init, the spawner (pid 100) and two copies of a `depth`-deep chain, an hour apart.
Snapshot DeepChains(int depth) {
  std::vector<Process> processes;
  processes.push_back(MakeProcess(1, 0, {"/sbin/init"}, 1));
  processes.push_back(MakeProcess(100, 1, {"node", "/app/hub.js"}, 100));
  int pid = 1000;
  for (int copy = 0; copy < 2; ++copy) {
    const uint64_t start = 1000 + copy * 360000;
    int parent = 100;
    for (int level = 0; level < depth; ++level) {
      std::vector<std::string> argv = level == 0 ? std::vector<std::string>{"npm exec @scope/deep"}
                                      : level == depth - 1
                                          ? std::vector<std::string>{"node", "/srv/deep.js"}
                                          : std::vector<std::string>{"sh", "-c", "deep"};
      processes.push_back(MakeProcess(pid, parent, std::move(argv), start));
      parent = pid++;
    }
  }
  Host host;
  host.boot_time = kBoot;
  return Snapshot::Build(host, std::move(processes), {}, ScanStats());
}

// 1,000, 5,000 and 20,000 deep, fitted to O(N).
void Depths(benchmark::internal::Benchmark* b) {
  b->Arg(1000)->Arg(5000)->Arg(20000)->Unit(benchmark::kMillisecond)->Complexity(benchmark::oN);
}

void BM_Analyze_DeepChain(benchmark::State& state) {
  const Snapshot snapshot = DeepChains(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Analyze(snapshot, nullptr));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_Analyze_DeepChain)->Apply(Depths);

void BM_PlanReap_DeepChain(benchmark::State& state) {
  const int depth = static_cast<int>(state.range(0));
  const Snapshot snapshot = DeepChains(depth);
  const Analysis analysis = Analyze(snapshot, nullptr);
  ReapSelection selection;
  selection.signature = "deep";
  for (auto _ : state) {
    ReapPlan plan = PlanReap(snapshot, analysis, selection, 0, {});
    if (plan.order.size() != static_cast<size_t>(depth)) {
      state.SkipWithError("the plan does not stop the older copy whole");
      break;
    }
    benchmark::DoNotOptimize(plan);
  }
  state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_PlanReap_DeepChain)->Apply(Depths);

}  // namespace
}  // namespace procleak

BENCHMARK_MAIN();
