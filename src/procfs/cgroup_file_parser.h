// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for /proc/PID/cgroup.

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "procleak/snapshot.h"

namespace procleak {

// Each line is `ID:controllers:path`, split on the first two ':' only (paths may hold ':').
// A v2 zombie's " (deleted)" suffix is removed. Errors name the line: "line 3: no ':' ...".
absl::StatusOr<std::vector<CgroupMembership>> ParseProcCgroup(std::string_view text);

}  // namespace procleak
