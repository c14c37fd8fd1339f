// SPDX-License-Identifier: Apache-2.0
#include "base/text_format.h"

#include "fmt/format.h"

namespace procleak {

std::string FormatBytes(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes) / 1024.0;
  size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string FormatRfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
}

std::string SanitizeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out += c;
    }
  }
  return out;
}

std::string ShortenMiddle(std::string_view text, size_t width) {
  if (text.size() <= width) return std::string(text);
  if (width < 3) return std::string(text.substr(0, width));
  size_t tail = (width - 1) / 2;
  size_t head = width - 1 - tail;
  return fmt::format("{}~{}", text.substr(0, head), text.substr(text.size() - tail));
}

std::string ShortenEnd(std::string_view text, size_t width) {
  if (text.size() <= width) return std::string(text);
  if (width == 0) return {};
  return fmt::format("{}~", text.substr(0, width - 1));
}

std::string CommandLine(const std::vector<std::string>& argv, std::string_view comm) {
  if (argv.empty()) return fmt::format("[{}]", comm);
  return fmt::format("{}", fmt::join(argv, " "));
}

}  // namespace procleak
