// SPDX-License-Identifier: Apache-2.0
#pragma once
// Leak, pool or single: the facts of one group's chains, kept as its evidence, and the decision.

#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "signature/chains.h"
#include "signature/rules.h"

namespace procleak {

// Sets g->expected (an expect rule), g->classification and g->evidence from the facts of the
// group's chains and the rules. `first` is one of the group's chains as built (the rules see its
// root). The first of these that applies decides (procleak(1), "Leak or pool"):
//  - a pool rule (unless an expect rule listed before it matches): pool;
//  - an expect rule: more chains than expected, copies whose spawner is gone (two or more), or
//    copies left by a spawner's earlier instances: leak; otherwise pool (single for one);
//  - one chain: single;
//  - the spawner is gone and two or more copies remain: leak;
//  - a live spawner holds copies its earlier instances left: leak;
//  - services of an init, jobs of a parallel job runner (make, xargs, ...), sessions (interactive
//    shells, terminal session leaders), copies that each started programs of their own (clients,
//    supervisors), copies forked from a parent running the same program, or copies most of which
//    started in one batch: pool;
//  - copies one live spawner started in separate spawn events and keeps: leak.
void ClassifyGroup(const Snapshot& snapshot, const Rules& rules, const SpawnChain& first, Group* g);

}  // namespace procleak
