// SPDX-License-Identifier: Apache-2.0
// ParseMountInfo and DecodeMountField: optional fields, octal escapes, malformed lines.
#include "cgroupfs/mountinfo_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace procleak {
namespace {

TEST(MountInfoParser, Reads_RowWithoutOptionalFields) {
  // Real (development host): cgroup rows have no optional fields before " - ".
  auto mounts =
      ParseMountInfo("35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 1u);
  const MountInfo& m = mounts->front();
  EXPECT_EQ(m.mount_id, 35);
  EXPECT_EQ(m.parent_id, 31);
  EXPECT_EQ(m.root, "/");
  EXPECT_EQ(m.mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(m.fstype, "cgroup");
  EXPECT_EQ(m.source, "cgroup");
  EXPECT_EQ(m.super_options, "rw,memory");
}

TEST(MountInfoParser, Skips_SharedAndMasterOptionalFields) {
  auto mounts = ParseMountInfo(
      "34 26 0:29 / /sys/fs/cgroup rw,nosuid shared:9 master:3 propagate_from:2 - cgroup2 "
      "cgroup2 rw,nsdelegate,memory_recursiveprot\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ(mounts->front().mount_point, "/sys/fs/cgroup");
  EXPECT_EQ(mounts->front().fstype, "cgroup2");
  EXPECT_EQ(mounts->front().source, "cgroup2");
  EXPECT_EQ(mounts->front().super_options, "rw,nsdelegate,memory_recursiveprot");
}

TEST(MountInfoParser, Reads_RowsWithZeroAndOneOptionalFieldsTogether) {
  auto mounts = ParseMountInfo(
      "21 1 259:1 / / rw,noatime shared:1 - xfs /dev/nvme0n1p1 rw,attr2\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ((*mounts)[0].fstype, "xfs");
  EXPECT_EQ((*mounts)[0].source, "/dev/nvme0n1p1");
  EXPECT_EQ((*mounts)[1].fstype, "cgroup2");
  EXPECT_EQ((*mounts)[1].mount_point, "/sys/fs/cgroup/unified");
}

TEST(MountInfoParser, Decodes_OctalEscapesInRootAndMountPoint) {
  auto mounts = ParseMountInfo(
      "396 394 0:21 /my\\040dir\\011x /mnt/a\\040b\\012c\\134d rw - cgroup cgroup rw,cpu\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 1u);
  EXPECT_EQ(mounts->front().root, "/my dir\tx");
  EXPECT_EQ(mounts->front().mount_point, "/mnt/a b\nc\\d");
}

TEST(MountInfoParser, Reads_LastLineWithoutTrailingNewline) {
  auto mounts = ParseMountInfo(
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  ASSERT_EQ(mounts->size(), 2u);
  EXPECT_EQ(mounts->back().super_options, "rw");
}

TEST(MountInfoParser, Gives_NoMounts_ForEmptyText) {
  auto mounts = ParseMountInfo("");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_TRUE(mounts->empty());
}

TEST(MountInfoParser, Fails_NamingLine_WithoutSeparator) {
  auto mounts = ParseMountInfo(
      "22 27 0:21 / /proc rw,relatime - proc proc rw\n"
      "\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime cgroup2 cgroup2 rw\n");
  ASSERT_FALSE(mounts.ok());
  EXPECT_EQ(mounts.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(mounts.status().message(), "line 3: no ' - ' separator");
}

TEST(MountInfoParser, Fails_NamingLine_WithTooFewFields) {
  auto mounts = ParseMountInfo("22 27 0:21 /\n");
  ASSERT_FALSE(mounts.ok());
  EXPECT_EQ(mounts.status().message(), "line 1: too few fields");
}

TEST(MountInfoParser, Fails_NamingLine_WithNothingAfterSeparator) {
  auto mounts = ParseMountInfo("22 27 0:21 / /proc rw - proc\n");
  ASSERT_FALSE(mounts.ok());
  EXPECT_EQ(mounts.status().message(), "line 1: too few fields after ' - '");
}

TEST(MountInfoParser, Fails_NamingLine_WithNonNumericMountId) {
  auto mounts = ParseMountInfo("x 27 0:21 / /proc rw - proc proc rw\n");
  ASSERT_FALSE(mounts.ok());
  EXPECT_EQ(mounts.status().message(), "line 1: bad mount id");
}

TEST(MountInfoParser, Reads_DashAsMountPointName) {
  // The separator search starts after the mount options, so a path named "-" is not it.
  auto mounts = ParseMountInfo("50 1 0:40 / /- rw - tmpfs tmpfs rw\n");
  ASSERT_TRUE(mounts.ok()) << mounts.status();
  EXPECT_EQ(mounts->front().mount_point, "/-");
  EXPECT_EQ(mounts->front().fstype, "tmpfs");
}

TEST(DecodeMountField, Decodes_EveryEscapeTheKernelWrites) {
  EXPECT_EQ(DecodeMountField("a\\040b"), "a b");
  EXPECT_EQ(DecodeMountField("a\\011b"), "a\tb");
  EXPECT_EQ(DecodeMountField("a\\012b"), "a\nb");
  EXPECT_EQ(DecodeMountField("a\\134b"), "a\\b");
  EXPECT_EQ(DecodeMountField("\\043comment"), "#comment");
}

TEST(DecodeMountField, Decodes_EscapeAtEnd) {
  EXPECT_EQ(DecodeMountField("/mnt/x\\040"), "/mnt/x ");
}

TEST(DecodeMountField, Keeps_DecodedBackslashFromStartingAnotherEscape) {
  // "\134" then "040": a literal backslash followed by the text 040, not a space.
  EXPECT_EQ(DecodeMountField("\\134040"), "\\040");
}

TEST(DecodeMountField, Keeps_IncompleteOrNonOctalEscapesVerbatim) {
  EXPECT_EQ(DecodeMountField("a\\04"), "a\\04");
  EXPECT_EQ(DecodeMountField("a\\089b"), "a\\089b");
  EXPECT_EQ(DecodeMountField("a\\"), "a\\");
  EXPECT_EQ(DecodeMountField(""), "");
}

}  // namespace
}  // namespace procleak
