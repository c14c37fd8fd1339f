// SPDX-License-Identifier: Apache-2.0
#pragma once
// The plain reference reader, the oracle the fast readers are checked against (not public API),
// and refining a snapshot in place.

#include <utility>
#include <vector>

#include "procleak/scan.h"
#include "scan/snapshot_assembly.h"

namespace procleak::testing {

// Scan() of `options` by the plain reader: every file read to EOF, status and statm of every
// process, /proc/PID/cgroup of every process; options.read is ignored.
inline absl::StatusOr<Snapshot> ReferenceScan(const ScanOptions& options) {
  return ScanWith(options, /*reference=*/true);
}

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
