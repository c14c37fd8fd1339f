// SPDX-License-Identifier: Apache-2.0
#pragma once
// The most procleak reads of each kind of file, in one table: a file larger than its kind's limit
// is refused, so that a hostile file (a fixture tree's, a rules file, a Docker state file) costs
// memory in proportion to what a real one holds, never to what it offers.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace procleak {

enum class FileKind : uint8_t {
  kPidStat,
  kPidStatm,
  kPidStatus,
  kPidCmdline,
  kPidCgroup,
  kPidSmapsRollup,
  kProcStat,
  kMeminfo,
  kLoadavg,
  kKernelName,  // /proc/sys/kernel/hostname and osrelease
  kMountinfo,
  kCgroupProcs,
  kCgroupFile,  // memory.*, pids.*, cgroup.controllers
  kDockerState,
  kRules,
  kPasswd,  // ROOT/etc/passwd, for scan --user NAME
  kScanJson,
};

struct FileLimit {
  FileKind kind;
  // The kind, as messages and the table in man/procleak.1 (NOTES, Input files) name it:
  // "/proc/PID/stat".
  const char* what;
  size_t max_bytes;
};

inline constexpr size_t kKiB = 1024;
inline constexpr size_t kMiB = 1024 * kKiB;

// Each limit is far above what the kernel or the program that writes the file produces.
inline constexpr FileLimit kFileLimits[] = {
    // 52 fields of at most 20 digits and a name of at most 64 bytes: about 1.2 KiB.
    {FileKind::kPidStat, "/proc/PID/stat", 64 * kKiB},
    {FileKind::kPidStatm, "/proc/PID/statm", 4 * kKiB},  // 7 numbers
    // The Groups line lists up to 65536 groups (NGROUPS_MAX): about 720 KiB.
    {FileKind::kPidStatus, "/proc/PID/status", 1 * kMiB},
    // execve(2) takes at most 6 MiB of arguments and environment (3/4 of the 8 MiB _STK_LIM), and
    // a retitled process's cmdline may reach into its environment.
    {FileKind::kPidCmdline, "/proc/PID/cmdline", 8 * kMiB},
    // A line per hierarchy (a dozen or so), each path at most PATH_MAX (4 KiB).
    {FileKind::kPidCgroup, "/proc/PID/cgroup", 1 * kMiB},
    {FileKind::kPidSmapsRollup, "/proc/PID/smaps_rollup", 64 * kKiB},  // about 25 lines
    // A line per CPU and a count per interrupt: a few hundred KiB on the largest hosts.
    {FileKind::kProcStat, "/proc/stat", 16 * kMiB},
    {FileKind::kMeminfo, "/proc/meminfo", 64 * kKiB},         // about 60 lines
    {FileKind::kLoadavg, "/proc/loadavg", 4 * kKiB},          // one line
    {FileKind::kKernelName, "/proc/sys/kernel/*", 4 * kKiB},  // hostname, osrelease: 64 bytes
    // A line of a few hundred bytes per mount: some 200,000 mounts.
    {FileKind::kMountinfo, "/proc/self/mountinfo", 64 * kMiB},
    // pid_max is at most 4194304: 4 Mi pids of at most 8 bytes each.
    {FileKind::kCgroupProcs, "cgroup.procs", 64 * kMiB},
    // memory.*, pids.*, cgroup.controllers: memory.stat, the largest, has about 60 lines.
    {FileKind::kCgroupFile, "a cgroup file", 64 * kKiB},
    // Docker writes the container's arguments and environment (at most 6 MiB, see cmdline) into
    // config.v2.json, JSON-escaped, with its labels and mounts.
    {FileKind::kDockerState, "a Docker state file", 16 * kMiB},
    {FileKind::kRules, "a rules file", 1 * kMiB},  // the largest real ones have a few hundred lines
    // About 60 bytes a user: some 250,000 users in a file generated from a directory service.
    {FileKind::kPasswd, "/etc/passwd", 16 * kMiB},
    // About 1 KiB per process: some 250,000 processes.
    {FileKind::kScanJson, "a scan JSON file", 256 * kMiB},
};

constexpr bool RowsInKindOrder() {
  for (size_t i = 0; i < std::size(kFileLimits); ++i) {
    if (static_cast<size_t>(kFileLimits[i].kind) != i) return false;
  }
  return std::size(kFileLimits) == static_cast<size_t>(FileKind::kScanJson) + 1;
}
static_assert(RowsInKindOrder(), "one row per FileKind, in the enum's order");

inline const FileLimit& LimitOf(FileKind kind) { return kFileLimits[static_cast<size_t>(kind)]; }

// "64 KiB", "8 MiB", or bytes when not a whole number of KiB.
std::string SizeText(size_t bytes);

}  // namespace procleak
