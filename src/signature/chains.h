// SPDX-License-Identifier: Apache-2.0
#pragma once
// Spawn chains: a launched process with its wrapper descendants (npm exec X -> sh -c X -> node X).

#include <string>
#include <vector>

#include "procleak/snapshot.h"
#include "signature/rules.h"

namespace procleak {

// A chain signature shows the root and at most kSignatureHeadLevels + kSignatureTailLevels + 1
// levels below it; a deeper chain shows its first kSignatureHeadLevels and last
// kSignatureTailLevels, and between them one link, "... (N more links, #hash)", with the
// ShortHash of what the N levels would have shown. The root's part is at most
// kMaxRootSignatureBytes, the whole at most kMaxSignatureBytes (BoundText: a longer one ends in
// " ... #hash" of the whole). So a chain of any depth or command-line length has a signature of a
// few lines at most, and two chains that differ anywhere still have different signatures.
inline constexpr size_t kSignatureHeadLevels = 8;
inline constexpr size_t kSignatureTailLevels = 3;
inline constexpr size_t kMaxRootSignatureBytes = 256;
inline constexpr size_t kMaxSignatureBytes = 512;

struct SpawnChain {
  int root_pid = 0;
  std::vector<int> pids;  // root first, then the wrapper descendants, in tree (pre)order
  // The root's signature, then each further level's program: "npm exec @scope/x > sh > node".
  // Several programs at one depth are listed once each, sorted: "... > sh > node,python3".
  // A kName rule matching the root replaces the root's part. Bounded as described above.
  std::string signature;
  // The root's part alone: what copies of one launch share however far their wrappers have got.
  std::string root_signature;
  std::string container;  // the root's Process::container
};

// Splits every non-kernel-thread process of `snapshot` into chains by parentage alone (how long
// each step took to exec plays no part): a process continues its parent's chain when the parent
// is a wrapper with no other live child, in the same scope (container, or cgroup outside
// containers), and not younger than the process (only reparenting gives a process a younger
// parent); any other process roots a new one. An init (PID 1, a container's init, a pid
// namespace's init) never continues a chain: it adopts orphans. Name and ignore rules see the
// root's cmdline, comm and exe and the chain signature; a chain an ignore rule matches is left
// out with all its processes. Chains are ordered by root pid. Iterative: chains may be any depth.
std::vector<SpawnChain> BuildChains(const Snapshot& snapshot, const Rules& rules);

}  // namespace procleak
