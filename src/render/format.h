// SPDX-License-Identifier: Apache-2.0
#pragma once
// Helpers shared by the text and JSON renderers.

#include <vector>

#include "base/text_format.h"
#include "procleak/snapshot.h"

namespace procleak {

// The snapshot's cgroups by memory use, largest first; unknown (null) memory last, ties by path.
// The text table and the JSON array share this order.
std::vector<const Cgroup*> CgroupsByMemory(const Snapshot& snapshot);

// A chain signature cut to `width` columns: only its root part is shortened in the middle, so the
// chain's shape stays ("npm exec @mod~filesystem > sh > node"). Never shorter than the tail.
std::string ShortenChainSignature(std::string_view signature, size_t width);

// A container's short name for one-line summaries: its name (made safe for a terminal), its short
// id, or "host" for "".
std::string ShortContainer(const Snapshot& s, const std::string& id);

}  // namespace procleak
