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
  // The last value of `NSpid:` (the pid in the deepest pid namespace) when the line holds two or
  // more: the process lives in a pid namespace nested below the reader's. Absent with one value
  // or no such line (kernels before 4.1).
  std::optional<int> ns_pid;
};

absl::StatusOr<ProcStatus> ParseStatus(std::string_view text);

// What the fast reader takes from status: the effective uid (second value of `Uid:`), the
// in-namespace pid (`NSpid:`) and VmRSS, reading no further than the last of these lines (the
// kernel prints them in that order). "line 9: bad value for Uid" when malformed.
struct StatusBrief {
  std::optional<uint64_t> uid;
  std::optional<int> ns_pid;             // as ProcStatus::ns_pid
  std::optional<uint64_t> vm_rss_bytes;  // absent without an mm (kernel threads, zombies)
};
absl::StatusOr<StatusBrief> ParseStatusBrief(std::string_view text);

}  // namespace procleak
