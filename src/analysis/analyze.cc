// SPDX-License-Identifier: Apache-2.0
// Analyze(): chains -> groups -> findings, ordered for the report.

#include <algorithm>

#include "analysis/findings.h"
#include "analysis/groups.h"
#include "base/text_format.h"
#include "procleak/analysis.h"
#include "signature/chains.h"
#include "signature/rules.h"

namespace procleak {

const char* ClassificationName(Classification c) {
  switch (c) {
    case Classification::kLeak:
      return "leak";
    case Classification::kPool:
      return "pool";
    case Classification::kSingle:
      break;
  }
  return "single";
}

const char* OriginName(Origin o) {
  switch (o) {
    case Origin::kInit:
      return "init";
    case Origin::kGone:
      return "gone";
    case Origin::kSpawner:
      break;
  }
  return "spawner";
}

const char* SeverityName(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "critical";
    case Severity::kWarning:
      return "warning";
    case Severity::kInfo:
      break;
  }
  return "info";
}

Analysis Analyze(const Snapshot& snapshot, const Rules* rules) {
  const Rules builtin;  // shares the compiled built-in rules: no work when unused
  const Rules& use = rules == nullptr ? builtin : *rules;
  Analysis analysis;
  std::vector<SpawnChain> chains = BuildChains(snapshot, use);
  analysis.groups = BuildGroups(snapshot, use, chains);
  analysis.findings = ChainFindings(snapshot, analysis.groups);
  for (auto* more_findings : {&ContainerFindings, &CgroupFindings}) {
    std::vector<Finding> more = more_findings(snapshot, analysis.groups, use.thresholds());
    analysis.findings.insert(analysis.findings.end(), std::make_move_iterator(more.begin()),
                             std::make_move_iterator(more.end()));
  }
  // Every output prints these whole: bounded here, whatever names and paths went into them.
  for (Finding& f : analysis.findings) {
    f.message = BoundText(f.message, kMaxFindingTextBytes);
    for (std::string& e : f.evidence) e = BoundText(e, kMaxFindingTextBytes);
    f.action = BoundText(f.action, kMaxActionBytes);
  }
  std::stable_sort(analysis.findings.begin(), analysis.findings.end(),
                   [](const Finding& a, const Finding& b) {
                     if (a.severity != b.severity) return a.severity > b.severity;
                     return a.rss_bytes > b.rss_bytes;
                   });
  return analysis;
}

std::optional<Severity> WorstSeverity(const Analysis& analysis) {
  std::optional<Severity> worst;
  for (const Finding& f : analysis.findings) {
    if (!worst || f.severity > *worst) worst = f.severity;
  }
  return worst;
}

}  // namespace procleak
