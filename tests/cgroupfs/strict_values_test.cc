// SPDX-License-Identifier: Apache-2.0
// Issue 17: one-value cgroup files are read exactly as the kernel writes them ("%llu\n", "max\n");
// anything around the value is refused, not trimmed into another number.
#include <gtest/gtest.h>

#include <string>

#include "cgroupfs/memory_files.h"

namespace procleak {
namespace {

std::string Msg(const absl::Status& status) { return std::string(status.message()); }

TEST(StrictValues, NumberWithOrWithoutOneNewline_IsRead) {
  EXPECT_EQ(*ParseSingleValue("512\n"), 512u);
  EXPECT_EQ(*ParseSingleValue("512"), 512u);
  EXPECT_EQ(*ParseLimit("536870912\n", 4096), Limit::Of(536870912));
  EXPECT_TRUE(ParseLimit("max\n", 4096)->unlimited());
}

TEST(StrictValues, LeadingSpace_IsRefusedNotReadAsTheNumberAfterIt) {
  absl::StatusOr<Limit> limit = ParseLimit(" 512\n", 4096);
  ASSERT_FALSE(limit.ok()) << limit->value();
  EXPECT_EQ(Msg(limit.status()), "not a number: \" 512\"");
  EXPECT_EQ(Msg(ParseSingleValue(" 512").status()), "not a number: \" 512\"");
}

TEST(StrictValues, TrailingSpaceSecondLineOrSign_IsRefused) {
  for (const char* text : {"512 \n", "512\n\n", "512\n7\n", "\n512\n", "+512\n", "512\t\n", "\n",
                           " max\n", "max \n", "-1 \n"}) {
    EXPECT_FALSE(ParseSingleValue(text).ok()) << text;
    EXPECT_FALSE(ParseLimit(text, 4096).ok()) << text;
  }
}

TEST(StrictValues, TheRefusal_IsOneLineWithControlBytesEscaped) {
  absl::StatusOr<uint64_t> value = ParseSingleValue("5\x1b[2J\n\n");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(Msg(value.status()), "not a number: \"5\\x1b[2J\\n\"");
}

TEST(StrictValues, LimitOfZero_IsALimitOfZeroNotUnlimited) {
  absl::StatusOr<Limit> limit = ParseLimit("0\n", 4096);
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_FALSE(limit->unlimited());
  EXPECT_EQ(limit->value(), 0u);
}

}  // namespace
}  // namespace procleak
