// SPDX-License-Identifier: Apache-2.0
// ParseStatus: the keys of /proc/PID/status procleak uses, through the keyed-values table.

#include "procfs/status_parser.h"

#include <array>

#include "base/keyed_values.h"
#include "fmt/format.h"

namespace procleak {
namespace {

constexpr std::array<KeyedField<ProcStatus>, 3> kStatusFields = {{
    {"Threads", &ProcStatus::threads},
    {"VmRSS", &ProcStatus::vm_rss_bytes, 1024},
    {"Kthread", &ProcStatus::kthread},
}};

}  // namespace

// `Uid:` holds the real, effective, saved and fs uids, separated by tabs: the second one.
absl::StatusOr<std::optional<uint64_t>> ParseEffectiveUid(std::string_view text) {
  std::string_view line;
  int number = 0;
  while (NextLine(&text, &line)) {
    ++number;
    if (line.substr(0, 4) != "Uid:") continue;
    std::string_view rest = StripWhitespace(line.substr(4));
    size_t gap = rest.find_first_of(" \t");
    std::optional<uint64_t> euid;
    if (gap != std::string_view::npos) {
      rest = StripWhitespace(rest.substr(gap));
      euid = ParseU64(rest.substr(0, rest.find_first_of(" \t")));
    }
    if (!euid) return absl::InvalidArgumentError(fmt::format("line {}: bad value for Uid", number));
    return euid;
  }
  return std::optional<uint64_t>();
}

absl::StatusOr<ProcStatus> ParseStatus(std::string_view text) {
  ProcStatus status;
  absl::Status parsed = ParseKeyedValues<ProcStatus>(text, kStatusFields, &status);
  if (!parsed.ok()) return parsed;
  absl::StatusOr<std::optional<uint64_t>> euid = ParseEffectiveUid(text);
  if (!euid.ok()) return euid.status();
  status.uid = *euid;
  return status;
}

}  // namespace procleak
