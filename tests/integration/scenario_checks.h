// SPDX-License-Identifier: Apache-2.0
#pragma once
// What procleak.scan/1 must say about each live scenario (issue 15's detection model), as lists
// of problems: empty when the document says exactly that. The tests assert them empty; the
// summary table counts them.

#include <set>
#include <string>
#include <vector>

#include "scenario_stage.h"
#include "testing/json_expect.h"

namespace procleak::testing {

// A leak scenario's one group: exactly the scenario's copies as whole chains (root pids, count,
// each chain's pids as /proc showed them, oldest first), classification "leak", its origin,
// spawner or process group, rule count, scope, orphaned flags, and an "ns pid" evidence line
// where the copies run in a pid namespace.
std::vector<std::string> LeakGroupProblems(const Scenario& s, const Json& doc);

// A leak scenario's findings: duplicate_chain naming the surplus chains' pids (the oldest
// `count - (expected or 1)`, oldest first) and orphaned_chain naming the orphaned chains' pids,
// each at warning or above, each required where the scenario's expectation says so, and no other
// finding at warning or above on its copies.
std::vector<std::string> LeakFindingProblems(const Scenario& s, const Json& doc);

// A legitimate scenario: no finding at warning or above names any of its pids, no group holding
// any of them is a leak, and no group joins processes the scenario keeps apart (look-alikes).
std::vector<std::string> LegitProblems(const Scenario& s, const Json& doc);

// The findings at warning or above that name any of a scenario's pids, by index in findings[].
std::set<size_t> WarningsOn(const Scenario& s, const Json& doc);

// processes[]: pgid, sid and tty_nr as /proc showed them, ns_pid the in-namespace pid (null
// outside nested namespaces), for every process of the scenario.
std::vector<std::string> ProcessFieldProblems(const Scenario& s, const Json& doc);

// Why a leak scenario's checks cannot run here ("" when they can): orphans went to a subreaper
// and the scenario's group is made of them.
std::string LeakChecksSkipped(const Scenario& s);

// For the summary: what the scenario should show, and what the document shows for its
// processes ("1 group: 5x leak (spawner); duplicate_chain/warning 12 pids").
std::string Expected(const Scenario& s);
std::string Found(const Scenario& s, const Json& doc);

}  // namespace procleak::testing
