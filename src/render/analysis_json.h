// SPDX-License-Identifier: Apache-2.0
#pragma once
// The `containers`, `groups` and `findings` sections of the procleak.scan/1 document.

#include "nlohmann/json.hpp"
#include "procleak/analysis.h"
#include "procleak/snapshot.h"

namespace procleak {

// One element of the "findings" array (also used by the procleak.diff/1 document).
nlohmann::ordered_json FindingJson(const Finding& finding);

// Adds the three arrays to `doc` (a ScanJson document).
void AddAnalysisJson(const Snapshot& snapshot, const Analysis& analysis,
                     nlohmann::ordered_json* doc);

}  // namespace procleak
