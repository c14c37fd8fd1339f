// SPDX-License-Identifier: Apache-2.0
#pragma once
// Groups spawn chains by (container, signature) and decides leak, pool or single from evidence.

#include <vector>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "signature/chains.h"
#include "signature/rules.h"

namespace procleak {

// One Group per (container, chain signature), chains oldest first, with spawner, orphan flag,
// memory, spawn rate, expected count (expect rules) and the classification with its evidence:
//  - count above a rule's expected count: leak;
//  - a pool rule, or chains forked by a parent running the same executable and started together,
//    with no orphan: pool;
//  - wrapper chains or single processes exec'd by a different program, started in spaced cycles
//    or orphaned: leak;
//  - anything else with more than one chain: pool (identical, but nothing says it leaks).
std::vector<Group> BuildGroups(const Snapshot& snapshot, const Rules& rules,
                               const std::vector<SpawnChain>& chains);

}  // namespace procleak
