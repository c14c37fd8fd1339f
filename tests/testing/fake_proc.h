// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: writes a small v2 host and its processes' /proc files into a TempTree.

#include <cstdint>
#include <string>
#include <string_view>

#include "testing/temp_tree.h"

namespace procleak::testing {

// A real-shaped /proc/PID/stat line: flags 0x400100, 1 thread, rss `rss_pages` pages.
std::string StatLine(int pid, std::string_view comm, char state, int ppid, uint64_t starttime,
                     uint64_t rss_pages = 381);

// proc/PID/{stat,statm,status,cmdline,cgroup}: state S, started at tick `starttime`, 381 resident
// pages, uid 0, argv {comm, "--flag"}, in cgroup /app.slice.
void WriteProcess(const TempTree& tree, int pid, int ppid, std::string_view comm,
                  uint64_t starttime = 1000);

// proc/{stat,meminfo,sys/kernel/*,self/mountinfo} of host "fixture" booted at 1795387045, and a
// v2 cgroup mount with /app.slice (4096000 bytes, no limit).
void WriteHost(const TempTree& tree);

}  // namespace procleak::testing
