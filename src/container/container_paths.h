// SPDX-License-Identifier: Apache-2.0
#pragma once
// Which container a cgroup path belongs to: one table row per runtime layout, no daemon asked.

#include <optional>
#include <string>
#include <string_view>

namespace procleak {

struct ContainerRef {
  std::string runtime;  // "docker", "containerd", "cri-o", "podman", "lxc", "nspawn"
  std::string id;       // full container id; the name for LXC and systemd-nspawn
  // The container's own cgroup: `cgroup_path` cut after the segment that names the container
  // ("/docker/<id>/sub" -> "/docker/<id>").
  std::string cgroup;
  std::string pod_uid;  // Kubernetes pod UID with '-' (from "pod<uid>"), "" otherwise
};

// Matches Docker (cgroupfs "/docker/<id>", systemd "docker-<id>.scope"), containerd/Kubernetes
// ("kubepods.../pod<uid>/<id>", "cri-containerd-<id>.scope", ":cri-containerd:<id>"), CRI-O
// ("crio-<id>.scope"), podman ("libpod-<id>.scope", "libpod-conmon-" is not a container), LXC
// ("/lxc/<name>", "lxc.payload.<name>"), systemd-nspawn ("machine-<name>.scope", "\x2d" decoded)
// and nested or namespaced paths (the innermost container wins). nullopt for plain cgroups.
std::optional<ContainerRef> MatchContainerCgroup(std::string_view cgroup_path);

}  // namespace procleak
