// SPDX-License-Identifier: Apache-2.0
#include "cli/brief_report.h"

#include <algorithm>
#include <vector>

#include "analysis/lineage.h"
#include "render/text_report.h"

namespace procleak {

absl::StatusOr<Analysis> AnalyzeBriefScan(const ScanOptions& options, const Rules* rules,
                                          Snapshot* snapshot) {
  Analysis analysis = Analyze(*snapshot, rules);
  const std::vector<int> inits = NamespaceCandidates(*snapshot, analysis);
  absl::Status refined = RefineNamespaces(options, inits, snapshot);
  if (!refined.ok()) return refined;
  if (std::any_of(inits.begin(), inits.end(), [&](int pid) {
        const Process* p = snapshot->FindProcess(pid);
        return p != nullptr && p->ns_pid.has_value();
      })) {
    analysis = Analyze(*snapshot, rules);
  }
  if (options.pss) return analysis;  // RSS and PSS came exact from smaps_rollup
  // Findings do not depend on RSS for whether they exist, only for their figures and order;
  // without any, the analysis holds nothing the report shows and stands.
  refined = RefineRss(options, PidsWithShownRss(*snapshot, analysis, {}), snapshot);
  if (!refined.ok()) return refined;
  if (!analysis.findings.empty()) analysis = Analyze(*snapshot, rules);
  return analysis;
}

}  // namespace procleak
