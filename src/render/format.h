// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers shared by the text and JSON renderers.

#include <optional>
#include <string>
#include <vector>

#include "base/text_format.h"
#include "procleak/snapshot.h"

namespace procleak {

// The snapshot's cgroups by memory use, largest first; unknown (null) memory last, ties by path.
// The text table and the JSON array share this order.
std::vector<const Cgroup*> CgroupsByMemory(const Snapshot& snapshot);

// What the memory table and Prometheus call a cgroup: the container whose cgroup it is ("docker
// web", or the short id of one without a name or unverified), else its systemd unit
// ("nginx.service", model/systemd_unit.h), else its path. Not yet safe for a terminal.
std::string CgroupName(const Snapshot& snapshot, const Cgroup& cgroup);

// A chain signature cut to `width` columns: only its root part is shortened in the middle, so the
// chain's shape stays ("npm exec @mod~filesystem > sh > node"). Never shorter than the tail.
std::string ShortenChainSignature(std::string_view signature, size_t width);

// Memory use against a limit, for the USE% columns of the text tables.
struct MemoryUse {
  // Never wider than 4: a whole percentage up to 999, ">999" above it (a limit of a few bytes),
  // "full" for a limit of 0 B (every charge fails), "-" with no use or no limit known, unlimited.
  std::string cell = "-";
  double fraction = 0;  // used / limit, for emphasis; infinite for a limit of 0 B; 0 when "-"
};
MemoryUse UseOfLimit(const std::optional<uint64_t>& used, const std::optional<Limit>& limit);

// A container's short name for one-line summaries: its name (made safe for a terminal), its short
// id, "?" and its short id when it is unverified, or "host" for "".
std::string ShortContainer(const Snapshot& s, const std::string& id);

// One line (unwrapped) saying what Host::proc_hidden hides and how to see the rest, such as
// "/proc is mounted hidepid=invisible: only your own processes are visible; run as root or as a
// member of group 4 for the whole picture"; "" when it is empty. Made safe for a terminal.
std::string ProcHiddenWarning(std::string_view proc_hidden);

}  // namespace procleak
