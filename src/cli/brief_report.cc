// SPDX-License-Identifier: Apache-2.0
#include "cli/brief_report.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "analysis/lineage.h"
#include "render/text_report.h"

namespace procleak {
namespace {

// The RSS of each of `pids` in `snapshot`, in that order.
std::vector<std::optional<uint64_t>> RssOf(const Snapshot& snapshot, const std::vector<int>& pids) {
  std::vector<std::optional<uint64_t>> rss;
  rss.reserve(pids.size());
  for (int pid : pids) {
    const Process* p = snapshot.FindProcess(pid);
    rss.push_back(p != nullptr ? p->rss_bytes : std::nullopt);
  }
  return rss;
}

}  // namespace

absl::StatusOr<Analysis> AnalyzeRefined(const ScanOptions& options, const Rules* rules,
                                        size_t largest, Snapshot* snapshot,
                                        const TextOptions* view) {
  Analysis analysis = Analyze(*snapshot, rules);
  Refinement what;
  what.namespaces = NamespaceCandidates(*snapshot, analysis);
  // With pss, RSS and PSS came exact from smaps_rollup.
  if (!options.pss) {
    TextOptions shown = view != nullptr ? *view : TextOptions();
    shown.max_processes = largest;
    what.rss = PidsWithShownRss(*snapshot, analysis, shown);
  }
  if (what.namespaces.empty() && what.rss.empty()) return analysis;
  // Findings do not depend on RSS for whether they exist, only for their figures, severity and
  // order: without any, or when no figure changed, the analysis stands.
  std::vector<int> finding_pids;
  if (!analysis.findings.empty()) {
    finding_pids = PidsWithShownRss(*snapshot, analysis, {.max_processes = 0});
  }
  const std::vector<std::optional<uint64_t>> before = RssOf(*snapshot, finding_pids);
  absl::StatusOr<Snapshot> refined = Refine(options, std::move(*snapshot), what);
  if (!refined.ok()) return refined.status();
  *snapshot = *std::move(refined);
  const bool nested = std::any_of(what.namespaces.begin(), what.namespaces.end(), [&](int pid) {
    const Process* p = snapshot->FindProcess(pid);
    return p != nullptr && p->ns_pid.has_value();
  });
  if (nested || RssOf(*snapshot, finding_pids) != before) {
    analysis = Analyze(*snapshot, rules);
  }
  return analysis;
}

}  // namespace procleak
