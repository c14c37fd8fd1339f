// SPDX-License-Identifier: Apache-2.0
#pragma once
// Walking one process's subtree in a snapshot.

#include <vector>

#include "procleak/snapshot.h"

namespace procleak {

struct TreeEntry {
  const Process* process;
  int depth;          // 0 for the starting process
  bool last_sibling;  // the last child of its parent, for drawing
};

// Pre-order walk from `pid` (children in pid order), iterative and cycle-safe. Empty when `pid`
// is not in the snapshot.
std::vector<TreeEntry> WalkSubtree(const Snapshot& snapshot, int pid);

// The processes of WalkSubtree, without the drawing details.
std::vector<const Process*> SubtreeOf(const Snapshot& snapshot, int pid);

}  // namespace procleak
