// SPDX-License-Identifier: Apache-2.0
#pragma once
// The `procleak.scan/1` JSON document (see man/procleak.1, OUTPUT), streamed.

#include <functional>
#include <optional>
#include <string>

#include "nlohmann/json.hpp"
#include "procleak/analysis.h"
#include "procleak/snapshot.h"
#include "render/json_writer.h"

namespace procleak {

inline constexpr const char* kScanSchema = "procleak.scan/1";

struct JsonOptions {
  std::optional<int> subtree_of;        // limit "processes" to this pid and its descendants
  std::string sandbox = "off";          // host.sandbox: "seccomp" when the CLI installed its filter
  std::optional<int> reused_processes;  // host.reused_processes (watch)
  std::function<void(JsonWriter&)> more;  // adds members after "findings" (watch's "changes")
};

// Streams the document: host, cgroups, processes and containers, then with `analysis` (an
// Analyze() of `snapshot`) groups and findings.
void WriteScanJson(JsonWriter& w, const Snapshot& snapshot, const Analysis* analysis,
                   const JsonOptions& options);

// The document as a string; indent < 0 gives one line.
std::string ScanJsonString(const Snapshot& snapshot, const Analysis* analysis,
                           const JsonOptions& options, int indent);

// Serialises a tree without throwing: bytes that are not UTF-8 become U+FFFD. indent < 0 gives
// one line. (For the documents still built as trees.)
std::string DumpJson(const nlohmann::ordered_json& doc, int indent);

}  // namespace procleak
