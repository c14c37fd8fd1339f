// SPDX-License-Identifier: Apache-2.0
// DiscoverCgroupLayout (v1, v2, hybrid, none), FindMembership and CgroupDirectory.
#include "cgroupfs/cgroup_layout.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;

MountInfo Mount(std::string_view fstype, std::string_view mount_point,
                std::string_view super_options, std::string_view root = "/") {
  MountInfo m;
  m.root = std::string(root);
  m.mount_point = std::string(mount_point);
  m.fstype = std::string(fstype);
  m.source = std::string(fstype);
  m.super_options = std::string(super_options);
  return m;
}

CgroupMembership Line(int id, std::string_view controllers, std::string_view path) {
  return CgroupMembership{
      .hierarchy_id = id, .controllers = std::string(controllers), .path = std::string(path)};
}

CgroupHierarchy V1(std::vector<std::string> controllers, std::string_view mount_point,
                   std::string_view root = "/") {
  return CgroupHierarchy{.v2 = false,
                         .controllers = std::move(controllers),
                         .root = std::string(root),
                         .mount_point = std::string(mount_point)};
}

CgroupHierarchy V2(std::string_view mount_point, std::string_view root = "/") {
  return CgroupHierarchy{.v2 = true,
                         .controllers = {},
                         .root = std::string(root),
                         .mount_point = std::string(mount_point)};
}

// The development host's shape: tmpfs, one v1 mount per controller, empty cgroup2 "unified".
std::vector<MountInfo> HybridMounts() {
  return {Mount("tmpfs", "/sys/fs/cgroup", "rw,mode=755"),
          Mount("cgroup", "/sys/fs/cgroup/memory", "rw,memory"),
          Mount("cgroup", "/sys/fs/cgroup/pids", "rw,pids"),
          Mount("cgroup", "/sys/fs/cgroup/systemd", "rw,name=systemd"),
          Mount("cgroup2", "/sys/fs/cgroup/unified", "rw")};
}

