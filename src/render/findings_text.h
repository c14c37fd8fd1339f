// SPDX-License-Identifier: Apache-2.0
#pragma once
// The containers table and the findings section of the text report.

#include <string>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "render/style.h"
#include "render/text_report.h"

namespace procleak {

// Containers (those options.scope shows) in options.sort's order, at most options.max_cgroups,
// with limit, use, processes, restarts; the name column as wide as the names and options.width
// allow.
std::string ContainerTable(const Snapshot& snapshot, const TextOptions& options,
                           const Style& style);

// Findings (those options.scope shows) by severity: critical and warning with message, evidence
// and action (commands on their own lines, continued with " \" so they paste); info findings one
// line each; options.width columns wide.
std::string FindingsText(const Snapshot& snapshot, const Analysis& analysis,
                         const TextOptions& options, const Style& style);

// Wraps `text` at spaces to `width` columns, each line after the first starting with `indent`; a
// word wider than a line is broken between characters.
std::string Wrap(std::string_view text, size_t width, std::string_view indent);

}  // namespace procleak
