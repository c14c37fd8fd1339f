// SPDX-License-Identifier: Apache-2.0
// ParseProcCgroup: v1, v2, hybrid, ':' in paths, cgroup-namespace and deleted paths, errors.
#include "procfs/cgroup_file_parser.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

CgroupMembership Line(int id, std::string_view controllers, std::string_view path) {
  return CgroupMembership{
      .hierarchy_id = id, .controllers = std::string(controllers), .path = std::string(path)};
}

TEST(CgroupFileParser, Reads_V2Line) {
  auto lines = ParseProcCgroup("0::/test-cgroup/test-cgroup-nested\n");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ElementsAre(Line(0, "", "/test-cgroup/test-cgroup-nested")));
}

TEST(CgroupFileParser, Reads_V1LineWithControllerList) {
  auto lines = ParseProcCgroup("5:cpuacct,cpu,cpuset:/daemons\n");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ElementsAre(Line(5, "cpuacct,cpu,cpuset", "/daemons")));
}

TEST(CgroupFileParser, Reads_HybridFileInKernelOrder) {
  // Real (this project's development host): 9 down to 0, the container only on the memory line.
  auto lines = ParseProcCgroup(
      "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n"
      "4:memory:/sandbox/0b6aa5f2967a07ea9b60e7c680931d4f\n3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n"
      "0::/\n");
  ASSERT_TRUE(lines.ok()) << lines.status();
  ASSERT_EQ(lines->size(), 10u);
  EXPECT_EQ(lines->front(), Line(9, "name=systemd", "/"));
  EXPECT_EQ((*lines)[5], Line(4, "memory", "/sandbox/0b6aa5f2967a07ea9b60e7c680931d4f"));
  EXPECT_EQ(lines->back(), Line(0, "", "/"));
}

TEST(CgroupFileParser, Keeps_ColonsInsidePath) {
  // Real: containerd CRI with a systemd-style slice parent and runc's cgroupfs driver.
  auto lines = ParseProcCgroup(
      "8:cpuset:/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:"
      "cri-containerd:ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459\n");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ElementsAre(Line(
                          8, "cpuset",
                          "/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:"
                          "cri-containerd:"
                          "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459")));
}

TEST(CgroupFileParser, Keeps_CgroupNamespaceDotDotPathVerbatim) {
  auto lines = ParseProcCgroup("0::/../container_id2/sub_cgrp_1\n");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ElementsAre(Line(0, "", "/../container_id2/sub_cgrp_1")));
}

TEST(CgroupFileParser, Strips_DeletedSuffixOfV2Zombie) {
  auto lines = ParseProcCgroup("0::/test-cgroup/test-cgroup-nested (deleted)\n");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ElementsAre(Line(0, "", "/test-cgroup/test-cgroup-nested")));
}

TEST(CgroupFileParser, Keeps_DeletedWordThatIsNotTheSuffix) {
  auto lines = ParseProcCgroup("0::/a (deleted)/b\n");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ElementsAre(Line(0, "", "/a (deleted)/b")));
}

TEST(CgroupFileParser, Accepts_MissingFinalNewlineAndBlankLines) {
  auto lines = ParseProcCgroup("4:memory:/docker/abc\n\n0::/system.slice/containerd.service");
  ASSERT_TRUE(lines.ok()) << lines.status();
  EXPECT_THAT(*lines, ElementsAre(Line(4, "memory", "/docker/abc"),
                                  Line(0, "", "/system.slice/containerd.service")));
}

TEST(CgroupFileParser, Gives_NoLines_ForEmptyFile) {
  auto lines = ParseProcCgroup("");
  ASSERT_TRUE(lines.ok());
  EXPECT_THAT(*lines, IsEmpty());
}

TEST(CgroupFileParser, Fails_WithLineNumber_OnNonNumericHierarchy) {
  auto lines = ParseProcCgroup("0::/\n1:cpu:/\nx:memory:/a\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(lines.status().message(), "line 3: hierarchy ID 'x' is not a number");
}

TEST(CgroupFileParser, Fails_WithLineNumber_OnLineWithoutColon) {
  auto lines = ParseProcCgroup("0::/\ngarbage\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().message(), "line 2: no ':' after hierarchy ID");
}

TEST(CgroupFileParser, Fails_WithLineNumber_OnLineWithOneColon) {
  auto lines = ParseProcCgroup("4:memory\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().message(), "line 1: no ':' after controllers");
}

TEST(CgroupFileParser, Fails_OnEmptyHierarchyId) {
  auto lines = ParseProcCgroup(":memory:/a\n");
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().message(), "line 1: hierarchy ID '' is not a number");
}

}  // namespace
}  // namespace procleak
