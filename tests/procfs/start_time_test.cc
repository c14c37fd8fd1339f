// SPDX-License-Identifier: Apache-2.0
// Issue 17: a start time no kernel can show (2^64 - 1 clock ticks would read as 0.01 s before
// boot) is refused by ParseStat, naming the field and the value; the largest possible one is read.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "fmt/format.h"
#include "procfs/stat_parser.h"

namespace procleak {
namespace {

std::string Line(uint64_t starttime) {
  return fmt::format(
      "1410 (nginx) S 1390 1410 1410 0 -1 4194560 5230 0 28 0 55 17 0 0 20 0 1 0 {} "
      "11472896 1450 18446744073709551615 94355155189760 0\n",
      starttime);
}

TEST(StartTime, TwoTo64Minus1_IsOutOfRange) {
  absl::StatusOr<Stat> stat = ParseStat(Line(UINT64_MAX));
  ASSERT_FALSE(stat.ok()) << stat->starttime;
  EXPECT_EQ(std::string(stat.status().message()),
            "field 22 (starttime) is out of range: 18446744073709551615");
}

TEST(StartTime, JustAboveTheLargestABootClockAllows_IsOutOfRange) {
  EXPECT_EQ(kMaxStartTicks, 9223372036854u);  // INT64_MAX / 10^6
  absl::StatusOr<Stat> stat = ParseStat(Line(kMaxStartTicks + 1));
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(std::string(stat.status().message()),
            "field 22 (starttime) is out of range: 9223372036855");
}

TEST(StartTime, TheLargestABootClockAllows_IsRead) {
  absl::StatusOr<Stat> stat = ParseStat(Line(kMaxStartTicks));
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->starttime, kMaxStartTicks);
  // Its microseconds at the smallest tick rate still fit the int64 a start time is made of.
  EXPECT_LE(stat->starttime * 1'000'000, static_cast<uint64_t>(INT64_MAX));
}

TEST(StartTime, NotANumber_IsStillSaidSo) {
  absl::StatusOr<Stat> stat = ParseStat(Line(1).replace(Line(1).find(" 1 11472896"), 2, " x"));
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(std::string(stat.status().message()), "field 22 (starttime) is not a number");
}

}  // namespace
}  // namespace procleak
