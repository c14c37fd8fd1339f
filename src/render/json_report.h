// SPDX-License-Identifier: Apache-2.0
#pragma once
// The `procleak.scan/1` JSON document (see man/procleak.1, OUTPUT).

#include <optional>
#include <string>

#include "nlohmann/json.hpp"
#include "procleak/snapshot.h"

namespace procleak {

inline constexpr const char* kScanSchema = "procleak.scan/1";

// The document as a tree, so later sections (containers, groups, findings) can be added to it.
// `subtree_of` limits "processes" to one process and its descendants.
nlohmann::ordered_json ScanJson(const Snapshot& snapshot, std::optional<int> subtree_of = {});

// Serialises without throwing: bytes that are not UTF-8 (a process may put anything in its comm
// or argv) become U+FFFD. indent < 0 gives one line.
std::string DumpJson(const nlohmann::ordered_json& doc, int indent);

}  // namespace procleak
