// SPDX-License-Identifier: Apache-2.0
// ParseSmapsRollup: kB values to bytes, header line and unknown keys skipped.
#include "procfs/smaps_rollup_parser.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

// Shape of a real node process's file (kernel 6.1).
constexpr char kNode[] =
    "00400000-7ffd5a7f3000 ---p 00000000 00:00 0                              [rollup]\n"
    "Rss:               45288 kB\n"
    "Pss:               21764 kB\n"
    "Pss_Dirty:         14512 kB\n"
    "Pss_Anon:          14380 kB\n"
    "Pss_File:           7384 kB\n"
    "Pss_Shmem:             0 kB\n"
    "Shared_Clean:      30560 kB\n"
    "Swap:                  0 kB\n"
    "SwapPss:               0 kB\n"
    "Locked:                0 kB\n";

TEST(SmapsRollupParser, ReadsPssAndRssInBytes) {
  absl::StatusOr<SmapsRollup> r = ParseSmapsRollup(kNode);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rss, 45288u * 1024);
  EXPECT_EQ(r->pss, 21764u * 1024);
  EXPECT_EQ(r->pss_anon, 14380u * 1024);
  EXPECT_EQ(r->pss_file, 7384u * 1024);
  EXPECT_EQ(r->swap, 0u);
}

TEST(SmapsRollupParser, KernelThreadEmptyFileLeavesFieldsAbsent) {
  absl::StatusOr<SmapsRollup> r = ParseSmapsRollup("");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->pss.has_value());
  EXPECT_FALSE(r->rss.has_value());
}

TEST(SmapsRollupParser, Fails_NamingLineOfBadValue) {
  absl::StatusOr<SmapsRollup> r = ParseSmapsRollup("hdr [rollup]\nRss: 12 kB\nPss: x kB\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "line 3: bad value for Pss");
}

TEST(SmapsRollupParser, AcceptsMissingTrailingNewline) {
  absl::StatusOr<SmapsRollup> r = ParseSmapsRollup("Pss: 7 kB");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->pss, 7u * 1024);
}

}  // namespace
}  // namespace procleak
