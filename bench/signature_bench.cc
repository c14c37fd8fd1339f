// SPDX-License-Identifier: Apache-2.0
// Signature layer costs: ClassifyCommand runs once per process per analysis, ParseRules once per
// run (it compiles every RE2 pattern).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "signature/rules.h"
#include "signature/signature.h"

namespace procleak {
namespace {

struct Command {
  std::vector<std::string> argv;
  std::string comm;
};

// The three levels of a leaked npx chain, as the kernel shows them.
const Command kNpmExecTitle = {{"npm exec @modelcontextprotocol/server-filesystem"},
                               "npm exec @model"};
const Command kNpmExecArgv = {{"npm", "exec", "--yes", "--", "@playwright/mcp@latest"},
                              "npm exec @playw"};
const Command kShell = {{"sh", "-c", "mcp-server-filesystem"}, "sh"};
const Command kNode = {
    {"node", "/root/.npm/_npx/3c9f1e2a7b6d5c4e/node_modules/.bin/mcp-server-filesystem"}, "node"};

void Classify(benchmark::State& state, const Command& command) {
  for (auto _ : state) benchmark::DoNotOptimize(ClassifyCommand(command.argv, command.comm));
}

void BM_ClassifyCommand_NpmExecTitle(benchmark::State& state) { Classify(state, kNpmExecTitle); }
BENCHMARK(BM_ClassifyCommand_NpmExecTitle);

void BM_ClassifyCommand_NpmExecArgv(benchmark::State& state) { Classify(state, kNpmExecArgv); }
BENCHMARK(BM_ClassifyCommand_NpmExecArgv);

void BM_ClassifyCommand_Sh(benchmark::State& state) { Classify(state, kShell); }
BENCHMARK(BM_ClassifyCommand_Sh);

void BM_ClassifyCommand_Node(benchmark::State& state) { Classify(state, kNode); }
BENCHMARK(BM_ClassifyCommand_Node);

// What else a host runs: titles, daemons with options, kernel threads (empty argv).
void BM_ClassifyCommand_HostMix(benchmark::State& state) {
  static const std::vector<Command> mix = {
      kNpmExecTitle,
      kShell,
      kNode,
      {{"nginx: worker process"}, "nginx"},
      {{"postgres: app appdb 172.18.0.6(41012) idle"}, "postgres"},
      {{"/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"},
       "dockerd"},
      {{"python3", "/opt/jobs/worker.py", "--queue", "default"}, "python3"},
      {{"sleep", "3600"}, "sleep"},
      {{}, "kworker/3:1-events"},
      {{"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id",
        "ae2a7b7d6e14d304f65fdc524edda060a4b86c7834657436fb88c3afa495de8d", "-address",
        "/run/containerd/containerd.sock"},
       "containerd-shim"},
  };
  for (auto _ : state) {
    for (const Command& c : mix) benchmark::DoNotOptimize(ClassifyCommand(c.argv, c.comm));
  }
  state.SetItemsProcessed(static_cast<int64_t>(mix.size()) * state.iterations());
}
BENCHMARK(BM_ClassifyCommand_HostMix);

// A 20-line procleak-rules(5) file: thresholds, expect, name, pool and ignore rules.
const std::string kRules = R"(# procleak rules for the ops hosts
threshold near_memory_limit 0.85
threshold pids_near_limit 0.9
threshold memory_pressure_avg60 15
threshold restart_loop_count 3

# MCP servers: one copy per gateway
expect signature "^npm exec @modelcontextprotocol/server-filesystem > sh > node" count=1 container=^mcp-hub$
expect signature "^npm exec @playwright/mcp" count=1 container=^mcp-hub$
expect signature "^npm exec mcp-remote" count=2
name cmdline "^node /app/workers/[a-z]+\.js --shard=\d+" as="app worker"
name cmdline "^python3 /opt/jobs/worker\.py" as="jobs worker"
# pools
pool comm ^php-fpm
pool cmdline "^postgres: " container=^db$
pool cmdline "celery -A tasks worker"
pool exe /usr/sbin/nginx$
# noise
ignore comm ^kworker/
ignore cmdline "^sleep \d+$"
)";

void BM_ParseRules_20Lines(benchmark::State& state) {
  for (auto _ : state) {
    absl::StatusOr<Rules> rules = ParseRules(kRules, "ops.rules");
    if (!rules.ok()) {
      state.SkipWithError(std::string(rules.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(rules);
  }
  state.SetBytesProcessed(static_cast<int64_t>(kRules.size()) * state.iterations());
}
BENCHMARK(BM_ParseRules_20Lines);

}  // namespace
}  // namespace procleak

BENCHMARK_MAIN();
