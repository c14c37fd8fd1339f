// SPDX-License-Identifier: Apache-2.0
#pragma once
// Groups spawn chains by scope, signature and lineage, and decides leak, pool or single.

#include <vector>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "signature/chains.h"
#include "signature/rules.h"

namespace procleak {

// One Group per (scope, root signature, lineage) (see lineage.h: who started each chain) of the
// chains whose root has not exited (a zombie waiting to be reaped is no copy), chains
// oldest first, with spawner, orphan flags, memory, spawn rate, expected count (expect rules) and
// the classification with its evidence (group_evidence.h). Leaks first, then by RSS.
std::vector<Group> BuildGroups(const Snapshot& snapshot, const Rules& rules,
                               const std::vector<SpawnChain>& chains);

}  // namespace procleak
