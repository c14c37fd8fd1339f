// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for /proc/PID/stat.

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace procleak {

inline constexpr uint64_t kPfKthread = 0x00200000;
// Set when a task starts exiting, before its cgroups are let go (a v1 one then shows "/").
inline constexpr uint64_t kPfExiting = 0x00000004;

struct Stat {
  int pid = 0;
  std::string comm;  // between the first '(' and the last ')': may hold spaces, ')' and '\n'
  char state = '?';
  int ppid = 0;
  // Fields 5-7, printed with %d: 0 for kernel threads and for a group or session led outside this
  // pid namespace, -1 for a task being reaped (the kernel could no longer look them up).
  int pgrp = 0;
  int session = 0;
  int tty_nr = 0;  // the controlling terminal's device number; 0 for none
  uint64_t flags = 0;
  int num_threads = 0;
  uint64_t starttime = 0;  // clock ticks after boot, at most kMaxStartTicks
  uint64_t vsize = 0;      // bytes
  uint64_t rss_pages = 0;  // field 24
};

// The largest start time a kernel can show: its boot clock is a signed 64-bit count of
// nanoseconds, at most 9.2e12 clock ticks at USER_HZ 1000 (x86's 100 reaches 9.2e11). A larger one
// is not a start time (2^64 - 1 would read as 0.01 s before boot); it is also the largest whose
// microseconds fit an int64, so a start time converts without overflow.
inline constexpr uint64_t kMaxStartTicks = INT64_MAX / 1'000'000;

// Errors say what is wrong ("no ')' after comm", "field 22 (starttime) is not a number", "field
// 22 (starttime) is out of range: 18446744073709551615", "too few fields: 4 after comm, no field
// 7 (tty_nr)") without a path; the reader adds the path.
absl::StatusOr<Stat> ParseStat(std::string_view text);

}  // namespace procleak
