// SPDX-License-Identifier: Apache-2.0
#include "cgroupfs/cgroup_layout.h"

#include <algorithm>

namespace procleak {
namespace {

std::vector<std::string> SplitList(std::string_view text, char separator) {
  std::vector<std::string> items;
  while (!text.empty()) {
    size_t end = text.find(separator);
    std::string_view item = text.substr(0, end);
    while (!item.empty() && (item.back() == '\n' || item.back() == ' ')) item.remove_suffix(1);
    if (!item.empty()) items.emplace_back(item);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return items;
}

// v1 super options hold mount flags and the controllers: "rw,nosuid,memory" or "rw,name=systemd".
std::vector<std::string> V1Controllers(std::string_view super_options) {
  static constexpr std::string_view kNotControllers[] = {
      "rw",       "ro",       "nosuid",         "nodev",
      "noexec",   "relatime", "noatime",        "clone_children",
      "noprefix", "xattr",    "cpuset_v2_mode", "favordynmods"};
  std::vector<std::string> controllers;
  for (std::string& option : SplitList(super_options, ',')) {
    if (option.find('=') != std::string::npos && !option.starts_with("name=")) continue;
    if (std::find(std::begin(kNotControllers), std::end(kNotControllers), option) !=
        std::end(kNotControllers))
      continue;
    controllers.push_back(std::move(option));
  }
  std::sort(controllers.begin(), controllers.end());
  return controllers;
}

}  // namespace

bool CgroupHierarchy::Has(std::string_view controller) const {
  return std::find(controllers.begin(), controllers.end(), controller) != controllers.end();
}

const CgroupHierarchy* CgroupLayout::MemoryHierarchy() const {
  return ForController("memory") ? ForController("memory") : Unified();
}

const CgroupHierarchy* CgroupLayout::ForController(std::string_view controller) const {
  for (const CgroupHierarchy& h : hierarchies) {
    if (!h.v2 && h.Has(controller)) return &h;
  }
  const CgroupHierarchy* unified = Unified();
  return unified != nullptr && unified->Has(controller) ? unified : nullptr;
}

const CgroupHierarchy* CgroupLayout::Unified() const {
  for (const CgroupHierarchy& h : hierarchies) {
    if (h.v2) return &h;
  }
  return nullptr;
}

CgroupLayout DiscoverCgroupLayout(const std::vector<MountInfo>& mounts,
                                  std::string_view v2_controllers) {
  CgroupLayout layout;
  bool any_v1 = false, any_v2 = false;
  for (const MountInfo& mount : mounts) {
    CgroupHierarchy h;
    if (mount.fstype == "cgroup2") {
      h.v2 = true;
      h.controllers = SplitList(v2_controllers, ' ');
      std::sort(h.controllers.begin(), h.controllers.end());
    } else if (mount.fstype == "cgroup") {
      h.controllers = V1Controllers(mount.super_options);
    } else {
      continue;
    }
    // A hierarchy mounted twice (bind mounts, containers) keeps its first row.
    bool seen = std::any_of(layout.hierarchies.begin(), layout.hierarchies.end(),
                            [&](const CgroupHierarchy& other) {
                              return other.v2 == h.v2 && other.controllers == h.controllers;
                            });
    if (seen) continue;
    (h.v2 ? any_v2 : any_v1) = true;
    h.root = mount.root;
    h.mount_point = mount.mount_point;
    layout.hierarchies.push_back(std::move(h));
  }
  layout.mode = any_v1 && any_v2 ? CgroupMode::kHybrid
                : any_v1         ? CgroupMode::kV1
                : any_v2         ? CgroupMode::kV2
                                 : CgroupMode::kNone;
  return layout;
}

namespace {

// Whether the comma-separated `listed` names exactly the controllers in `sorted`, in any order;
// no allocation, as it runs for every process.
bool SameControllers(std::string_view listed, const std::vector<std::string>& sorted) {
  size_t count = 0;
  while (true) {
    const size_t comma = listed.find(',');
    const std::string_view name = listed.substr(0, comma);
    if (!std::binary_search(sorted.begin(), sorted.end(), name,
                            [](std::string_view a, std::string_view b) { return a < b; })) {
      return false;
    }
    ++count;
    if (comma == std::string_view::npos) break;
    listed.remove_prefix(comma + 1);
  }
  return count == sorted.size();
}

}  // namespace

const CgroupMembership* FindMembership(const std::vector<CgroupMembership>& lines,
                                       const CgroupHierarchy& hierarchy) {
  for (const CgroupMembership& line : lines) {
    if (hierarchy.v2) {
      if (line.hierarchy_id == 0 && line.controllers.empty()) return &line;
      continue;
    }
    if (line.hierarchy_id == 0) continue;
    if (SameControllers(line.controllers, hierarchy.controllers)) return &line;
  }
  return nullptr;
}

std::optional<std::string> CgroupDirectory(const CgroupHierarchy& hierarchy,
                                           std::string_view cgroup_path) {
  if (cgroup_path.empty() || cgroup_path.front() != '/') return std::nullopt;
  if (cgroup_path == "/.." || cgroup_path.starts_with("/../")) return std::nullopt;
  std::string_view root = hierarchy.root;
  while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
  std::string_view rest = cgroup_path;
  if (root != "/") {
    if (!rest.starts_with(root)) return std::nullopt;
    rest.remove_prefix(root.size());
    if (!rest.empty() && rest.front() != '/') return std::nullopt;  // "/a" is not under "/ab"
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find("/../") != std::string_view::npos || rest.ends_with("/..")) return std::nullopt;
  std::string_view mount = hierarchy.mount_point;
  while (!mount.empty() && mount.back() == '/') mount.remove_suffix(1);
  if (mount.empty() && rest.empty()) return std::string("/");
  std::string dir;
  dir.reserve(mount.size() + rest.size());
  dir.append(mount.data(), mount.size());
  dir.append(rest.data(), rest.size());
  return dir;
}

}  // namespace procleak
