// SPDX-License-Identifier: Apache-2.0
// ParseMemInfo (/proc/meminfo) and ParseBootTime (the btime line of /proc/stat).

#include "procfs/meminfo_parser.h"

#include <array>
#include <cstdint>

#include "absl/status/status.h"
#include "base/keyed_values.h"
#include "fmt/format.h"

namespace procleak {
namespace {

// meminfo's "kB" is KiB.
constexpr std::array<KeyedField<MemInfo>, 7> kMemInfoFields = {{
    {"MemTotal", &MemInfo::mem_total, 1024},
    {"MemFree", &MemInfo::mem_free, 1024},
    {"MemAvailable", &MemInfo::mem_available, 1024},
    {"Cached", &MemInfo::cached, 1024},
    {"Shmem", &MemInfo::shmem, 1024},
    {"SwapTotal", &MemInfo::swap_total, 1024},
    {"SwapFree", &MemInfo::swap_free, 1024},
}};

}  // namespace

absl::StatusOr<MemInfo> ParseMemInfo(std::string_view text) {
  MemInfo info;
  absl::Status parsed = ParseKeyedValues<MemInfo>(text, kMemInfoFields, &info);
  if (!parsed.ok()) return parsed;
  return info;
}

absl::StatusOr<int64_t> ParseBootTime(std::string_view proc_stat) {
  constexpr std::string_view kKey = "btime ";
  while (!proc_stat.empty()) {
    size_t eol = proc_stat.find('\n');
    std::string_view line = proc_stat.substr(0, eol);
    proc_stat = eol == std::string_view::npos ? std::string_view() : proc_stat.substr(eol + 1);
    if (!line.starts_with(kKey)) continue;
    std::string_view value = StripWhitespace(line.substr(kKey.size()));
    std::optional<uint64_t> seconds = ParseU64(value);
    if (!seconds || *seconds > static_cast<uint64_t>(INT64_MAX)) {
      return absl::InvalidArgumentError(fmt::format("btime '{}' is not a number", value));
    }
    return static_cast<int64_t>(*seconds);
  }
  return absl::InvalidArgumentError("no btime line");
}

}  // namespace procleak
