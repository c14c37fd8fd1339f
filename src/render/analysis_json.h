// SPDX-License-Identifier: Apache-2.0
#pragma once
// The `containers`, `groups` and `findings` sections of the procleak.scan/1 document, streamed.

#include "nlohmann/json.hpp"
#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "render/json_writer.h"

namespace procleak {

// One element of the "findings" array (also used by the procleak.diff/1 document).
void WriteFinding(JsonWriter& w, const Finding& finding);
// The same element as a tree, for documents still built as trees.
nlohmann::ordered_json FindingJson(const Finding& finding);

// The "containers" member: every container of the snapshot.
void WriteContainersJson(JsonWriter& w, const Snapshot& snapshot);
// The "groups" and "findings" members.
void WriteAnalysisJson(JsonWriter& w, const Analysis& analysis);

}  // namespace procleak