TEST(DiscoverCgroupLayout, Finds_V1_WithCombinedAndNamedHierarchies) {
  auto layout = DiscoverCgroupLayout(
      {Mount("proc", "/proc", "rw"), Mount("tmpfs", "/sys/fs/cgroup", "ro,mode=755"),
       Mount("cgroup", "/sys/fs/cgroup/systemd",
             "rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd"),
       Mount("cgroup", "/sys/fs/cgroup/cpu,cpuacct", "rw,cpu,cpuacct"),
       Mount("cgroup", "/sys/fs/cgroup/memory", "rw,memory"),
       Mount("cgroup", "/sys/fs/cgroup/cpuset", "rw,noprefix,clone_children,cpuset")},
      "");
  EXPECT_EQ(layout.mode, CgroupMode::kV1);
  ASSERT_EQ(layout.hierarchies.size(), 4u);
  EXPECT_THAT(layout.hierarchies[0].controllers, ElementsAre("name=systemd"));
  EXPECT_THAT(layout.hierarchies[1].controllers, ElementsAre("cpu", "cpuacct"));
  EXPECT_THAT(layout.hierarchies[3].controllers, ElementsAre("cpuset"));
  EXPECT_EQ(layout.Unified(), nullptr);
  ASSERT_NE(layout.MemoryHierarchy(), nullptr);
  EXPECT_EQ(layout.MemoryHierarchy()->mount_point, "/sys/fs/cgroup/memory");
  ASSERT_NE(layout.ForController("cpuacct"), nullptr);
  EXPECT_EQ(layout.ForController("cpuacct")->mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(layout.ForController("pids"), nullptr);
}

TEST(DiscoverCgroupLayout, Finds_PureV2_WithControllersFromCgroupControllers) {
  auto layout = DiscoverCgroupLayout(
      {Mount("cgroup2", "/sys/fs/cgroup", "rw,nsdelegate,memory_recursiveprot")},
      "cpuset cpu io memory hugetlb pids rdma misc\n");
  EXPECT_EQ(layout.mode, CgroupMode::kV2);
  ASSERT_EQ(layout.hierarchies.size(), 1u);
  const CgroupHierarchy& v2 = layout.hierarchies[0];
  EXPECT_TRUE(v2.v2);
  EXPECT_THAT(v2.controllers,
              ElementsAre("cpu", "cpuset", "hugetlb", "io", "memory", "misc", "pids", "rdma"));
  EXPECT_EQ(layout.Unified(), &v2);
  EXPECT_EQ(layout.MemoryHierarchy(), &v2);
  EXPECT_EQ(layout.ForController("pids"), &v2);
  EXPECT_EQ(layout.ForController("blkio"), nullptr);
}

TEST(DiscoverCgroupLayout, Finds_Hybrid_WhenV2HasNoControllers) {
  auto layout = DiscoverCgroupLayout(HybridMounts(), "\n");
  EXPECT_EQ(layout.mode, CgroupMode::kHybrid);
  ASSERT_EQ(layout.hierarchies.size(), 4u);
  ASSERT_NE(layout.Unified(), nullptr);
  EXPECT_EQ(layout.Unified()->mount_point, "/sys/fs/cgroup/unified");
  EXPECT_THAT(layout.Unified()->controllers, IsEmpty());
  ASSERT_NE(layout.MemoryHierarchy(), nullptr);
  EXPECT_FALSE(layout.MemoryHierarchy()->v2);
  EXPECT_EQ(layout.MemoryHierarchy()->mount_point, "/sys/fs/cgroup/memory");
  ASSERT_NE(layout.ForController("pids"), nullptr);
  EXPECT_EQ(layout.ForController("pids")->mount_point, "/sys/fs/cgroup/pids");
}

TEST(DiscoverCgroupLayout, Takes_ControllerFromV2_WhenNoV1HierarchyHasIt) {
  auto layout = DiscoverCgroupLayout(HybridMounts(), "hugetlb\n");
  EXPECT_EQ(layout.mode, CgroupMode::kHybrid);
  ASSERT_NE(layout.ForController("hugetlb"), nullptr);
  EXPECT_TRUE(layout.ForController("hugetlb")->v2);
  EXPECT_FALSE(layout.ForController("memory")->v2);
}

TEST(DiscoverCgroupLayout, Finds_None_WithoutCgroupRows) {
  auto layout = DiscoverCgroupLayout(
      {Mount("proc", "/proc", "rw"), Mount("tmpfs", "/sys/fs/cgroup", "rw,mode=755")}, "");
  EXPECT_EQ(layout.mode, CgroupMode::kNone);
  EXPECT_THAT(layout.hierarchies, IsEmpty());
  EXPECT_EQ(layout.MemoryHierarchy(), nullptr);
  EXPECT_EQ(layout.Unified(), nullptr);
  EXPECT_EQ(layout.ForController("memory"), nullptr);
}

TEST(DiscoverCgroupLayout, Keeps_FirstMountOfHierarchyMountedTwice) {
  auto layout = DiscoverCgroupLayout(
      {Mount("cgroup", "/sys/fs/cgroup/memory", "rw,memory"),
       Mount("cgroup", "/var/lib/container/memory", "rw,memory", "/docker/abc")},
      "");
  ASSERT_EQ(layout.hierarchies.size(), 1u);
  EXPECT_EQ(layout.hierarchies[0].mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(layout.hierarchies[0].root, "/");
}

TEST(FindMembership, Picks_V1LineByControllerSet_InAnyOrder) {
  std::vector<CgroupMembership> lines = {
      Line(4, "memory", "/docker/abc"), Line(2, "cpuacct,cpu", "/docker/cpu-side"),
      Line(1, "name=systemd", "/system.slice/docker.service"), Line(0, "", "/init.scope")};
  const CgroupMembership* cpu = FindMembership(lines, V1({"cpu", "cpuacct"}, "/sys/fs/cgroup/cpu"));
  ASSERT_NE(cpu, nullptr);
  EXPECT_EQ(cpu->path, "/docker/cpu-side");
  const CgroupMembership* memory = FindMembership(lines, V1({"memory"}, "/sys/fs/cgroup/memory"));
  ASSERT_NE(memory, nullptr);
  EXPECT_EQ(memory->path, "/docker/abc");
  const CgroupMembership* systemd =
      FindMembership(lines, V1({"name=systemd"}, "/sys/fs/cgroup/systemd"));
  ASSERT_NE(systemd, nullptr);
  EXPECT_EQ(systemd->path, "/system.slice/docker.service");
}

TEST(FindMembership, Picks_ZeroLine_ForV2) {
  std::vector<CgroupMembership> lines = {Line(4, "memory", "/docker/abc"),
                                         Line(0, "", "/system.slice/containerd.service")};
  const CgroupMembership* line = FindMembership(lines, V2("/sys/fs/cgroup/unified"));
  ASSERT_NE(line, nullptr);
  EXPECT_EQ(line->path, "/system.slice/containerd.service");
}

TEST(FindMembership, Returns_Null_WhenNoLineMatches) {
  std::vector<CgroupMembership> lines = {Line(2, "cpu", "/a"), Line(0, "", "/")};
  EXPECT_EQ(FindMembership(lines, V1({"cpu", "cpuacct"}, "/x")), nullptr);  // a subset
  EXPECT_EQ(FindMembership(lines, V1({"pids"}, "/x")), nullptr);
  EXPECT_EQ(FindMembership({Line(4, "memory", "/a")}, V2("/x")), nullptr);
  EXPECT_EQ(FindMembership({}, V1({"memory"}, "/x")), nullptr);
}

TEST(CgroupDirectory, Joins_PathToMountPoint) {
  auto h = V1({"memory"}, "/sys/fs/cgroup/memory");
  EXPECT_THAT(CgroupDirectory(h, "/docker/abc"),
              Optional(std::string("/sys/fs/cgroup/memory/docker/abc")));
  EXPECT_THAT(CgroupDirectory(h, "/"), Optional(std::string("/sys/fs/cgroup/memory")));
  EXPECT_THAT(CgroupDirectory(h, "/docker/abc/"),
              Optional(std::string("/sys/fs/cgroup/memory/docker/abc")));
}

TEST(CgroupDirectory, Keeps_ColonsInsidePath) {
  auto h = V1({"memory"}, "/sys/fs/cgroup/memory");
  EXPECT_THAT(CgroupDirectory(h, "/kubepods-besteffort-pod01.slice:cri-containerd:ee4b"),
              Optional(std::string("/sys/fs/cgroup/memory/kubepods-besteffort-pod01.slice:"
                                   "cri-containerd:ee4b")));
}

TEST(CgroupDirectory, Rejects_CgroupNamespaceDotDotPaths) {
  auto h = V2("/sys/fs/cgroup");
  EXPECT_EQ(CgroupDirectory(h, "/../sibling"), std::nullopt);
  EXPECT_EQ(CgroupDirectory(h, "/../../system.slice/docker.service"), std::nullopt);
  EXPECT_EQ(CgroupDirectory(h, "/.."), std::nullopt);
  EXPECT_EQ(CgroupDirectory(h, "/a/../b"), std::nullopt);
  EXPECT_EQ(CgroupDirectory(h, "/a/.."), std::nullopt);
}

TEST(CgroupDirectory, Keeps_NamesThatOnlyStartWithDots) {
  auto h = V2("/sys/fs/cgroup");
  EXPECT_THAT(CgroupDirectory(h, "/a/..b"), Optional(std::string("/sys/fs/cgroup/a/..b")));
}

TEST(CgroupDirectory, Rejects_RelativeAndEmptyPaths) {
  auto h = V2("/sys/fs/cgroup");
  EXPECT_EQ(CgroupDirectory(h, ""), std::nullopt);
  EXPECT_EQ(CgroupDirectory(h, "docker/abc"), std::nullopt);
}

TEST(CgroupDirectory, Strips_MountRootOfContainerView) {
  // Inside a v1 container with the host cgroupns: the mount shows only /docker/<id>.
  auto h = V1({"memory"}, "/sys/fs/cgroup/memory", "/docker/4ec6993fbaf7");
  EXPECT_THAT(CgroupDirectory(h, "/docker/4ec6993fbaf7"),
              Optional(std::string("/sys/fs/cgroup/memory")));
  EXPECT_THAT(CgroupDirectory(h, "/docker/4ec6993fbaf7/sub"),
              Optional(std::string("/sys/fs/cgroup/memory/sub")));
  auto trailing = V1({"memory"}, "/sys/fs/cgroup/memory", "/docker/4ec6993fbaf7/");
  EXPECT_THAT(CgroupDirectory(trailing, "/docker/4ec6993fbaf7/sub"),
              Optional(std::string("/sys/fs/cgroup/memory/sub")));
}

TEST(CgroupDirectory, Rejects_PathOutsideMountRoot) {
  auto h = V1({"memory"}, "/sys/fs/cgroup/memory", "/docker/4ec6993fbaf7");
  EXPECT_EQ(CgroupDirectory(h, "/system.slice/docker.service"), std::nullopt);
  EXPECT_EQ(CgroupDirectory(h, "/"), std::nullopt);
  EXPECT_EQ(CgroupDirectory(h, "/docker"), std::nullopt);
  EXPECT_EQ(CgroupDirectory(h, "/docker/4ec6993fbaf7x"), std::nullopt);  // prefix, not a parent
}

TEST(CgroupDirectory, Handles_MountPointAtSlash) {
  auto h = V2("/");
  EXPECT_THAT(CgroupDirectory(h, "/"), Optional(std::string("/")));
  EXPECT_THAT(CgroupDirectory(h, "/init.scope"), Optional(std::string("/init.scope")));
}

}  // namespace
}  // namespace procleak
