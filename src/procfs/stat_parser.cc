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
// proc(5)'s names of fields 3..24, for messages.
constexpr std::array<std::string_view, kLastField - kFirstField + 1> kFieldNames = {
    "state",   "ppid",        "pgrp",        "session",   "tty_nr", "tpgid",  "flags",  "minflt",
    "cminflt", "majflt",      "cmajflt",     "utime",     "stime",  "cutime", "cstime", "priority",
    "nice",    "num_threads", "itrealvalue", "starttime", "vsize",  "rss"};

// Reads fields of the tokens after comm, keeping the first one that is not a number: one check
// at the end instead of a StatusOr per field, on a path that runs once per process and scan.
class FieldReader {
 public:
  explicit FieldReader(const Tokens& tokens) : tokens_(tokens) {}
  // Field `field` as an unsigned number no larger than `max`.
  uint64_t Unsigned(int field, uint64_t max = UINT64_MAX) {
    std::optional<uint64_t> value = ParseU64(tokens_[field - kFirstField]);
    if (!value) return Bad(field);
    if (*value > max) return Bad(field, /*out_of_range=*/true);
    return *value;
  }
  // Field `field` as an int that may be negative (the kernel prints it with %d).
  int Signed(int field) {
    std::string_view token = tokens_[field - kFirstField];
    const bool negative = !token.empty() && token[0] == '-';
    if (negative) token.remove_prefix(1);
    std::optional<uint64_t> value = ParseU64(token);
    if (!value || *value > uint64_t{INT_MAX} + (negative ? 1 : 0)) {
      return static_cast<int>(Bad(field));
    }
    return negative ? static_cast<int>(-static_cast<int64_t>(*value)) : static_cast<int>(*value);
  }
  absl::Status status() const {
    if (bad_ == 0) return absl::OkStatus();
    std::string_view name = kFieldNames[bad_ - kFirstField];
    if (out_of_range_) {
      // A number (digits only, so safe to print), just not one the kernel can show.
      return absl::InvalidArgumentError(fmt::format("field {} ({}) is out of range: {}", bad_, name,
                                                    tokens_[bad_ - kFirstField]));
    }
    return absl::InvalidArgumentError(fmt::format("field {} ({}) is not a number", bad_, name));
  }

 private:
  uint64_t Bad(int field, bool out_of_range = false) {
    if (bad_ == 0) {
      bad_ = field;
      out_of_range_ = out_of_range;
    }
    return 0;
  }
  const Tokens& tokens_;
  int bad_ = 0;  // the first field that is not a number, or out of range
  bool out_of_range_ = false;
};

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
  if (!pid || *pid > INT_MAX) {
    return absl::InvalidArgumentError("field 1 (pid) is not a number");
  }
  stat.pid = static_cast<int>(*pid);
  stat.comm.assign(text.substr(open + 1, close - open - 1));

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
    return absl::InvalidArgumentError(fmt::format("too few fields: {} after comm, no field {} ({})",
                                                  count, kFirstField + static_cast<int>(count),
                                                  kFieldNames[count]));
  }

  if (tokens[0].size() != 1) {
    return absl::InvalidArgumentError("field 3 (state) is not a single character");
  }
  stat.state = tokens[0][0];
  FieldReader fields(tokens);
  stat.ppid = static_cast<int>(fields.Unsigned(4, INT_MAX));
  stat.pgrp = fields.Signed(5);
  stat.session = fields.Signed(6);
  stat.tty_nr = fields.Signed(7);
  stat.flags = fields.Unsigned(9);
  stat.num_threads = static_cast<int>(fields.Unsigned(20, INT_MAX));
  stat.starttime = fields.Unsigned(22, kMaxStartTicks);
  stat.vsize = fields.Unsigned(23);
  stat.rss_pages = fields.Unsigned(24);
  if (absl::Status status = fields.status(); !status.ok()) return status;
  return stat;
}

}  // namespace procleak
