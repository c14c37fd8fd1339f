// SPDX-License-Identifier: Apache-2.0
#include "base/keyed_values.h"

#include <charconv>

#include "fmt/format.h"

namespace procleak {

bool SplitKeyedLine(std::string_view line, std::string_view* key, std::string_view* value) {
  line = StripWhitespace(line);
  if (line.empty()) return false;
  size_t end = line.find_first_of(": \t");
  *key = line.substr(0, end);
  std::string_view rest = end == std::string_view::npos ? std::string_view() : line.substr(end);
  rest = StripWhitespace(rest.empty() || rest[0] != ':' ? rest : rest.substr(1));
  *value = rest.substr(0, rest.find_first_of(" \t"));
  return true;
}

std::string_view StripWhitespace(std::string_view text) {
  constexpr std::string_view kSpace = " \t\n\r\v\f";
  size_t begin = text.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  size_t end = text.find_last_not_of(kSpace);
  return text.substr(begin, end - begin + 1);
}

std::optional<uint64_t> ParseU64(std::string_view token) {
  if (token.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || ptr != token.data() + token.size()) return std::nullopt;
  return value;
}

absl::Status KeyedValueError(int line_no, std::string_view key) {
  return absl::InvalidArgumentError(fmt::format("line {}: bad value for {}", line_no, key));
}

}  // namespace procleak
