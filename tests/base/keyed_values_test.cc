// SPDX-License-Identifier: Apache-2.0
// SplitKeyedLine and StripWhitespace, which every `key value` parser (status, meminfo, memory.stat,
// smaps_rollup...) runs on each line.
#include "base/keyed_values.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace procleak {
namespace {

using KeyValue = std::pair<std::string, std::string>;

KeyValue Split(std::string_view line) {
  std::string_view key = "unset", value = "unset";
  if (!SplitKeyedLine(line, &key, &value)) return {"<blank>", ""};
  return {std::string(key), std::string(value)};
}

TEST(SplitKeyedLine, ColonFormWithPaddingAndUnit) {
  EXPECT_EQ(Split("Pss_Anon:          14380 kB"), KeyValue("Pss_Anon", "14380"));
  EXPECT_EQ(Split("VmRSS:\t    1024 kB"), KeyValue("VmRSS", "1024"));
}

TEST(SplitKeyedLine, ColonWithoutSpaceAndSpaceForm) {
  EXPECT_EQ(Split("Uid:0\t0\t0\t0"), KeyValue("Uid", "0"));
  EXPECT_EQ(Split("total_rss 4096"), KeyValue("total_rss", "4096"));
  EXPECT_EQ(Split("oom_kill\t3"), KeyValue("oom_kill", "3"));
}

TEST(SplitKeyedLine, SurroundingWhitespaceAndCarriageReturn) {
  EXPECT_EQ(Split("  \tRss:   12 kB \r"), KeyValue("Rss", "12"));
  EXPECT_EQ(Split("anon 7\n"), KeyValue("anon", "7"));
}

TEST(SplitKeyedLine, KeyAloneHasEmptyValue) {
  EXPECT_EQ(Split("Name:"), KeyValue("Name", ""));
  EXPECT_EQ(Split("Name:   "), KeyValue("Name", ""));
  EXPECT_EQ(Split("lonely"), KeyValue("lonely", ""));
}

TEST(SplitKeyedLine, OnlyTheFirstColonEndsTheKey) {
  // A cgroup path or a header line: the value is the first token after the first ':'.
  EXPECT_EQ(Split("a:b:c d"), KeyValue("a", "b:c"));
  EXPECT_EQ(Split("00400000-7ffd5a7f3000 ---p 00000000 00:00 0   [rollup]"),
            KeyValue("00400000-7ffd5a7f3000", "---p"));
}

TEST(SplitKeyedLine, BlankLines) {
  EXPECT_EQ(Split(""), KeyValue("<blank>", ""));
  EXPECT_EQ(Split(" \t\r\n\v\f"), KeyValue("<blank>", ""));
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
