// SPDX-License-Identifier: Apache-2.0
#pragma once
// The analysis behind procleak's reports made from a scan that did not read everything (a
// ReadPlan without `exact`): what it left out is read where the analysis or the report needs it.

#include <cstddef>

#include "absl/status/statusor.h"
#include "procleak/analysis.h"
#include "procleak/scan.h"
#include "procleak/snapshot.h"
#include "render/text_report.h"
#include "signature/rules.h"

namespace procleak {

// Analyses *snapshot (a Scan() of `options` without ReadPlan::exact) with `rules` (null:
// built-in), then replaces it by one refined in a single pass (Refine()): the in-namespace pid of
// the processes NamespaceCandidates() names, and, without pss, exact RSS for every process of a
// finding's group or container and for the first `largest` processes of the text report's
// processes table (`view`'s order and filter; null: by RSS), twice as many (they are ranked by
// stat's figure). Analyses again only when the refinement changed what the
// analysis depends on: a candidate runs in a nested PID namespace (its init adopts orphans), or
// there are findings and the RSS of one of their processes changed. Errors as Scan().
absl::StatusOr<Analysis> AnalyzeRefined(const ScanOptions& options, const Rules* rules,
                                        size_t largest, Snapshot* snapshot,
                                        const TextOptions* view = nullptr);

}  // namespace procleak
