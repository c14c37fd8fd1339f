// SPDX-License-Identifier: Apache-2.0
// Parsers of cgroup memory, pids and pressure files: limits, memory.stat v1/v2, events, PSI.
#include "cgroupfs/memory_files.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace procleak {
namespace {

using ::testing::Optional;

TEST(ParseSingleValue, Reads_NumberWithNewline) {
  auto value = ParseSingleValue("47185920\n");
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, 47185920u);
}

TEST(ParseSingleValue, Fails_OnEmptyFile) {
  auto value = ParseSingleValue("");
  ASSERT_FALSE(value.ok());
  EXPECT_EQ(value.status().message(), "not a number: \"\"");
}

TEST(ParseSingleValue, Fails_OnGarbageNegativeAndOverflow) {
  EXPECT_EQ(ParseSingleValue("lots\n").status().message(), "not a number: \"lots\"");
  EXPECT_FALSE(ParseSingleValue("-5").ok());
  EXPECT_FALSE(ParseSingleValue("18446744073709551616").ok());
  EXPECT_FALSE(ParseSingleValue("12 34").ok());
}

TEST(ParseLimit, Reads_V2MaxAsUnlimited) {
  auto limit = ParseLimit("max\n", 4096);
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_TRUE(limit->unlimited());
}

TEST(ParseLimit, Reads_RealNumber) {
  auto limit = ParseLimit("536870912\n", 4096);
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_EQ(*limit, Limit::Of(536870912));
}

TEST(ParseLimit, Reads_V1PageCounterMaxAsUnlimited_For4KiBPages) {
  // (LONG_MAX / 4096) * 4096: what memory.limit_in_bytes shows by default on x86-64.
  auto limit = ParseLimit("9223372036854771712\n", 4096);
  ASSERT_TRUE(limit.ok()) << limit.status();
  EXPECT_TRUE(limit->unlimited());
  // One byte below is a (huge) real limit.
  EXPECT_EQ(*ParseLimit("9223372036854771711", 4096), Limit::Of(9223372036854771711u));
}

TEST(ParseLimit, Reads_LongMaxAsUnlimited) {
  EXPECT_TRUE(ParseLimit("9223372036854775807\n", 4096)->unlimited());
  EXPECT_TRUE(ParseLimit("9223372036854775807\n", 1)->unlimited());
}

TEST(ParseLimit, Uses_PageSizeForUnlimitedThreshold) {
  EXPECT_TRUE(ParseLimit("9223372036854759424", 16384)->unlimited());
  EXPECT_TRUE(ParseLimit("9223372036854710272", 65536)->unlimited());
  // The 64 KiB form is below the 4 KiB threshold: on a 4 KiB host it is a number.
  EXPECT_FALSE(ParseLimit("9223372036854710272", 4096)->unlimited());
}

TEST(ParseLimit, Reads_MinusOneAsUnlimited) { EXPECT_TRUE(ParseLimit("-1\n", 4096)->unlimited()); }

TEST(ParseLimit, Reads_PidsMax) {
  EXPECT_EQ(*ParseLimit("4096\n", 1), Limit::Of(4096));
  EXPECT_TRUE(ParseLimit("max\n", 1)->unlimited());
}

