// SPDX-License-Identifier: Apache-2.0
#pragma once
// Generated host trees for the scan benchmarks: N processes laid out like tests/data/v2-systemd.

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace procleak::bench {

// Writes into `dir` (an existing, empty directory) a cgroup-v2 host (Docker with the systemd
// driver) of exactly `processes` processes, at least 100, spread over 20 cgroups in the same mix
// at every size: ~6% kernel threads, systemd services, a login session of shells and sleeps (with
// a few zombies), php-fpm and python worker pools, and four containers with their Docker state
// files: nginx and postgres pools, a celery pool that has been OOM-killed, and an unlimited
// `mcp-hub` whose gateway leaked `npm exec > sh > node` chains, half of them orphaned.
// The error names the path that could not be written.
absl::Status GenerateTree(const std::string& dir, int processes);

// The root of a GenerateTree(processes) tree, written on first use under one mkdtemp directory in
// $TMPDIR (default /tmp) that is removed when the program exits normally. Each size is written
// once per program run: a 20,000-process tree is ~125,000 files, under a second on tmpfs but half
// a minute on a busy ext4 /tmp. Not thread-safe.
absl::StatusOr<std::string> CachedTree(int processes);

}  // namespace procleak::bench
