// SPDX-License-Identifier: Apache-2.0
#pragma once
// Who runs where on a generated host: the processes, cgroups and containers GenerateTree writes.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fixture_files.h"

namespace procleak::bench {

struct CgroupSpec {
  std::string path;                    // "/" or "/system.slice/cron.service"
  std::optional<uint64_t> memory_max;  // bytes; absent: "max"
  std::optional<uint64_t> pids_max;    // absent: "max"
  bool container = false;              // processes get a pid in the container's namespace
  uint64_t oom_kills = 0;
  double pressure_avg60 = 0;
  // Filled in as processes are added.
  std::vector<int> pids{};
  uint64_t rss_pages = 0;  // of its processes, for memory.current
  uint64_t tasks = 0;      // threads, for pids.current
  int next_nspid = 1;
};

struct DockerContainer {
  DockerConfigFields config;
  std::optional<uint64_t> configured_memory;  // hostconfig.json Memory
  std::string restart_policy;
};

struct GeneratedHost {
  std::vector<FakeProcess> processes;  // in pid order
  std::vector<CgroupSpec> cgroups;     // FakeProcess::cgroup indexes this; [0] is the root
  std::vector<DockerContainer> containers;
};

// Exactly `processes` processes (at least 100) in the mix GenerateTree describes.
GeneratedHost Populate(int processes);

}  // namespace procleak::bench
