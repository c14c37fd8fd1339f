// SPDX-License-Identifier: Apache-2.0
#pragma once
// The procleak.scan/1 JSON document of a snapshot (and its analysis) as text, for embedding tools.

#include <string>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"

namespace procleak {

// The document `procleak scan --json` prints (man procleak.1, OUTPUT), without the trailing
// newline: host, cgroups, processes and containers, plus groups and findings when `analysis` (an
// Analyze() of `snapshot`) is given. `pretty` indents by two spaces, else one line. A string that
// is not UTF-8 (a process may put anything in its comm or argv) is written with U+FFFD and its
// exact bytes in a `<key>_base64` member beside it; it does not throw. host.sandbox is "off":
// the library installs no seccomp filter.
std::string ScanJsonText(const Snapshot& snapshot, const Analysis* analysis, bool pretty);

}  // namespace procleak
