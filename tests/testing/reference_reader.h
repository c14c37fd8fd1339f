// SPDX-License-Identifier: Apache-2.0
#pragma once
// The plain reference reader of /proc/PID, the oracle the library's readers are checked against:
// written with the library's pure parsers only, every file read to EOF, every file of every
// process read.

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "procfs/process_reader.h"
#include "procleak/snapshot.h"

namespace procleak::testing {

// One /proc directory being read, and what was skipped in it.
struct ReferenceReader {
  std::string proc_path;  // "/proc" or "/tmp/fixture/proc"
  uint64_t page_size = 4096;
  bool pss = false;  // also read smaps_rollup
  SkipCounter skips = {};
};

// Reads stat, status, statm, cmdline, smaps_rollup (with reader->pss), the exe link and cgroup of
// `pid` into *out, through one open PROC/PID directory: every field of Process but started_at,
// cgroup and the derived tree fields (cgroup_lines holds every line of /proc/PID/cgroup). The uid
// is status's effective one; RSS is statm's resident pages (stat's field 24 where there is no
// statm), none for a kernel thread (stat's PF_KTHREAD or status's Kthread) or a zombie. After the
// cgroup file, stat is read again: a process that has another starttime by then, or began exiting
// unless it was a zombie already, is vanished. Outcomes as ReadProcess: a process that is gone
// (ENOENT/ESRCH on any file while its stat is gone too) is kVanished and counted in
// reader->skips.vanished; a denied file leaves its fields absent and is counted in
// reader->skips.denied; a denied stat is kVanished counted as denied. Malformed content is an
// error naming the file ("/proc/123/stat: no ')' after comm").
absl::StatusOr<ProcessRead> ReadReferenceProcess(int pid, ReferenceReader* reader, Process* out);

}  // namespace procleak::testing
