// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pure parsers for Docker's per-container state files (config.v2.json, hostconfig.json).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace procleak {

struct DockerConfig {  // <docker-root>/containers/<id>/config.v2.json
  std::string id;
  std::string name;  // "Name" without the leading '/'
  std::optional<uint64_t> restart_count;
  std::string state;  // "running", "restarting", "paused", "exited", "dead", "created"
  std::optional<absl::Time> started_at;
  int pid = 0;  // State.Pid, 0 when not running
};
absl::StatusOr<DockerConfig> ParseDockerConfig(std::string_view json);

struct DockerHostConfig {                // <docker-root>/containers/<id>/hostconfig.json
  std::optional<uint64_t> memory_bytes;  // "Memory"; absent when 0 (no limit)
  std::string restart_policy;  // RestartPolicy.Name: "no", "always", "unless-stopped", ...
};
absl::StatusOr<DockerHostConfig> ParseDockerHostConfig(std::string_view json);

}  // namespace procleak
