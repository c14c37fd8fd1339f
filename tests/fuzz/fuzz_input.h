// SPDX-License-Identifier: Apache-2.0
#pragma once
// Shared by the fuzz targets: the first input byte picks the parser, the rest is the file's text.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace procleak::fuzz {

struct FuzzInput {
  uint8_t selector;
  std::string_view text;
};

// Seeds use ASCII digits as selectors ('0' is 48, a multiple of every parser count used), so a
// seed file "2..." always reaches parser 2.
inline bool SplitInput(const uint8_t* data, size_t size, FuzzInput& out) {
  if (size == 0) return false;
  out.selector = data[0];
  out.text = std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1);
  return true;
}

inline size_t CountOf(std::string_view text, char c) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), c));
}

// A violated invariant must stop every build (libFuzzer and the replay driver alike).
inline void Check(bool ok) {
  if (!ok) __builtin_trap();
}

}  // namespace procleak::fuzz
