// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for /proc/PID/smaps_rollup: the process's memory summed over all its mappings.

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"

namespace procleak {

struct SmapsRollup {  // bytes (the file says kB)
  std::optional<uint64_t> rss, pss, pss_anon, pss_file, pss_shmem, swap, swap_pss;
};

// The first line (the address range header "00400000-7fff... ---p 00000000 00:00 0 [rollup]") is
// skipped like any unknown key. A kernel thread's file is empty: every field stays absent.
absl::StatusOr<SmapsRollup> ParseSmapsRollup(std::string_view text);

}  // namespace procleak
