// SPDX-License-Identifier: Apache-2.0
#pragma once
// The containers table and the findings section of the text report.

#include <string>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "render/style.h"

namespace procleak {

// Containers by memory (largest first, at most `max_rows`), with limit, use, processes, restarts.
std::string ContainerTable(const Snapshot& snapshot, size_t max_rows, const Style& style);

// Findings by severity: critical and warning with message, evidence and action (commands on
// their own lines, continued with " \" so they paste); info findings one line each.
std::string FindingsText(const Snapshot& snapshot, const Analysis& analysis, const Style& style);

// Wraps `text` at spaces to `width` columns, each line after the first starting with `indent`; a
// word wider than a line is broken between characters.
std::string Wrap(std::string_view text, size_t width, std::string_view indent);

}  // namespace procleak
