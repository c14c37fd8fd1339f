// SPDX-License-Identifier: Apache-2.0
#include "render/subtree.h"

#include "absl/container/flat_hash_set.h"

namespace procleak {

std::vector<TreeEntry> WalkSubtree(const Snapshot& snapshot, int pid) {
  std::vector<TreeEntry> out;
  const Process* start = snapshot.FindProcess(pid);
  if (start == nullptr) return out;
  absl::flat_hash_set<int> seen;
  std::vector<TreeEntry> stack{{start, 0, true}};
  while (!stack.empty()) {
    TreeEntry entry = stack.back();
    stack.pop_back();
    if (!seen.insert(entry.process->pid).second) continue;
    out.push_back(entry);
    const std::vector<int>& children = entry.process->children;
    for (size_t i = children.size(); i-- > 0;) {
      const Process* child = snapshot.FindProcess(children[i]);
      if (child != nullptr && !seen.contains(child->pid)) {
        stack.push_back({child, entry.depth + 1, i + 1 == children.size()});
      }
    }
  }
  return out;
}

std::vector<const Process*> SubtreeOf(const Snapshot& snapshot, int pid) {
  std::vector<const Process*> out;
  for (const TreeEntry& entry : WalkSubtree(snapshot, pid)) out.push_back(entry.process);
  return out;
}

}  // namespace procleak
