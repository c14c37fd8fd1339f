// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reads host facts under a root: hostname, kernel release, boot time, meminfo.

#include <string_view>

#include "absl/status/statusor.h"
#include "procleak/snapshot.h"

namespace procleak {

// Fills hostname (ROOT/proc/sys/kernel/hostname), kernel (ROOT/proc/sys/kernel/osrelease),
// boot_time (btime of ROOT/proc/stat) and mem_* (ROOT/proc/meminfo). Missing hostname, osrelease or
// meminfo leave fields empty/absent; a missing or malformed ROOT/proc/stat is an error naming it,
// since every process's start time depends on it. cgroup_mode and scanned_at are left to the caller.
absl::StatusOr<Host> ReadHost(std::string_view root);

}  // namespace procleak
