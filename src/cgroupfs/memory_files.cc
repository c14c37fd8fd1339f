// SPDX-License-Identifier: Apache-2.0
#include "cgroupfs/memory_files.h"

#include <charconv>
#include <climits>
#include <span>

#include "base/keyed_values.h"
#include "base/text_format.h"
#include "fmt/format.h"

namespace procleak {
namespace {

absl::Status BadValue(std::string_view text) {
  if (text.size() > 40) text = text.substr(0, 40);
  return absl::InvalidArgumentError(fmt::format("not a number: \"{}\"", SanitizeForTerminal(text)));
}

// The kernel writes a one-value file as "%llu\n" (or "max\n"): the value is the text before one
// final newline, exactly. Spaces around it or a second line are not the kernel's, so they are
// refused rather than trimmed away (" 512" would read as a 512-byte limit).
std::string_view OneValue(std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  return text;
}

absl::StatusOr<uint64_t> Number(std::string_view value) {
  std::optional<uint64_t> number = ParseU64(value);
  if (!number) return BadValue(value);
  return *number;
}

constexpr KeyedField<MemoryStat> kMemoryStatV2[] = {
    {"anon", &MemoryStat::anon},       {"file", &MemoryStat::file},
    {"shmem", &MemoryStat::shmem},     {"file_mapped", &MemoryStat::file_mapped},
    {"kernel", &MemoryStat::kernel},   {"slab", &MemoryStat::slab},
    {"sock", &MemoryStat::sock},
};

constexpr KeyedField<MemoryStat> kMemoryStatV1[] = {
    {"total_rss", &MemoryStat::anon},
    {"total_cache", &MemoryStat::file},
    {"total_shmem", &MemoryStat::shmem},
    {"total_mapped_file", &MemoryStat::file_mapped},
    {"total_swap", &MemoryStat::swap},
};

constexpr KeyedField<MemoryEvents> kMemoryEvents[] = {
    {"low", &MemoryEvents::low},         {"high", &MemoryEvents::high},
    {"max", &MemoryEvents::max},         {"oom", &MemoryEvents::oom},
    {"oom_kill", &MemoryEvents::oom_kill}, {"oom_group_kill", &MemoryEvents::oom_group_kill},
};

constexpr KeyedField<OomControl> kOomControl[] = {
    {"oom_kill_disable", &OomControl::oom_kill_disable},
    {"under_oom", &OomControl::under_oom},
    {"oom_kill", &OomControl::oom_kill},
};

template <typename T>
absl::StatusOr<T> ParseTable(std::string_view text, std::span<const KeyedField<T>> table) {
  T out;
  absl::Status status = ParseKeyedValues(text, table, &out);
  if (!status.ok()) return status;
  return out;
}

// "avg10=0.12" -> 0.12 for key "avg10".
bool ParseAssignment(std::string_view token, std::string_view key, std::string_view* value) {
  if (!token.starts_with(key) || token.size() <= key.size() || token[key.size()] != '=')
    return false;
  *value = token.substr(key.size() + 1);
  return true;
}

bool ParseDouble(std::string_view text, double* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

absl::StatusOr<PressureLine> ParsePressureFields(std::string_view rest, int line_no) {
  PressureLine line;
  bool avg10 = false, avg60 = false, avg300 = false, total = false;
  while (!rest.empty()) {
    size_t space = rest.find(' ');
    std::string_view token = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (token.empty()) continue;
    std::string_view value;
    bool ok = true;
    if (ParseAssignment(token, "avg10", &value)) {
      ok = avg10 = ParseDouble(value, &line.avg10);
    } else if (ParseAssignment(token, "avg60", &value)) {
      ok = avg60 = ParseDouble(value, &line.avg60);
    } else if (ParseAssignment(token, "avg300", &value)) {
      ok = avg300 = ParseDouble(value, &line.avg300);
    } else if (ParseAssignment(token, "total", &value)) {
      std::optional<uint64_t> number = ParseU64(value);
      ok = total = number.has_value();
      line.total_us = number.value_or(0);
    }
    if (!ok) {
      return absl::InvalidArgumentError(fmt::format("line {}: bad value in \"{}\"", line_no, token));
    }
  }
  if (!(avg10 && avg60 && avg300 && total)) {
    return absl::InvalidArgumentError(
        fmt::format("line {}: needs avg10, avg60, avg300 and total", line_no));
  }
  return line;
}

}  // namespace

absl::StatusOr<uint64_t> ParseSingleValue(std::string_view text) { return Number(OneValue(text)); }

absl::StatusOr<Limit> ParseLimit(std::string_view text, uint64_t page_size) {
  std::string_view value = OneValue(text);
  if (value == "max") return Limit::Unlimited();
  // Writing -1 to a v1 limit file means unlimited; some kernels echo it back.
  if (value == "-1") return Limit::Unlimited();
  absl::StatusOr<uint64_t> number = Number(value);
  if (!number.ok()) return number.status();
  if (page_size == 0) page_size = 4096;
  const uint64_t unlimited_from = (static_cast<uint64_t>(LLONG_MAX) / page_size) * page_size;
  if (*number >= unlimited_from) return Limit::Unlimited();
  return Limit::Of(*number);
}

absl::StatusOr<MemoryStat> ParseMemoryStatV2(std::string_view text) {
  return ParseTable<MemoryStat>(text, kMemoryStatV2);
}

absl::StatusOr<MemoryStat> ParseMemoryStatV1(std::string_view text) {
  return ParseTable<MemoryStat>(text, kMemoryStatV1);
}

absl::StatusOr<MemoryEvents> ParseMemoryEvents(std::string_view text) {
  return ParseTable<MemoryEvents>(text, kMemoryEvents);
}

absl::StatusOr<OomControl> ParseOomControl(std::string_view text) {
  return ParseTable<OomControl>(text, kOomControl);
}

uint64_t SwapFromMemsw(uint64_t memsw_bytes, uint64_t usage_bytes) {
  return memsw_bytes > usage_bytes ? memsw_bytes - usage_bytes : 0;
}

absl::StatusOr<Pressure> ParsePressure(std::string_view text) {
  Pressure pressure;
  int line_no = 0;
  std::string_view raw_line;
  while (NextLine(&text, &raw_line)) {
    std::string_view line = StripWhitespace(raw_line);
    ++line_no;
    if (line.empty()) continue;
    size_t space = line.find(' ');
    std::string_view kind = line.substr(0, space);
    std::string_view rest = space == std::string_view::npos ? "" : line.substr(space + 1);
    std::optional<PressureLine>* slot = kind == "some"   ? &pressure.some
                                        : kind == "full" ? &pressure.full
                                                         : nullptr;
    if (slot == nullptr) continue;  // future kinds
    absl::StatusOr<PressureLine> parsed = ParsePressureFields(rest, line_no);
    if (!parsed.ok()) return parsed.status();
    *slot = *parsed;
  }
  if (!pressure.some) return absl::InvalidArgumentError("no \"some\" line");
  return pressure;
}

}  // namespace procleak