TEST(ParseLimit, Fails_OnGarbageAndEmpty) {
  auto limit = ParseLimit("unlimited\n", 4096);
  ASSERT_FALSE(limit.ok());
  EXPECT_EQ(limit.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(limit.status().message(), "not a number: \"unlimited\"");
  EXPECT_FALSE(ParseLimit("", 4096).ok());
  EXPECT_FALSE(ParseLimit("Max", 4096).ok());
  EXPECT_FALSE(ParseLimit("-2", 4096).ok());
}

constexpr std::string_view kV1Stat =
    "cache 1000\nrss 2000\nrss_huge 0\nshmem 3000\nmapped_file 4000\ndirty 0\nswap 5000\n"
    "pgfault 9\nhierarchical_memory_limit 9223372036854771712\n"
    "total_cache 46137344\ntotal_rss 455081984\ntotal_rss_huge 0\ntotal_shmem 8192\n"
    "total_mapped_file 12582912\ntotal_dirty 135168\ntotal_swap 65536\n";

TEST(ParseMemoryStatV1, Reads_HierarchicalTotalKeys_NotLocalOnes) {
  auto stat = ParseMemoryStatV1(kV1Stat);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_THAT(stat->anon, Optional(455081984u));
  EXPECT_THAT(stat->file, Optional(46137344u));
  EXPECT_THAT(stat->shmem, Optional(8192u));
  EXPECT_THAT(stat->file_mapped, Optional(12582912u));
  EXPECT_THAT(stat->swap, Optional(65536u));
  EXPECT_EQ(stat->kernel, std::nullopt);
  EXPECT_EQ(stat->slab, std::nullopt);
  EXPECT_EQ(stat->sock, std::nullopt);
}

TEST(ParseMemoryStatV1, Leaves_FieldsAbsent_WithOnlyLocalKeys) {
  auto stat = ParseMemoryStatV1("cache 1000\nrss 2000\nshmem 3000\nmapped_file 4000\nswap 5\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(*stat, MemoryStat{});
}

TEST(ParseMemoryStatV1, Leaves_SwapAbsent_WithoutSwapAccounting) {
  auto stat = ParseMemoryStatV1("total_cache 1\ntotal_rss 2\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_THAT(stat->anon, Optional(2u));
  EXPECT_EQ(stat->swap, std::nullopt);
}

TEST(ParseMemoryStatV1, Fails_NamingLine_OnBadTotalValue) {
  auto stat = ParseMemoryStatV1("cache 1\nrss 2\ntotal_rss lots\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "line 3: bad value for total_rss");
}

TEST(ParseMemoryStatV2, Reads_V2Keys_AmongManyOthers) {
  auto stat = ParseMemoryStatV2(
      "anon 12582912\nfile 33554432\nkernel 1048576\nkernel_stack 131072\nsock 4096\n"
      "shmem 8192\nfile_mapped 6291456\nfile_dirty 16384\nswapcached 0\n"
      "slab_reclaimable 436906\nslab_unreclaimable 218454\nslab 655360\npgfault 1820331\n"
      "total_rss 1\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_THAT(stat->anon, Optional(12582912u));
  EXPECT_THAT(stat->file, Optional(33554432u));
  EXPECT_THAT(stat->kernel, Optional(1048576u));
  EXPECT_THAT(stat->sock, Optional(4096u));
  EXPECT_THAT(stat->shmem, Optional(8192u));
  EXPECT_THAT(stat->file_mapped, Optional(6291456u));
  EXPECT_THAT(stat->slab, Optional(655360u));
  EXPECT_EQ(stat->swap, std::nullopt);  // v2 keeps swap in memory.swap.current
}

TEST(ParseMemoryStatV2, Leaves_KernelAbsent_OnOlderKernels) {
  auto stat = ParseMemoryStatV2("anon 1\nfile 2\nslab 3\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_THAT(stat->anon, Optional(1u));
  EXPECT_EQ(stat->kernel, std::nullopt);
}

TEST(ParseMemoryStatV2, Fails_NamingLine_OnBadValue) {
  auto stat = ParseMemoryStatV2("anon 1\nfile -\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "line 2: bad value for file");
}

TEST(ParseMemoryStat, Gives_AllAbsent_ForEmptyFile) {
  EXPECT_EQ(*ParseMemoryStatV1(""), MemoryStat{});
  EXPECT_EQ(*ParseMemoryStatV2(""), MemoryStat{});
}

TEST(ParseMemoryEvents, Reads_OomKillAndMax) {
  auto events = ParseMemoryEvents(
      "low 0\nhigh 3\nmax 14\noom 2\noom_kill 1\noom_group_kill 0\nsock_throttled 0\n");
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(events->low, Optional(0u));
  EXPECT_THAT(events->high, Optional(3u));
  EXPECT_THAT(events->max, Optional(14u));
  EXPECT_THAT(events->oom, Optional(2u));
  EXPECT_THAT(events->oom_kill, Optional(1u));
  EXPECT_THAT(events->oom_group_kill, Optional(0u));
}

TEST(ParseMemoryEvents, Leaves_OomGroupKillAbsent_OnOlderKernels) {
  auto events = ParseMemoryEvents("low 0\nhigh 0\nmax 0\noom 0\noom_kill 5");
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_THAT(events->oom_kill, Optional(5u));
  EXPECT_EQ(events->oom_group_kill, std::nullopt);
}

TEST(ParseMemoryEvents, Gives_AllAbsent_ForEmptyFile) {
  auto events = ParseMemoryEvents("");
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(events->oom_kill, std::nullopt);
  EXPECT_EQ(events->max, std::nullopt);
}

TEST(ParseMemoryEvents, Fails_NamingLine_OnBadValue) {
  EXPECT_EQ(ParseMemoryEvents("low 0\noom_kill x\n").status().message(),
            "line 2: bad value for oom_kill");
}

TEST(ParseOomControl, Reads_OomKillLine) {
  auto oom = ParseOomControl("oom_kill_disable 0\nunder_oom 1\noom_kill 3\n");
  ASSERT_TRUE(oom.ok()) << oom.status();
  EXPECT_THAT(oom->oom_kill_disable, Optional(0u));
  EXPECT_THAT(oom->under_oom, Optional(1u));
  EXPECT_THAT(oom->oom_kill, Optional(3u));
}

TEST(ParseOomControl, Leaves_OomKillAbsent_OnKernelsWithoutIt) {
  // Kernels before 4.13 print only the first two lines.
  auto oom = ParseOomControl("oom_kill_disable 1\nunder_oom 0\n");
  ASSERT_TRUE(oom.ok()) << oom.status();
  EXPECT_THAT(oom->oom_kill_disable, Optional(1u));
  EXPECT_EQ(oom->oom_kill, std::nullopt);
}

TEST(ParseOomControl, Gives_AllAbsent_ForEmptyFile) {
  auto oom = ParseOomControl("");
  ASSERT_TRUE(oom.ok()) << oom.status();
  EXPECT_EQ(oom->oom_kill_disable, std::nullopt);
  EXPECT_EQ(oom->under_oom, std::nullopt);
  EXPECT_EQ(oom->oom_kill, std::nullopt);
}

TEST(ParsePressure, Reads_SomeAndFull) {
  auto pressure = ParsePressure(
      "some avg10=1.52 avg60=0.87 avg300=0.31 total=4815162\n"
      "full avg10=0.95 avg60=0.52 avg300=0.18 total=2342342\n");
  ASSERT_TRUE(pressure.ok()) << pressure.status();
  EXPECT_EQ(pressure->some,
            (PressureLine{.avg10 = 1.52, .avg60 = 0.87, .avg300 = 0.31, .total_us = 4815162}));
  EXPECT_EQ(pressure->full,
            (PressureLine{.avg10 = 0.95, .avg60 = 0.52, .avg300 = 0.18, .total_us = 2342342}));
}

TEST(ParsePressure, Leaves_FullAbsent_WithOnlySomeLine) {
  // Older kernels' cpu.pressure has no "full" line.
  auto pressure = ParsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0");
  ASSERT_TRUE(pressure.ok()) << pressure.status();
  EXPECT_EQ(pressure->some, PressureLine{});
  EXPECT_EQ(pressure->full, std::nullopt);
}

TEST(ParsePressure, Fails_OnEmptyFileOrOnlyFull) {
  EXPECT_EQ(ParsePressure("").status().message(), "no \"some\" line");
  EXPECT_FALSE(ParsePressure("full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n").ok());
}

TEST(ParsePressure, Fails_NamingLine_OnBadOrMissingValue) {
  EXPECT_EQ(ParsePressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                          "full avg10=x avg60=0.00 avg300=0.00 total=0\n")
                .status()
                .message(),
            "line 2: bad value in \"avg10=x\"");
  EXPECT_EQ(ParsePressure("some avg10=0.00 avg60=0.00 avg300=0.00\n").status().message(),
            "line 1: needs avg10, avg60, avg300 and total");
  EXPECT_EQ(ParsePressure("some avg100=1 avg60=0.00 avg300=0.00 total=0\n").status().message(),
            "line 1: needs avg10, avg60, avg300 and total");
}

}  // namespace
}  // namespace procleak
