// SPDX-License-Identifier: Apache-2.0
#pragma once
// ANSI emphasis for the text reports, a no-op unless colour is on.

#include <string>
#include <string_view>

#include "fmt/format.h"

namespace procleak {

inline constexpr size_t kWidth = 80;  // a text report's width when the terminal's is not known
// A width that cuts nothing (scan --wide), still far from overflowing when columns are added.
inline constexpr size_t kNoWidthLimit = size_t{1} << 30;

class Style {
 public:
  explicit Style(bool color) : color_(color) {}
  std::string Bold(std::string_view s) const { return Wrap("1", s); }
  std::string Warn(std::string_view s) const { return Wrap("33", s); }
  std::string Bad(std::string_view s) const { return Wrap("31;1", s); }

 private:
  std::string Wrap(std::string_view code, std::string_view s) const {
    return color_ ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  }
  bool color_;
};

}  // namespace procleak
