// SPDX-License-Identifier: Apache-2.0
#pragma once
// Pure parsers for cgroup v1/v2 memory, pids and pressure files.

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"
#include "procleak/snapshot.h"

namespace procleak {

// A single number followed by an optional newline ("memory.current", "pids.current"), as the
// kernel writes it: nothing else, not even a space ("not a number: \" 512\"").
absl::StatusOr<uint64_t> ParseSingleValue(std::string_view text);

// "max" (v2) or a number, written as ParseSingleValue reads; v1 values at or above
// (LONG_MAX / page_size) * page_size are unlimited. 0 is a limit of 0 (every charge fails).
absl::StatusOr<Limit> ParseLimit(std::string_view text, uint64_t page_size);

// v2 memory.stat: anon file shmem file_mapped kernel slab sock (swap is not in it).
absl::StatusOr<MemoryStat> ParseMemoryStatV2(std::string_view text);
// v1 memory.stat: total_rss->anon total_cache->file total_shmem->shmem
// total_mapped_file->file_mapped total_swap->swap (hierarchical values).
absl::StatusOr<MemoryStat> ParseMemoryStatV1(std::string_view text);

struct MemoryEvents {  // v2 memory.events
  std::optional<uint64_t> low, high, max, oom, oom_kill, oom_group_kill;
};
absl::StatusOr<MemoryEvents> ParseMemoryEvents(std::string_view text);

struct OomControl {  // v1 memory.oom_control
  std::optional<uint64_t> oom_kill_disable, under_oom, oom_kill;
};
absl::StatusOr<OomControl> ParseOomControl(std::string_view text);

// Swap of a v1 cgroup from memory.memsw.usage_in_bytes (memory and swap) and
// memory.usage_in_bytes: the difference, 0 when memsw reads less (the two files are not read at
// one instant, so usage can grow between them).
uint64_t SwapFromMemsw(uint64_t memsw_bytes, uint64_t usage_bytes);

// PSI: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0" and an optional "full ..." line.
absl::StatusOr<Pressure> ParsePressure(std::string_view text);

}  // namespace procleak
