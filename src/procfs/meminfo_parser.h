// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parsers for host-wide /proc files: meminfo and the btime line of /proc/stat.

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"

namespace procleak {

struct MemInfo {  // bytes
  std::optional<uint64_t> mem_total, mem_free, mem_available, cached, shmem, swap_total, swap_free;
};

absl::StatusOr<MemInfo> ParseMemInfo(std::string_view text);

// The `btime SECONDS` line of /proc/stat; error if absent.
absl::StatusOr<int64_t> ParseBootTime(std::string_view proc_stat);

}  // namespace procleak
