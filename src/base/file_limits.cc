// SPDX-License-Identifier: Apache-2.0
#include "base/file_limits.h"

#include "fmt/format.h"

namespace procleak {

std::string SizeText(size_t bytes) {
  if (bytes != 0 && bytes % kMiB == 0) return fmt::format("{} MiB", bytes / kMiB);
  if (bytes != 0 && bytes % kKiB == 0) return fmt::format("{} KiB", bytes / kKiB);
  return fmt::format("{} bytes", bytes);
}

}  // namespace procleak
