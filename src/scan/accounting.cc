// SPDX-License-Identifier: Apache-2.0
#include "scan/accounting.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"

namespace procleak {
namespace {

bool ListsController(std::string_view controllers, std::string_view wanted) {
  while (!controllers.empty()) {
    size_t comma = controllers.find(',');
    if (controllers.substr(0, comma) == wanted) return true;
    if (comma == std::string_view::npos) break;
    controllers.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string AccountingCgroupPath(const std::vector<CgroupMembership>& lines,
                                 const CgroupLayout& layout) {
  if (const CgroupHierarchy* memory = layout.MemoryHierarchy()) {
    const CgroupMembership* line = FindMembership(lines, *memory);
    return line ? line->path : "";
  }
  const CgroupMembership* v2 = nullptr;
  for (const CgroupMembership& line : lines) {
    if (line.hierarchy_id != 0 && ListsController(line.controllers, "memory")) return line.path;
    if (line.hierarchy_id == 0 && line.controllers.empty()) v2 = &line;
  }
  return v2 ? v2->path : "";
}

void InheritZombieCgroups(const CgroupLayout& layout, std::vector<Process>& processes) {
  const CgroupHierarchy* memory = layout.MemoryHierarchy();
  if (memory == nullptr || memory->v2) return;  // v2 zombies keep their cgroup
  if (std::none_of(processes.begin(), processes.end(),
                   [](const Process& p) { return p.state == 'Z' && p.cgroup == "/"; })) {
    return;
  }
  absl::flat_hash_map<int, size_t> index;
  for (size_t i = 0; i < processes.size(); ++i) index.emplace(processes[i].pid, i);
  for (Process& p : processes) {
    if (p.state != 'Z' || p.cgroup != "/") continue;
    // Bounded walk: a parent cycle in corrupt input cannot loop forever.
    const Process* up = &p;
    for (size_t hops = 0; hops < processes.size(); ++hops) {
      auto parent = index.find(up->ppid);
      if (parent == index.end() || parent->second == static_cast<size_t>(up - processes.data()))
        break;
      up = &processes[parent->second];
      if (up->state != 'Z') {
        p.cgroup = up->cgroup;
        break;
      }
    }
  }
}

}  // namespace procleak
