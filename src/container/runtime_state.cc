// SPDX-License-Identifier: Apache-2.0
// RuntimeStatePaths: a table of the directories and files runtimes keep per running container.

#include "container/runtime_state.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>

#include "model/runtimes.h"

namespace procleak {
namespace {

struct StatePath {
  Runtime runtime;
  // {id} is the container's id; {uid} the user of a rootless runtime.
  std::string_view pattern;
};

// See the FILES section of procleak(1). Rootless LXC keeps its state in the user's home, which
// procleak does not look up: such containers stay unverified.
constexpr std::array<StatePath, 14> kStatePaths = {{
    // containerd's v2 shims: one directory per task and namespace ("moby" is Docker's, "k8s.io"
    // the CRI plugin's, "default" ctr's and nerdctl's).
    {Runtime::kDocker, "/run/containerd/io.containerd.runtime.v2.task/moby/{id}"},
    {Runtime::kContainerd, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/{id}"},
    {Runtime::kContainerd, "/run/containerd/io.containerd.runtime.v2.task/default/{id}"},
    {Runtime::kContainerd, "/run/containerd/io.containerd.runtime.v2.task/moby/{id}"},
    // containers/storage (CRI-O and podman): the run root, then the graph root.
    {Runtime::kCriO, "/run/containers/storage/overlay-containers/{id}"},
    {Runtime::kCriO, "/var/lib/containers/storage/overlay-containers/{id}"},
    {Runtime::kPodman, "/run/containers/storage/overlay-containers/{id}"},
    {Runtime::kPodman, "/var/lib/containers/storage/overlay-containers/{id}"},
    {Runtime::kPodman, "/run/user/{uid}/containers/overlay-containers/{id}"},
    // LXC's default lxcpath, then LXD (snap and deb) and Incus, which name the cgroup alike.
    {Runtime::kLxc, "/var/lib/lxc/{id}/config"},
    {Runtime::kLxc, "/var/snap/lxd/common/lxd/containers/{id}"},
    {Runtime::kLxc, "/var/lib/lxd/containers/{id}"},
    {Runtime::kLxc, "/var/lib/incus/containers/{id}"},
    // systemd-machined's registration of a machine.
    {Runtime::kNspawn, "/run/systemd/machines/{id}"},
}};

bool IsOneSegment(std::string_view id) {
  return !id.empty() && id != "." && id != ".." && id.find('/') == std::string_view::npos &&
         id.find('\0') == std::string_view::npos;
}

// "1000" from ".../user@1000.service/...", "" when the cgroup is no user manager's.
std::string_view UserOf(std::string_view cgroup) {
  constexpr std::string_view kPrefix = "/user@", kSuffix = ".service";
  const size_t at = cgroup.find(kPrefix);
  if (at == std::string_view::npos) return {};
  std::string_view rest = cgroup.substr(at + kPrefix.size());
  const size_t end = rest.find(kSuffix);
  if (end == std::string_view::npos || end == 0) return {};
  std::string_view uid = rest.substr(0, end);
  for (char c : uid) {
    if (c < '0' || c > '9') return {};
  }
  return uid;
}

void Replace(std::string* text, std::string_view key, std::string_view value) {
  const size_t at = text->find(key);
  if (at != std::string::npos) text->replace(at, key.size(), value);
}

}  // namespace

std::vector<std::string> RuntimeStatePaths(std::string_view runtime, std::string_view id,
                                           std::string_view cgroup) {
  std::vector<std::string> paths;
  if (!IsOneSegment(id)) return paths;
  const Runtime r = RuntimeNamed(runtime).runtime;
  const std::string_view uid = UserOf(cgroup);
  for (const StatePath& row : kStatePaths) {
    if (row.runtime != r || r == Runtime::kUnknown) continue;
    std::string path(row.pattern);
    if (path.find("{uid}") != std::string::npos) {
      if (uid.empty()) continue;
      Replace(&path, "{uid}", uid);
    }
    Replace(&path, "{id}", id);
    paths.push_back(std::move(path));
  }
  return paths;
}

bool RuntimeStateExists(std::string_view root, std::string_view runtime, std::string_view id,
                        std::string_view cgroup, SkipCounter* skips) {
  for (const std::string& path : RuntimeStatePaths(runtime, id, cgroup)) {
    const std::string under_root = JoinPath(root, path);
    struct stat st;
    if (fstatat(AT_FDCWD, under_root.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return true;
    if (errno == EACCES || errno == EPERM) ++skips->denied;
  }
  return false;
}

}  // namespace procleak
