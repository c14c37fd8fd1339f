// SPDX-License-Identifier: Apache-2.0
// The public JSON entry point (procleak/json.h) over the document builders the CLI uses.

#include "procleak/json.h"
#include "render/json_report.h"

namespace procleak {

std::string ScanJsonText(const Snapshot& snapshot, const Analysis* analysis, bool pretty) {
  return ScanJsonString(snapshot, analysis, JsonOptions{}, pretty ? 2 : -1);
}

}  // namespace procleak
