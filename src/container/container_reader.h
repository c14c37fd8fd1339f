// SPDX-License-Identifier: Apache-2.0
#pragma once
// Builds the snapshot's containers from process cgroups and the runtimes' state files.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/read_file.h"
#include "procleak/snapshot.h"

namespace procleak {

struct ContainerReadOptions {
  std::string root = "/";                       // scan root; every path below is read under it
  std::string docker_root = "/var/lib/docker";  // <docker_root>/containers/<id>/*.json
};

// For every process, matches each of its cgroup_lines (accounting line first; v1 controllers may
// disagree, a hybrid 0:: line may not show the container) and sets Process::container to the id.
// Returns one Container per container found among the processes, plus every Docker container in
// <docker_root>/containers (so a restart-looping container with no process now is still seen).
// Fills id, runtime, name, cgroup, restart_count, restart_policy, state, started_at, init_pid
// (the topmost process inside: its parent is outside the container), pids, and memory_limit from
// hostconfig.json Memory when that is set (the caller overrides it with the cgroup's own limit).
// Names: Docker config.v2.json Name (without '/'); Kubernetes "namespace/pod/container" from
// <root>/var/log/containers/<pod>_<namespace>_<container>-<id>.log; else the init process's
// <root>/proc/<init_pid>/root/etc/hostname, for a verified container only. Verified: its
// config.v2.json was read, a kubelet log link names it, or a runtime's state for it exists
// (runtime_state.h); otherwise it has no name. Missing or unreadable files leave fields empty
// (denied reads counted in *skips); a malformed JSON state file is an error naming the file.
absl::StatusOr<std::vector<Container>> ReadContainers(const ContainerReadOptions& options,
                                                      std::vector<Process>& processes,
                                                      SkipCounter* skips);

}  // namespace procleak
