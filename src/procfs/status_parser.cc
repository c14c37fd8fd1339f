// SPDX-License-Identifier: Apache-2.0
// ParseStatus: the keys of /proc/PID/status procleak uses, through the keyed-values table.

#include "procfs/status_parser.h"

#include <array>

#include "base/keyed_values.h"

namespace procleak {
namespace {

// `Uid:` holds real, effective, saved and fs uids; the keyed parser keeps the first (real) one.
constexpr std::array<KeyedField<ProcStatus>, 4> kStatusFields = {{
    {"Uid", &ProcStatus::uid},
    {"Threads", &ProcStatus::threads},
    {"VmRSS", &ProcStatus::vm_rss_bytes, 1024},
    {"Kthread", &ProcStatus::kthread},
}};

}  // namespace

absl::StatusOr<ProcStatus> ParseStatus(std::string_view text) {
  ProcStatus status;
  absl::Status parsed = ParseKeyedValues<ProcStatus>(text, kStatusFields, &status);
  if (!parsed.ok()) return parsed;
  return status;
}

}  // namespace procleak
