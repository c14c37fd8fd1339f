// SPDX-License-Identifier: Apache-2.0
// ParseStatus: the keys of /proc/PID/status procleak uses, through the keyed-values table.

#include "procfs/status_parser.h"

#include <array>
#include <climits>

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

namespace {

// `Uid:` holds the real, effective, saved and fs uids, separated by tabs: the second one.
std::optional<uint64_t> EffectiveUid(std::string_view values) {
  std::string_view rest = StripWhitespace(values);
  size_t gap = rest.find_first_of(" \t");
  if (gap == std::string_view::npos) return std::nullopt;
  rest = StripWhitespace(rest.substr(gap));
  return ParseU64(rest.substr(0, rest.find_first_of(" \t")));
}

// `NSpid:` holds one pid per pid namespace level, the reader's first, separated by tabs. False
// when a value is not a pid or there is none; *ns_pid is the last one when there are several.
bool InnermostPid(std::string_view values, std::optional<int>* ns_pid) {
  std::string_view rest = StripWhitespace(values);
  int count = 0;
  uint64_t last = 0;
  while (!rest.empty()) {
    const size_t gap = rest.find_first_of(" \t");
    std::optional<uint64_t> pid = ParseU64(rest.substr(0, gap));
    if (!pid || *pid > INT_MAX) return false;
    last = *pid;
    ++count;
    rest = gap == std::string_view::npos ? std::string_view() : StripWhitespace(rest.substr(gap));
  }
  if (count == 0) return false;
  if (count > 1) *ns_pid = static_cast<int>(last);
  return true;
}

}  // namespace

absl::StatusOr<StatusBrief> ParseStatusBrief(std::string_view text) {
  StatusBrief brief;
  std::string_view line;
  int number = 0;
  bool ns_pid_seen = false, vm_rss_seen = false;
  while ((!brief.uid || !ns_pid_seen || !vm_rss_seen) && NextLine(&text, &line)) {
    ++number;
    if (line.substr(0, 4) == "Uid:") {
      brief.uid = EffectiveUid(line.substr(4));
      if (!brief.uid) {
        return absl::InvalidArgumentError(fmt::format("line {}: bad value for Uid", number));
      }
    } else if (line.substr(0, 6) == "NSpid:") {
      ns_pid_seen = true;
      if (!InnermostPid(line.substr(6), &brief.ns_pid)) {
        return absl::InvalidArgumentError(fmt::format("line {}: bad value for NSpid", number));
      }
    } else if (line.substr(0, 6) == "VmRSS:") {
      vm_rss_seen = true;
      std::string_view value = StripWhitespace(line.substr(6));
      std::optional<uint64_t> kb = ParseU64(value.substr(0, value.find_first_of(" \t")));
      if (!kb)
        return absl::InvalidArgumentError(fmt::format("line {}: bad value for VmRSS", number));
      brief.vm_rss_bytes = *kb * 1024;
    }
  }
  return brief;
}

absl::StatusOr<ProcStatus> ParseStatus(std::string_view text) {
  ProcStatus status;
  absl::Status parsed = ParseKeyedValues<ProcStatus>(text, kStatusFields, &status);
  if (!parsed.ok()) return parsed;
  absl::StatusOr<StatusBrief> brief = ParseStatusBrief(text);
  if (!brief.ok()) return brief.status();
  status.uid = brief->uid;
  status.ns_pid = brief->ns_pid;
  return status;
}

}  // namespace procleak
