// SPDX-License-Identifier: Apache-2.0
// ParseMemInfo (kB to bytes, by key) and ParseBootTime (the btime line of /proc/stat).
#include "procfs/meminfo_parser.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

TEST(MemInfoParser, Reads_RealKeysAsBytes) {
  absl::StatusOr<MemInfo> info = ParseMemInfo(
      "MemTotal:       24684084 kB\n"
      "MemFree:        23000000 kB\n"
      "MemAvailable:   23290780 kB\n"
      "Buffers:            1620 kB\n"
      "Cached:            70052 kB\n"
      "SwapCached:            0 kB\n"
      "Active(anon):      12345 kB\n"
      "SwapTotal:             0 kB\n"
      "SwapFree:              0 kB\n"
      "Shmem:              8872 kB\n"
      "HugePages_Total:       0\n"
      "Hugepagesize:       2048 kB\n");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->mem_total, 24684084ull * 1024);
  EXPECT_EQ(info->mem_free, 23000000ull * 1024);
  EXPECT_EQ(info->mem_available, 23290780ull * 1024);
  EXPECT_EQ(info->cached, 70052ull * 1024);  // not confused with SwapCached
  EXPECT_EQ(info->shmem, 8872ull * 1024);
  EXPECT_EQ(info->swap_total, 0u);
  EXPECT_EQ(info->swap_free, 0u);
}

TEST(MemInfoParser, LeavesAbsent_KeysOfOlderKernels) {
  // MemAvailable appeared in 3.14.
  absl::StatusOr<MemInfo> info = ParseMemInfo("MemTotal: 1000 kB\nMemFree: 500 kB");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->mem_total, 1024000u);
  EXPECT_FALSE(info->mem_available.has_value());
  EXPECT_FALSE(info->shmem.has_value());
}

TEST(MemInfoParser, Fails_NamingLineOfBadValue) {
  absl::StatusOr<MemInfo> info = ParseMemInfo("MemTotal: 1000 kB\nMemAvailable: lots\n");
  ASSERT_FALSE(info.ok());
  EXPECT_EQ(info.status().message(), "line 2: bad value for MemAvailable");
}

TEST(BootTimeParser, Finds_BtimeLine) {
  absl::StatusOr<int64_t> btime = ParseBootTime(
      "cpu  10 0 20 300 0 0 0 0 0 0\ncpu0 10 0 20 300 0 0 0 0 0 0\nintr 12345 0 0\n"
      "ctxt 99\nbtime 1795387045\nprocesses 5000\nprocs_running 1\n");
  ASSERT_TRUE(btime.ok()) << btime.status();
  EXPECT_EQ(*btime, 1795387045);
}

TEST(BootTimeParser, Accepts_BtimeAsLastLineWithoutNewline) {
  absl::StatusOr<int64_t> btime = ParseBootTime("cpu  1 2 3\nbtime 1700000000");
  ASSERT_TRUE(btime.ok()) << btime.status();
  EXPECT_EQ(*btime, 1700000000);
}

TEST(BootTimeParser, Ignores_BtimeNotAtLineStart) {
  absl::StatusOr<int64_t> btime = ParseBootTime("xbtime 1\nbtime 2\n");
  ASSERT_TRUE(btime.ok()) << btime.status();
  EXPECT_EQ(*btime, 2);
}

TEST(BootTimeParser, Fails_WithoutBtimeLine) {
  absl::StatusOr<int64_t> btime = ParseBootTime("cpu  1 2 3\nprocesses 9\n");
  ASSERT_FALSE(btime.ok());
  EXPECT_EQ(btime.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(btime.status().message(), "no btime line");
}

TEST(BootTimeParser, Fails_OnNonNumericBtime) {
  absl::StatusOr<int64_t> btime = ParseBootTime("btime soon\n");
  ASSERT_FALSE(btime.ok());
  EXPECT_EQ(btime.status().message(), "btime 'soon' is not a number");
}

}  // namespace
}  // namespace procleak
