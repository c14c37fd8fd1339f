// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for /proc/PID/statm (values in pages).

#include <cstdint>
#include <string_view>

#include "absl/status/statusor.h"

namespace procleak {

struct Statm {
  uint64_t size = 0;
  uint64_t resident = 0;
  uint64_t shared = 0;
};

absl::StatusOr<Statm> ParseStatm(std::string_view text);

}  // namespace procleak
