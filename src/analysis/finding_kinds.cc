// SPDX-License-Identifier: Apache-2.0
// FindingKind's one row per kind: its name in JSON, text and Prometheus, and what it is about.

#include <array>

#include "procleak/analysis.h"

namespace procleak {
namespace {

struct KindRow {
  FindingKind kind;
  const char* name;
  bool chain;  // names surplus chains of a group (procleak reap stops them)
};

// In enum order: kKinds[static_cast<size_t>(kind)] is the kind's row.
constexpr std::array<KindRow, 8> kKinds = {{
    {FindingKind::kDuplicateChain, "duplicate_chain", true},
    {FindingKind::kOrphanedChain, "orphaned_chain", true},
    {FindingKind::kNoMemoryLimit, "no_memory_limit", false},
    {FindingKind::kNearMemoryLimit, "near_memory_limit", false},
    {FindingKind::kOomKills, "oom_kills", false},
    {FindingKind::kPidsNearLimit, "pids_near_limit", false},
    {FindingKind::kMemoryPressure, "memory_pressure", false},
    {FindingKind::kRestartLoop, "restart_loop", false},
}};

constexpr bool InEnumOrder() {
  for (size_t i = 0; i < kKinds.size(); ++i) {
    if (static_cast<size_t>(kKinds[i].kind) != i) return false;
  }
  return true;
}
static_assert(InEnumOrder() && kKinds.size() == static_cast<size_t>(FindingKind::kRestartLoop) + 1);

// Null for a value outside the enum (an embedder's cast).
const KindRow* RowOf(FindingKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < kKinds.size() ? &kKinds[i] : nullptr;
}

}  // namespace

const char* FindingKindName(FindingKind kind) {
  const KindRow* row = RowOf(kind);
  return row != nullptr ? row->name : "unknown";
}

std::optional<FindingKind> ParseFindingKind(std::string_view name) {
  for (const KindRow& row : kKinds) {
    if (name == row.name) return row.kind;
  }
  return std::nullopt;
}

bool IsChainFinding(FindingKind kind) {
  const KindRow* row = RowOf(kind);
  return row != nullptr && row->chain;
}

}  // namespace procleak
