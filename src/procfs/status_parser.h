// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for /proc/PID/status: the few keys procleak uses, looked up by name.

#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/statusor.h"

namespace procleak {

struct ProcStatus {
  std::optional<uint64_t> uid;           // second (effective) value of `Uid:`, as ps shows it
  std::optional<uint64_t> threads;       // `Threads:`
  std::optional<uint64_t> vm_rss_bytes;  // `VmRSS:` kB * 1024; absent without an mm
  std::optional<uint64_t> kthread;       // `Kthread:` (newer kernels only)
};

absl::StatusOr<ProcStatus> ParseStatus(std::string_view text);

// What the fast reader takes from status: the effective uid (second value of `Uid:`) and VmRSS,
// reading no further than the later of the two lines. "line 9: bad value for Uid" when malformed.
struct StatusBrief {
  std::optional<uint64_t> uid;
  std::optional<uint64_t> vm_rss_bytes;  // absent without an mm (kernel threads, zombies)
};
absl::StatusOr<StatusBrief> ParseStatusBrief(std::string_view text);

}  // namespace procleak
