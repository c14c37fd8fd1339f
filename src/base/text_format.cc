// SPDX-License-Identifier: Apache-2.0
#include "base/text_format.h"

#include <algorithm>
#include <chrono>

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
  // Whole nanoseconds since the epoch (1678 to 2262), which is every time procleak reads, by
  // arithmetic: a JSON document has two per process. Any other time through absl's formatter.
  const int64_t nanos = absl::ToUnixNanos(time);
  if (absl::FromUnixNanos(nanos) != time) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", time, absl::UTCTimeZone());
  }
  constexpr int64_t kNanosPerSecond = 1'000'000'000, kSecondsPerDay = 86'400;
  auto floor_div = [](int64_t a, int64_t b) { return a / b - (a % b < 0 ? 1 : 0); };
  const int64_t seconds = floor_div(nanos, kNanosPerSecond);
  int64_t fraction = nanos - seconds * kNanosPerSecond;
  const int64_t days = floor_div(seconds, kSecondsPerDay);
  const int64_t of_day = seconds - days * kSecondsPerDay;
  const std::chrono::year_month_day date{std::chrono::sys_days{std::chrono::days{days}}};
  // "YYYY-MM-DDTHH:MM:SS.fffffffffZ", digits put in place.
  char text[32] = "0000-00-00T00:00:00";
  auto put = [&text](size_t end, int64_t value, int width) {
    for (; width > 0; --width, value /= 10) text[--end] = static_cast<char>('0' + value % 10);
  };
  put(4, static_cast<int>(date.year()), 4);
  put(7, static_cast<unsigned>(date.month()), 2);
  put(10, static_cast<unsigned>(date.day()), 2);
  put(13, of_day / 3600, 2);
  put(16, of_day / 60 % 60, 2);
  put(19, of_day % 60, 2);
  size_t size = 19;
  if (fraction != 0) {
    int digits = 9;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --digits;
    }
    text[size++] = '.';
    size += static_cast<size_t>(digits);
    put(size, fraction, digits);
  }
  text[size++] = 'Z';
  return std::string(text, size);
}

std::string ShortHasher::Hex() const { return fmt::format("{:08x}", hash_); }

std::string ShortHash(std::string_view text) {
  ShortHasher hasher;
  hasher.Add(text);
  return hasher.Hex();
}

std::string BoundText(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  constexpr std::string_view kCut = " ... #";
  const size_t hash_size = kCut.size() + 8;
  size_t keep = max_bytes > hash_size ? max_bytes - hash_size : 0;
  // Back off to the first byte of a UTF-8 sequence (a continuation byte is 10xxxxxx; a sequence
  // has at most three, so bytes that are not UTF-8 at all cost no more).
  for (int i = 0; i < 3 && keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80;
       ++i) {
    --keep;
  }
  std::string out(text.substr(0, keep));
  out.append(kCut);
  out.append(ShortHash(text));
  return out;
}

std::string ShellQuote(std::string_view text) {
  const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("@%+=:,./_-").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(text);
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string CommandLine(const std::vector<std::string>& argv, std::string_view comm) {
  if (argv.empty()) return fmt::format("[{}]", comm);
  return fmt::format("{}", fmt::join(argv, " "));
}

}  // namespace procleak
