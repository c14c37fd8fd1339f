// SPDX-License-Identifier: Apache-2.0
#pragma once
// The analysis behind procleak scan's text report, made from a brief scan (ScanOptions::brief).

#include "absl/status/statusor.h"
#include "procleak/analysis.h"
#include "procleak/scan.h"
#include "procleak/snapshot.h"
#include "signature/rules.h"

namespace procleak {

// Reads what the brief read left out where the analysis or the report needs it, and analyses
// `snapshot` (a brief Scan() of `options`) with `rules` (null: built-in): first the in-namespace
// pid of the processes NamespaceCandidates() names, analysing again when one of them runs in a
// nested PID namespace (its init adopts orphans); then, without pss, exact RSS for every process
// the report shows (PidsWithShownRss), analysing again when there are findings, whose figures
// and order come from RSS. Errors as Scan().
absl::StatusOr<Analysis> AnalyzeBriefScan(const ScanOptions& options, const Rules* rules,
                                          Snapshot* snapshot);

}  // namespace procleak
