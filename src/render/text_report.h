// SPDX-License-Identifier: Apache-2.0
#pragma once
// The human-readable `procleak scan` report and `--tree` view, as wide as the terminal.

#include <optional>
#include <string>
#include <vector>

#include "procleak/analysis.h"
#include "procleak/rules.h"
#include "procleak/snapshot.h"
#include "render/report_scope.h"
#include "render/row_order.h"
#include "render/style.h"

namespace procleak {

struct TextOptions {
  bool color = false;         // ANSI colours; the CLI sets it only for a TTY without NO_COLOR
  size_t max_cgroups = 15;    // rows in the containers table and in the cgroup table
  size_t max_processes = 10;  // rows in the largest-processes table
  // Terminal columns no line exceeds (kNoWidthLimit: none is cut); at least 40.
  size_t width = kWidth;
  SortKey sort = SortKey::kMemory;  // the order of the containers, cgroups and processes tables
  // What is shown (scan --container, --user, --cgroup); null: everything.
  const ReportScope* scope = nullptr;
  std::optional<int> subtree_of;       // limit the process list to this pid's subtree
  const Analysis* analysis = nullptr;  // adds containers and findings; collapses tree siblings
  // The scan ran without root: denied reads are other users' files, and the footer says so once.
  bool not_root = false;
  // Memory use at or above near_memory_limit (of the host, of a cgroup's limit) is shown as a
  // warning, at or above critical_memory_limit as critical: as the findings rate it.
  Thresholds thresholds;
};

// Host memory line, then (with an analysis) containers and findings by severity with evidence and
// action, then cgroups by memory with limits and process counts, largest processes, footer.
std::string RenderScanText(const Snapshot& snapshot, const TextOptions& options);

// A warning saying what the scanned /proc hides (Host::proc_hidden) and how to see the rest,
// wrapped to `width` columns; "" when it hides nothing. The report, the tree and watch print it.
std::string ProcHiddenLines(const Snapshot& snapshot, bool color, size_t width = kWidth);

// The processes whose RSS RenderScanText shows or sums: every process of a finding's group or
// container, and the first ones of the processes table in its order (options.sort, scope),
// `margin` times as many as it lists (a brief scan ranks by stat's RSS, which is a few dozen pages
// off). What RefineRss should make exact.
std::vector<int> PidsWithShownRss(const Snapshot& snapshot, const Analysis& analysis,
                                  const TextOptions& options, size_t margin = 2);

// The process tree with each node's subtree process count and RSS; from `subtree_of` when set,
// else from every root, then from the lowest pid of each parent cycle (corrupt input). Children
// of kernel threads are folded into their parent's line unless the tree starts at that kernel
// thread. With an analysis, two or more sibling chains of one group
// become one line: "9x npm exec @scope/x > sh > node (of 20: 3 orphaned)". With a scope, only the
// shown processes and their ancestors (for where they hang) have lines.
std::string RenderTree(const Snapshot& snapshot, const TextOptions& options);

}  // namespace procleak
