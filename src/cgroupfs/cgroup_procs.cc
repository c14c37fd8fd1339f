// SPDX-License-Identifier: Apache-2.0
#include "cgroupfs/cgroup_procs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <utility>

#include "base/keyed_values.h"
#include "fmt/format.h"

namespace procleak {
namespace {

// The cgroup path of directory `relative` (under the mount point) as /proc/PID/cgroup shows it:
// the mount's root followed by the relative path.
std::string CgroupPath(const std::string& mount_root, const std::string& relative) {
  if (relative.empty()) return mount_root.empty() ? "/" : mount_root;
  if (mount_root.empty() || mount_root == "/") return "/" + relative;
  return fmt::format("{}/{}", mount_root, relative);
}

// Subdirectory names of the open directory `fd` (which it consumes).
absl::StatusOr<std::vector<std::string>> SubDirectories(int fd, const std::string& path) {
  DIR* dir = fdopendir(fd);
  if (dir == nullptr) {
    int err = errno;
    close(fd);
    return absl::ErrnoToStatus(err, path);
  }
  std::vector<std::string> names;
  while (const dirent* entry = readdir(dir)) {
    if (entry->d_type != DT_DIR) continue;
    std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  closedir(dir);
  return names;
}

// Whether `path` is the root of a real cgroup file system (not a fixture tree) without child
// cgroups. Any doubt answers false, and the walk decides.
bool IsChildlessCgroupfs(const std::string& path) {
  struct statfs fs;
  if (statfs(path.c_str(), &fs) != 0) return false;
  if (fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC) return false;
  int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  absl::StatusOr<std::vector<std::string>> children = SubDirectories(fd, path);
  return children.ok() && children->empty();
}

}  // namespace

absl::StatusOr<std::vector<int>> ParseCgroupProcs(std::string_view text) {
  std::vector<int> pids;
  std::string_view line;
  int number = 0;
  while (NextLine(&text, &line)) {
    ++number;
    if (line.empty()) continue;
    std::optional<uint64_t> pid = ParseU64(line);
    if (!pid || *pid == 0 || *pid > INT_MAX) {
      return absl::InvalidArgumentError(fmt::format("line {}: bad pid", number));
    }
    pids.push_back(static_cast<int>(*pid));
  }
  return pids;
}

absl::StatusOr<std::optional<ProcsMembership>> ReadProcsMembership(std::string_view root,
                                                                   const CgroupHierarchy& hierarchy,
                                                                   size_t max_dirs) {
  ProcsMembership out;
  std::string buffer;
  const std::string top = JoinPath(root, hierarchy.mount_point);
  if (hierarchy.root == "/" && IsChildlessCgroupfs(top)) {
    out.all_in_root = true;
    out.paths.push_back("/");
    return std::optional<ProcsMembership>(std::move(out));
  }
  std::vector<std::string> pending = {""};  // relative paths still to read; no recursion
  size_t dirs = 0;
  while (!pending.empty()) {
    std::string relative = std::move(pending.back());
    pending.pop_back();
    if (++dirs > max_dirs) return std::optional<ProcsMembership>();
    const std::string path = relative.empty() ? top : JoinPath(top, relative);
    int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      // A cgroup removed while we walked is skipped; a mount point that is not there is not.
      if (!relative.empty() && (errno == ENOENT || errno == ENODEV)) continue;
      return std::optional<ProcsMembership>();
    }
    absl::StatusOr<ReadOutcome> read =
        ReadFileAt(fd, path, "cgroup.procs", FileKind::kCgroupProcs, &buffer);
    if (!read.ok()) {
      close(fd);
      return read.status();
    }
    if (*read == ReadOutcome::kDenied) {
      close(fd);
      return std::optional<ProcsMembership>();
    }
    if (*read == ReadOutcome::kRead) {
      absl::StatusOr<std::vector<int>> pids = ParseCgroupProcs(buffer);
      if (!pids.ok()) {
        close(fd);
        std::string_view message(pids.status().message().data(), pids.status().message().size());
        return absl::InvalidArgumentError(fmt::format("{}/cgroup.procs: {}", path, message));
      }
      const uint32_t at = static_cast<uint32_t>(out.paths.size());
      out.paths.push_back(CgroupPath(hierarchy.root, relative));
      for (int pid : *pids) {
        auto [it, inserted] = out.index.try_emplace(pid, at);
        if (!inserted && it->second != at) it->second = ProcsMembership::kConflict;
      }
    }
    absl::StatusOr<std::vector<std::string>> children = SubDirectories(fd, path);
    if (!children.ok()) return std::optional<ProcsMembership>();
    for (std::string& child : *children) {
      pending.push_back(relative.empty() ? std::move(child)
                                         : fmt::format("{}/{}", relative, child));
    }
  }
  return std::optional<ProcsMembership>(std::move(out));
}

}  // namespace procleak
