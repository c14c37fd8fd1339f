// SPDX-License-Identifier: Apache-2.0
// Container layer costs: Docker state files (once per container per scan) and the cgroup path
// matchers (once per distinct cgroup).
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "container/container_paths.h"
#include "container/docker_state.h"
#include "fixture_files.h"

namespace procleak {
namespace {

// A config.v2.json the size dockerd writes for a compose service (~5 KiB: health log, labels,
// network settings, mounts), not the trimmed ones of the test fixtures.
const std::string& DockerConfigText() {
  static const std::string json =
      bench::DockerConfigJson({.id = bench::HexId("bench/mcp-hub"),
                               .name = "mcp-hub",
                               .image = "ghcr.io/example/mcp-hub:2.3.1",
                               .command = {"/usr/bin/tini", "--", "node", "/app/gateway.js"},
                               .pid = 2000,
                               .started_at = "2026-03-05T09:01:00.118645127Z",
                               .restart_count = 1});
  return json;
}

void BM_ParseDockerConfig(benchmark::State& state) {
  const std::string& json = DockerConfigText();
  for (auto _ : state) {
    absl::StatusOr<DockerConfig> config = ParseDockerConfig(json);
    if (!config.ok()) {
      state.SkipWithError(std::string(config.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(config);
  }
  state.SetBytesProcessed(static_cast<int64_t>(json.size()) * state.iterations());
  state.counters["bytes"] = static_cast<double>(json.size());
}
BENCHMARK(BM_ParseDockerConfig);

void BM_ParseDockerHostConfig(benchmark::State& state) {
  static const std::string json = bench::DockerHostConfigJson(512 << 20, "unless-stopped");
  for (auto _ : state) benchmark::DoNotOptimize(ParseDockerHostConfig(json));
  state.SetBytesProcessed(static_cast<int64_t>(json.size()) * state.iterations());
}
BENCHMARK(BM_ParseDockerHostConfig);

// One path per layout a host meets, plus plain service cgroups (the common case: no match).
void BM_MatchContainerCgroup(benchmark::State& state) {
  static const std::vector<std::string> paths = {
      "/system.slice/docker-ae2a7b7d6e14d304f65fdc524edda060a4b86c7834657436fb88c3afa495de8d"
      ".scope",
      "/docker/4ec6c87d6d2a8b3c1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c8645",
      "/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-pod3f1b7c2e_8d4a_4b6e_9c1f_2a7d5e8b0c13.slice/"
      "cri-containerd-7d206a247ff6050521fb53a544c82c10db427e78a276c5fefea405d0f1f37f02.scope",
      "/user.slice/user-1000.slice/user@1000.service/user.slice/"
      "libpod-aede9f172f53b2a4c8e1d7f6b5a4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f59091.scope/container",
      "/lxc.payload.web01/system.slice/nginx.service",
      "/system.slice/containerd.service",
      "/system.slice/ssh.service",
      "/user.slice/user-1000.slice/session-3.scope",
  };
  for (auto _ : state) {
    for (const std::string& path : paths) benchmark::DoNotOptimize(MatchContainerCgroup(path));
  }
  state.SetItemsProcessed(static_cast<int64_t>(paths.size()) * state.iterations());
}
BENCHMARK(BM_MatchContainerCgroup);

}  // namespace
}  // namespace procleak

BENCHMARK_MAIN();
