// SPDX-License-Identifier: Apache-2.0
#pragma once
// Whether the /proc a scan reads hides other users' processes from it (the hidepid mount option),
// so that a partial picture is said to be one (Host::proc_hidden).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "cgroupfs/mountinfo_parser.h"
#include "procleak/snapshot.h"

namespace procleak {

// The options of a proc mount that decide what it shows to whom (proc(5), "Mount options").
struct ProcMountOptions {
  // "noaccess" (hidepid=1), "invisible" (2) or "ptraceable" (4), as kernels since 5.8 write them;
  // a value no kernel had yet, verbatim when short and plain; "" when off or not given.
  std::string hidepid;
  std::optional<uint32_t> gid;  // gid=N: members of group N see every process
};

// The options of the last proc mount at `mount_point` in `mounts` (a later mount covers an earlier
// one at the same place); nullopt when no proc file system is mounted there.
std::optional<ProcMountOptions> ProcMountAt(std::span<const MountInfo> mounts,
                                            std::string_view mount_point);

// What Host::proc_hidden says of a scan that read `processes` from a /proc mounted with `mount`
// (nullopt: its options are not known), `procfs` telling a live /proc from a fixture tree.
// Hidden when the mount hides processes and PID 1 (every /proc has one) was not read: the scan
// then ran as a user the option applies to. "hidepid=invisible" or "hidepid=invisible,gid=4";
// "pid 1 not visible" for a live /proc whose options are not known; "" when nothing is hidden.
std::string ProcHidden(const std::optional<ProcMountOptions>& mount, bool procfs,
                       std::span<const Process> processes);

// Whether the directory open as `fd` is a proc file system (not a fixture tree).
bool IsProcfs(int fd);

// The options of the /proc that a scan of `root` reads, from ROOT/proc/self/mountinfo: the mount
// at ROOT/proc (a host's /proc mounted under an absolute --root), else the one at /proc (this
// machine, or a fixture tree's own mountinfo). nullopt (options unknown) when there is no
// mountinfo (a fixture tree need not have one), it is denied, or it names no proc mount there; a
// mountinfo that is malformed, too large or not a regular file is an error naming it, as it is
// for ReadCgroupLayout.
absl::StatusOr<std::optional<ProcMountOptions>> ReadProcMount(std::string_view root);

}  // namespace procleak
