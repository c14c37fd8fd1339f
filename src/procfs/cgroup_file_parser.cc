// SPDX-License-Identifier: Apache-2.0
// ParseProcCgroup: /proc/PID/cgroup, one `ID:controllers:path` line per hierarchy.

#include "procfs/cgroup_file_parser.h"

#include <climits>
#include <optional>

#include "absl/status/status.h"
#include "base/keyed_values.h"
#include "fmt/format.h"

namespace procleak {
namespace {

// Appended by the kernel to a v2 zombie's path when its cgroup has been removed.
constexpr std::string_view kDeletedSuffix = " (deleted)";

absl::Status LineError(int line_no, std::string_view what) {
  return absl::InvalidArgumentError(fmt::format("line {}: {}", line_no, what));
}

}  // namespace

absl::StatusOr<std::vector<CgroupMembership>> ParseProcCgroup(std::string_view text) {
  std::vector<CgroupMembership> lines;
  int line_no = 0;
  std::string_view line;
  while (NextLine(&text, &line)) {
    ++line_no;
    if (StripWhitespace(line).empty()) continue;

    // The path is printed unescaped and may itself hold ':', so only the first two count.
    size_t first = line.find(':');
    if (first == std::string_view::npos) return LineError(line_no, "no ':' after hierarchy ID");
    size_t second = line.find(':', first + 1);
    if (second == std::string_view::npos) return LineError(line_no, "no ':' after controllers");
    std::string_view id = line.substr(0, first);
    std::optional<uint64_t> hierarchy = ParseU64(id);
    if (!hierarchy || *hierarchy > INT_MAX) {
      return LineError(line_no, fmt::format("hierarchy ID '{}' is not a number", id));
    }
    std::string_view path = line.substr(second + 1);
    if (path.ends_with(kDeletedSuffix)) path.remove_suffix(kDeletedSuffix.size());
    lines.push_back(CgroupMembership{
        .hierarchy_id = static_cast<int>(*hierarchy),
        .controllers = std::string(line.substr(first + 1, second - first - 1)),
        .path = std::string(path),
    });
  }
  return lines;
}

}  // namespace procleak
