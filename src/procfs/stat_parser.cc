// SPDX-License-Identifier: Apache-2.0
// ParseStat: /proc/PID/stat, whose comm field is printed unescaped.

#include "procfs/stat_parser.h"

#include <array>
#include <climits>
#include <optional>

#include "absl/status/status.h"
#include "base/keyed_values.h"
#include "fmt/format.h"

namespace procleak {
namespace {

// Fields 3..24 are the ones read; after the last ')' field N is token N - 3.
constexpr int kFirstField = 3;
constexpr int kLastField = 24;
using Tokens = std::array<std::string_view, kLastField - kFirstField + 1>;

absl::Status NotANumber(int field, std::string_view name) {
  return absl::InvalidArgumentError(fmt::format("field {} ({}) is not a number", field, name));
}

// Parses field `field` as an unsigned number no larger than `max`.
absl::StatusOr<uint64_t> Field(const Tokens& tokens, int field, std::string_view name,
                               uint64_t max = UINT64_MAX) {
  std::optional<uint64_t> value = ParseU64(tokens[field - kFirstField]);
  if (!value || *value > max) return NotANumber(field, name);
  return *value;
}

}  // namespace

absl::StatusOr<Stat> ParseStat(std::string_view text) {
  size_t open = text.find('(');
  if (open == std::string_view::npos) return absl::InvalidArgumentError("no '(' before comm");
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || close < open) {
    return absl::InvalidArgumentError("no ')' after comm");
  }
  Stat stat;
  std::optional<uint64_t> pid = ParseU64(StripWhitespace(text.substr(0, open)));
  if (!pid || *pid > INT_MAX) return NotANumber(1, "pid");
  stat.pid = static_cast<int>(*pid);
  stat.comm = std::string(text.substr(open + 1, close - open - 1));

  // The kernel separates fields with single spaces; splitting on runs of whitespace also absorbs
  // the final newline.
  // A plain loop: this runs once per process and scan.
  Tokens tokens;
  size_t count = 0;
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n'; };
  const char* at = text.data() + close + 1;
  const char* const end = text.data() + text.size();
  while (count < tokens.size()) {
    while (at < end && space(*at)) ++at;
    if (at == end) break;
    const char* begin = at;
    while (at < end && !space(*at)) ++at;
    tokens[count++] = std::string_view(begin, static_cast<size_t>(at - begin));
  }
  if (count < tokens.size()) {
    return absl::InvalidArgumentError(
        fmt::format("too few fields: {} after comm, need at least {}", count, tokens.size()));
  }

  if (tokens[0].size() != 1) {
    return absl::InvalidArgumentError("field 3 (state) is not a single character");
  }
  stat.state = tokens[0][0];
  absl::StatusOr<uint64_t> ppid = Field(tokens, 4, "ppid", INT_MAX);
  if (!ppid.ok()) return ppid.status();
  stat.ppid = static_cast<int>(*ppid);
  absl::StatusOr<uint64_t> flags = Field(tokens, 9, "flags");
  if (!flags.ok()) return flags.status();
  stat.flags = *flags;
  absl::StatusOr<uint64_t> threads = Field(tokens, 20, "num_threads", INT_MAX);
  if (!threads.ok()) return threads.status();
  stat.num_threads = static_cast<int>(*threads);
  absl::StatusOr<uint64_t> starttime = Field(tokens, 22, "starttime");
  if (!starttime.ok()) return starttime.status();
  stat.starttime = *starttime;
  absl::StatusOr<uint64_t> vsize = Field(tokens, 23, "vsize");
  if (!vsize.ok()) return vsize.status();
  stat.vsize = *vsize;
  absl::StatusOr<uint64_t> rss = Field(tokens, 24, "rss");
  if (!rss.ok()) return rss.status();
  stat.rss_pages = *rss;
  return stat;
}

}  // namespace procleak
