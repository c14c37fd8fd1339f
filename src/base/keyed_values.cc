// SPDX-License-Identifier: Apache-2.0
#include "base/keyed_values.h"

#include <charconv>

#include "fmt/format.h"

namespace procleak {

namespace {

// Plain loops rather than find_first_of and find_first_not_of, which call memchr once per
// character: these run on every line of every process's smaps_rollup.
constexpr bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The length of the front of `text` up to the first character `stop` says yes to.
template <typename Stop>
size_t SpanUntil(std::string_view text, Stop stop) {
  size_t at = 0;
  while (at < text.size() && !stop(text[at])) ++at;
  return at;
}

}  // namespace

bool SplitKeyedLine(std::string_view line, std::string_view* key, std::string_view* value) {
  line = StripWhitespace(line);
  if (line.empty()) return false;
  const size_t end = SpanUntil(line, [](char c) { return c == ':' || c == ' ' || c == '\t'; });
  *key = line.substr(0, end);
  std::string_view rest = line.substr(end);
  if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
  rest = StripWhitespace(rest);
  *value = rest.substr(0, SpanUntil(rest, [](char c) { return c == ' ' || c == '\t'; }));
  return true;
}

std::string_view StripWhitespace(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
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
