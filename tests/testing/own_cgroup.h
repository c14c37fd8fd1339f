// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: this process's own cgroup, worked out independently of procleak.

#include <string>

namespace procleak::testing {

// The memory-accounting cgroup of this process from /proc/self/cgroup: the v1 line that lists
// "memory" if there is one, else the v2 "0::" line.
std::string OwnAccountingCgroup();

}  // namespace procleak::testing
