// SPDX-License-Identifier: Apache-2.0
#pragma once
// One table-driven parser for `key value` / `Key:\tvalue kB` files (status, meminfo, memory.stat,
// memory.events, memory.oom_control, smaps_rollup), instead of a chain of starts_with() checks.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "absl/status/status.h"

namespace procleak {

// Maps one key to an optional<uint64_t> member of T; the parsed number is multiplied by `scale`
// (1024 for "kB" files).
template <typename T>
struct KeyedField {
  std::string_view key;
  std::optional<uint64_t> T::*field;
  uint64_t scale = 1;
};

// Splits `line` into key and the first token of its value. The key ends at ':' or whitespace.
// Returns false for blank lines.
bool SplitKeyedLine(std::string_view line, std::string_view* key, std::string_view* value);

// Removes ASCII whitespace at both ends. (Debian's abseil has its own string_view, so the absl
// string helpers do not take std::string_view; these small ones do.)
std::string_view StripWhitespace(std::string_view text);

// Cuts the first line (without its '\n') off the front of *text; the last line may lack '\n'.
// Returns false once *text is empty:  while (NextLine(&text, &line)) { ... }
inline bool NextLine(std::string_view* text, std::string_view* line) {
  if (text->empty()) return false;
  size_t eol = text->find('\n');
  *line = text->substr(0, eol);
  *text = eol == std::string_view::npos ? std::string_view() : text->substr(eol + 1);
  return true;
}

// Parses one unsigned decimal number, the whole token.
std::optional<uint64_t> ParseU64(std::string_view token);

// The error ParseKeyedValues returns for a known key with a non-numeric value.
absl::Status KeyedValueError(int line_no, std::string_view key);

// Fills the fields of *out named by `table`; unknown keys are ignored (kernels add keys), a known
// key whose value is not a number is an error "line N: bad value for KEY".
template <typename T>
absl::Status ParseKeyedValues(std::string_view text, std::span<const KeyedField<T>> table,
                              T* out) {
  int line_no = 0;
  std::string_view line;
  while (NextLine(&text, &line)) {
    ++line_no;
    std::string_view key, value;
    if (!SplitKeyedLine(line, &key, &value)) continue;
    for (const KeyedField<T>& entry : table) {
      if (entry.key != key) continue;
      std::optional<uint64_t> number = ParseU64(value);
      if (!number) return KeyedValueError(line_no, key);
      (out->*entry.field) = *number * entry.scale;
      break;
    }
  }
  return absl::OkStatus();
}

}  // namespace procleak
