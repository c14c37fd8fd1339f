// SPDX-License-Identifier: Apache-2.0
#pragma once
// The container runtimes procleak recognises, one row each: the name a snapshot and its documents
// use (Container::runtime), and what to tell an operator to do with such a container. The layouts
// that find containers (src/container) and the findings' actions (src/analysis) use these rows,
// so a runtime is added here, not in each file that acts on one.

#include <string_view>

namespace procleak {

enum class Runtime { kUnknown, kDocker, kContainerd, kCriO, kPodman, kLxc, kNspawn };

struct RuntimeRow {
  Runtime runtime;
  std::string_view name;  // Container::runtime, JSON "runtime", Prometheus label
  // How to set a memory limit: an fmt pattern of {0} the size ("512m", "2g") and {1} the
  // container's name or short id; empty: write the cgroup's own limit file.
  std::string_view limit_action;
  // How to read why it exits (restart loops); an fmt pattern of {0} its name or short id.
  std::string_view logs_action;
};

// The row of `runtime` (kUnknown's for a value outside the enum).
const RuntimeRow& RowOf(Runtime runtime);
// The row named `name` (kUnknown's, named "", for a name no row has).
const RuntimeRow& RuntimeNamed(std::string_view name);
inline std::string_view RuntimeName(Runtime runtime) { return RowOf(runtime).name; }

}  // namespace procleak
