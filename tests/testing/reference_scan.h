// SPDX-License-Identifier: Apache-2.0
#pragma once
// The plain reference scan, the oracle the fast scans are checked against (not public API), and
// refining a snapshot in place.

#include <utility>
#include <vector>

#include "procleak/scan.h"

namespace procleak::testing {

// Scan() of `options` by the plain reader (ReadReferenceProcess), on the calling thread: every
// file read to EOF, status and statm of every process, /proc/PID/cgroup of every process instead
// of cgroup.procs; options.read and options.threads are ignored. The cgroups, containers and
// snapshot are made from those processes as Scan() makes them from its own.
absl::StatusOr<Snapshot> ReferenceScan(const ScanOptions& options);

// RefineNamespaces() or RefineRss() of *snapshot, into *snapshot.
template <typename Refiner>
absl::Status RefineInPlace(Refiner refine, const ScanOptions& options, const std::vector<int>& pids,
                           Snapshot* snapshot) {
  absl::StatusOr<Snapshot> refined = refine(options, *snapshot, pids);
  if (!refined.ok()) return refined.status();
  *snapshot = *std::move(refined);
  return absl::OkStatus();
}

}  // namespace procleak::testing
