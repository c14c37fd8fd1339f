// SPDX-License-Identifier: Apache-2.0
// SplitKeyedLine and StripWhitespace, which every `key value` parser (status, meminfo, memory.stat,
// smaps_rollup...) runs on each line.
#include "base/keyed_values.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace procleak {
namespace {

std::pair<std::string, std::string> Split(std::string_view line) {
  std::string_view key = "unset", value = "unset";
  if (!SplitKeyedLine(line, &key, &value)) return {"<blank>", ""};
  return {std::string(key), std::string(value)};
}

TEST(SplitKeyedLine, ColonFormWithPaddingAndUnit) {
  EXPECT_EQ(Split("Pss_Anon:          14380 kB"), std::make_pair(std::string("Pss_Anon"),
                                                               std::string("14380")));
  EXPECT_EQ(Split("VmRSS:\t    1024 kB"), std::make_pair(std::string("VmRSS"), std::string("1024")));
}

TEST(SplitKeyedLine, ColonWithoutSpaceAndSpaceForm) {
  EXPECT_EQ(Split("Uid:0\t0\t0\t0"), std::make_pair(std::string("Uid"), std::string("0")));
  EXPECT_EQ(Split("total_rss 4096"), std::make_pair(std::string("total_rss"), std::string("4096")));
  EXPECT_EQ(Split("oom_kill\t3"), std::make_pair(std::string("oom_kill"), std::string("3")));
}

TEST(SplitKeyedLine, SurroundingWhitespaceAndCarriageReturn) {
  EXPECT_EQ(Split("  \tRss:   12 kB \r"), std::make_pair(std::string("Rss"), std::string("12")));
  EXPECT_EQ(Split("anon 7\n"), std::make_pair(std::string("anon"), std::string("7")));
}

TEST(SplitKeyedLine, KeyAloneHasEmptyValue) {
  EXPECT_EQ(Split("Name:"), std::make_pair(std::string("Name"), std::string("")));
  EXPECT_EQ(Split("Name:   "), std::make_pair(std::string("Name"), std::string("")));
  EXPECT_EQ(Split("lonely"), std::make_pair(std::string("lonely"), std::string("")));
}

TEST(SplitKeyedLine, OnlyTheFirstColonEndsTheKey) {
  // A cgroup path or a header line: the value is the first token after the first ':'.
  EXPECT_EQ(Split("a:b:c d"), std::make_pair(std::string("a"), std::string("b:c")));
  EXPECT_EQ(Split("00400000-7ffd5a7f3000 ---p 00000000 00:00 0   [rollup]"),
            std::make_pair(std::string("00400000-7ffd5a7f3000"), std::string("---p")));
}

TEST(SplitKeyedLine, BlankLines) {
  EXPECT_EQ(Split(""), std::make_pair(std::string("<blank>"), std::string("")));
  EXPECT_EQ(Split(" \t\r\n\v\f"), std::make_pair(std::string("<blank>"), std::string("")));
}

TEST(StripWhitespace, BothEndsOnly) {
  EXPECT_EQ(StripWhitespace("  a b\t\n"), "a b");
  EXPECT_EQ(StripWhitespace("\v\fx\r"), "x");
  EXPECT_EQ(StripWhitespace("x"), "x");
  EXPECT_EQ(StripWhitespace(" \t "), "");
  EXPECT_EQ(StripWhitespace(""), "");
}

}  // namespace
}  // namespace procleak
