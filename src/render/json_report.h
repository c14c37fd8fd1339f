// SPDX-License-Identifier: Apache-2.0
#pragma once
// The `procleak.scan/1` JSON document (see man/procleak.1, OUTPUT).

#include <optional>
#include <string>

#include "nlohmann/json.hpp"
#include "procleak/snapshot.h"

namespace procleak {

inline constexpr const char* kScanSchema = "procleak.scan/1";

struct JsonOptions {
  std::optional<int> subtree_of;  // limit "processes" to this pid and its descendants
  std::string sandbox = "off";    // host.sandbox: "seccomp" when the CLI installed its filter
};

// The document as a tree, so later sections (containers, groups, findings) can be added to it.
nlohmann::ordered_json ScanJson(const Snapshot& snapshot, const JsonOptions& options);

inline nlohmann::ordered_json ScanJson(const Snapshot& snapshot,
                                       std::optional<int> subtree_of = {}) {
  JsonOptions options;
  options.subtree_of = subtree_of;
  return ScanJson(snapshot, options);
}

// Serialises without throwing: bytes that are not UTF-8 (a process may put anything in its comm
// or argv) become U+FFFD. indent < 0 gives one line.
std::string DumpJson(const nlohmann::ordered_json& doc, int indent);

}  // namespace procleak
