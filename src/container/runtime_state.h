// SPDX-License-Identifier: Apache-2.0
#pragma once
// Where each runtime keeps a running container's state on the host, one table row per place:
// a container some runtime's own state names is verified; one only a cgroup path names is not
// (anyone who may create cgroups can call one "docker/<64 hex>"). Docker's config.v2.json, read
// whole, and kubelet's log links are checked by container_reader.cc.

#include <string>
#include <string_view>
#include <vector>

#include "base/read_file.h"

namespace procleak {

// The paths (absolute, before the scan root is put in front) whose presence says that `runtime`
// runs a container `id` (its name for LXC and systemd-nspawn); rootless podman's need the user,
// read from `cgroup` (".../user@1000.service/..."). Empty for an id that is not one path segment
// ("", ".", "..", or holding '/' or NUL, as a decoded machine name may) and for other runtimes.
std::vector<std::string> RuntimeStatePaths(std::string_view runtime, std::string_view id,
                                           std::string_view cgroup);

// Whether one of RuntimeStatePaths exists under `root` (not followed if it is a link itself).
// A path that may not be looked at counts as a denied read in *skips.
bool RuntimeStateExists(std::string_view root, std::string_view runtime, std::string_view id,
                        std::string_view cgroup, SkipCounter* skips);

}  // namespace procleak
