// SPDX-License-Identifier: Apache-2.0
#include "model/runtimes.h"

#include <array>

namespace procleak {
namespace {

constexpr std::string_view kGenericLogs = "read the container's logs for why it exits";

constexpr std::array<RuntimeRow, 7> kRuntimes = {{
    {Runtime::kUnknown, "", "", kGenericLogs},
    {Runtime::kDocker, "docker",
     "docker update --memory {0} --memory-swap {0} {1}; in compose: mem_limit: {0} (or "
     "deploy.resources.limits.memory: {0})",
     "read why it exits: docker logs --tail 50 {0}; docker inspect --format "
     "'{{{{.State.ExitCode}}}} {{{{.State.Error}}}}' {0}"},
    {Runtime::kContainerd, "containerd",
     "set resources.limits.memory: {0} on the pod's container spec", kGenericLogs},
    {Runtime::kCriO, "cri-o", "set resources.limits.memory: {0} on the pod's container spec",
     kGenericLogs},
    {Runtime::kPodman, "podman", "podman update --memory {0} {1}", kGenericLogs},
    {Runtime::kLxc, "lxc", "", kGenericLogs},
    {Runtime::kNspawn, "nspawn", "", kGenericLogs},
}};

}  // namespace

const RuntimeRow& RowOf(Runtime runtime) {
  for (const RuntimeRow& row : kRuntimes) {
    if (row.runtime == runtime) return row;
  }
  return kRuntimes[0];
}

const RuntimeRow& RuntimeNamed(std::string_view name) {
  for (const RuntimeRow& row : kRuntimes) {
    if (!name.empty() && row.name == name) return row;
  }
  return kRuntimes[0];
}

}  // namespace procleak
