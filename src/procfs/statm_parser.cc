// SPDX-License-Identifier: Apache-2.0
// ParseStatm: `size resident shared text lib data dt`, in pages.

#include "procfs/statm_parser.h"

#include <array>
#include <optional>

#include "absl/status/status.h"
#include "base/keyed_values.h"
#include "fmt/format.h"

namespace procleak {

absl::StatusOr<Statm> ParseStatm(std::string_view text) {
  static constexpr std::array<std::string_view, 3> kNames = {"size", "resident", "shared"};
  std::array<uint64_t, 3> values{};
  constexpr std::string_view kSpace = " \t\n";
  for (size_t i = 0; i < kNames.size(); ++i) {
    size_t begin = text.find_first_not_of(kSpace);
    if (begin == std::string_view::npos) {
      return absl::InvalidArgumentError(
          fmt::format("too few fields: {}, need at least {}", i, kNames.size()));
    }
    text.remove_prefix(begin);
    size_t end = text.find_first_of(kSpace);
    std::optional<uint64_t> value = ParseU64(text.substr(0, end));
    if (!value) {
      return absl::InvalidArgumentError(
          fmt::format("field {} ({}) is not a number", i + 1, kNames[i]));
    }
    values[i] = *value;
    text = end == std::string_view::npos ? std::string_view() : text.substr(end);
  }
  return Statm{.size = values[0], .resident = values[1], .shared = values[2]};
}

}  // namespace procleak
