// SPDX-License-Identifier: Apache-2.0
// ReadCgroupLayout and ReadCgroup over temporary trees (v1, v2, hybrid) and tests/data fixtures.
#include "cgroupfs/cgroup_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "procfs/cgroup_file_parser.h"
#include "testing/fixture_trees.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Optional;
using testing::TempTree;

constexpr uint64_t kPage = 4096;
constexpr std::string_view kMem = "sys/fs/cgroup/memory/docker/abc/";
constexpr std::string_view kV2 = "sys/fs/cgroup/system.slice/app.scope/";

CgroupMembership Line(int id, std::string_view controllers, std::string_view path) {
  return CgroupMembership{
      .hierarchy_id = id, .controllers = std::string(controllers), .path = std::string(path)};
}

std::string Cat(std::string_view a, std::string_view b) { return std::string(a) + std::string(b); }

void WriteV1Mounts(const TempTree& tree) {
  tree.Write("proc/self/mountinfo",
             "24 23 0:22 / /sys/fs/cgroup ro,nosuid shared:7 - tmpfs tmpfs ro,mode=755\n"
             "25 24 0:23 / /sys/fs/cgroup/systemd rw shared:8 - cgroup cgroup "
             "rw,xattr,release_agent=/usr/lib/systemd/systemd-cgroups-agent,name=systemd\n"
             "29 24 0:27 / /sys/fs/cgroup/memory rw shared:11 - cgroup cgroup rw,memory\n"
             "33 24 0:31 / /sys/fs/cgroup/pids rw shared:15 - cgroup cgroup rw,pids\n");
}

void WriteV1Memory(const TempTree& tree) {
  tree.Write(Cat(kMem, "memory.usage_in_bytes"), "501219328\n");
  tree.Write(Cat(kMem, "memory.limit_in_bytes"), "536870912\n");
  tree.Write(Cat(kMem, "memory.max_usage_in_bytes"), "530000000\n");
  tree.Write(Cat(kMem, "memory.stat"),
             "cache 1\nrss 2\ntotal_cache 46137344\ntotal_rss 455081984\ntotal_shmem 0\n"
             "total_mapped_file 12582912\ntotal_swap 0\n");
  tree.Write(Cat(kMem, "memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
  tree.Write(Cat(kMem, "memory.failcnt"), "17\n");
}

void WriteV2(const TempTree& tree) {
  tree.Write("proc/self/mountinfo",
             "34 26 0:29 / /sys/fs/cgroup rw,nosuid shared:9 - cgroup2 cgroup2 "
             "rw,nsdelegate,memory_recursiveprot\n");
  tree.Write("sys/fs/cgroup/cgroup.controllers", "cpuset cpu io memory pids\n");
  tree.Write("sys/fs/cgroup/memory.stat", "anon 100\nfile 200\n");
  tree.Write("sys/fs/cgroup/memory.pressure",
             "some avg10=0.12 avg60=0.08 avg300=0.02 total=1889213\n"
             "full avg10=0.05 avg60=0.03 avg300=0.00 total=901122\n");
  tree.Write(Cat(kV2, "memory.current"), "47185920\n");
  tree.Write(Cat(kV2, "memory.max"), "max\n");
  tree.Write(Cat(kV2, "memory.peak"), "73400320\n");
  tree.Write(Cat(kV2, "memory.stat"), "anon 12582912\nfile 33554432\nslab 655360\n");
  tree.Write(Cat(kV2, "memory.events"),
             "low 0\nhigh 0\nmax 4\noom 1\noom_kill 2\noom_group_kill 0\n");
  tree.Write(Cat(kV2, "memory.pressure"), "some avg10=1.50 avg60=0.75 avg300=0.25 total=42\n");
  tree.Write(Cat(kV2, "pids.current"), "4\n");
  tree.Write(Cat(kV2, "pids.max"), "4096\n");
}

absl::StatusOr<Cgroup> Read(const TempTree& tree, std::string_view path,
                            const std::vector<CgroupMembership>& lines) {
  absl::StatusOr<CgroupLayout> layout = ReadCgroupLayout(tree.root());
  if (!layout.ok()) return layout.status();
  SkipCounter skips;
  return ReadCgroup(tree.root(), *layout, std::string(path), lines, kPage, &skips);
}

TEST(ReadCgroupLayout, Finds_V1WithMountsFromMountinfo) {
  TempTree tree;
  WriteV1Mounts(tree);
  auto layout = ReadCgroupLayout(tree.root());
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->mode, CgroupMode::kV1);
  ASSERT_EQ(layout->hierarchies.size(), 3u);
  EXPECT_EQ(layout->MemoryHierarchy()->mount_point, "/sys/fs/cgroup/memory");
}

TEST(ReadCgroupLayout, Reads_V2ControllersFromMountRoot) {
  TempTree tree;
  WriteV2(tree);
  auto layout = ReadCgroupLayout(tree.root());
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->mode, CgroupMode::kV2);
  ASSERT_NE(layout->Unified(), nullptr);
  EXPECT_THAT(layout->Unified()->controllers, ElementsAre("cpu", "cpuset", "io", "memory", "pids"));
}

TEST(ReadCgroupLayout, Reads_ControllersUnderEscapedMountPoint) {
  TempTree tree;
  tree.Write("proc/self/mountinfo", "34 26 0:29 / /cg\\040root rw - cgroup2 cgroup2 rw\n");
  tree.Write("cg root/cgroup.controllers", "memory pids\n");
  auto layout = ReadCgroupLayout(tree.root());
  ASSERT_TRUE(layout.ok()) << layout.status();
  ASSERT_NE(layout->Unified(), nullptr);
  EXPECT_EQ(layout->Unified()->mount_point, "/cg root");
  EXPECT_THAT(layout->Unified()->controllers, ElementsAre("memory", "pids"));
}

TEST(ReadCgroupLayout, Finds_HybridWithEmptyV2) {
  TempTree tree;
  tree.Write("proc/self/mountinfo",
             "29 24 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
             "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  tree.Write("sys/fs/cgroup/unified/cgroup.controllers", "\n");
  auto layout = ReadCgroupLayout(tree.root());
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->mode, CgroupMode::kHybrid);
  EXPECT_THAT(layout->Unified()->controllers, IsEmpty());
  EXPECT_FALSE(layout->MemoryHierarchy()->v2);
}

TEST(ReadCgroupLayout, Gives_V2WithoutControllers_WhenCgroupControllersIsMissing) {
  TempTree tree;
  tree.Write("proc/self/mountinfo", "34 26 0:29 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  auto layout = ReadCgroupLayout(tree.root());
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->mode, CgroupMode::kV2);
  EXPECT_THAT(layout->Unified()->controllers, IsEmpty());
}

TEST(ReadCgroupLayout, Gives_None_WithoutMountinfo) {
  TempTree tree;
  auto layout = ReadCgroupLayout(tree.root());
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->mode, CgroupMode::kNone);
  EXPECT_THAT(layout->hierarchies, IsEmpty());
}

TEST(ReadCgroupLayout, Fails_NamingMalformedMountinfo) {
  TempTree tree;
  tree.Write("proc/self/mountinfo", "22 27 0:21 / /proc rw - proc proc rw\n22 27 0:21 / /x rw\n");
  auto layout = ReadCgroupLayout(tree.root());
  ASSERT_FALSE(layout.ok());
  EXPECT_EQ(layout.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(layout.status().message()),
            tree.Path("proc/self/mountinfo") + ": line 2: no ' - ' separator");
}

TEST(ReadCgroup, Reads_V1MemoryAndPidsFiles) {
  TempTree tree;
  WriteV1Mounts(tree);
  WriteV1Memory(tree);
  tree.Write("sys/fs/cgroup/pids/docker/abc/pids.current", "20\n");
  tree.Write("sys/fs/cgroup/pids/docker/abc/pids.max", "100\n");
  auto cgroup = Read(tree, "/docker/abc",
                     {Line(11, "pids", "/docker/abc"), Line(4, "memory", "/docker/abc"),
                      Line(1, "name=systemd", "/docker/abc")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_EQ(cgroup->path, "/docker/abc");
  EXPECT_THAT(cgroup->memory_bytes, Optional(501219328u));
  EXPECT_THAT(cgroup->memory_limit, Optional(Limit::Of(536870912)));
  EXPECT_THAT(cgroup->memory_peak_bytes, Optional(530000000u));
  EXPECT_THAT(cgroup->memory_stat.anon, Optional(455081984u));  // total_rss, not rss
  EXPECT_THAT(cgroup->memory_stat.file, Optional(46137344u));
  EXPECT_THAT(cgroup->oom_kills, Optional(3u));
  EXPECT_THAT(cgroup->limit_hits, Optional(17u));
  EXPECT_THAT(cgroup->pids_current, Optional(20u));
  EXPECT_THAT(cgroup->pids_max, Optional(Limit::Of(100)));
  EXPECT_EQ(cgroup->memory_pressure, std::nullopt);
  EXPECT_THAT(cgroup->pids, IsEmpty());
}

TEST(ReadCgroup, Reads_V1UnlimitedLimit) {
  TempTree tree;
  WriteV1Mounts(tree);
  WriteV1Memory(tree);
  tree.Write(Cat(kMem, "memory.limit_in_bytes"), "9223372036854771712\n");
  auto cgroup = Read(tree, "/docker/abc", {Line(4, "memory", "/docker/abc")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_THAT(cgroup->memory_limit, Optional(Limit::Unlimited()));
}

TEST(ReadCgroup, Reads_PidsFromPidsLine_WhenV1HierarchiesDisagree) {
  TempTree tree;
  WriteV1Mounts(tree);
  WriteV1Memory(tree);
  tree.Write("sys/fs/cgroup/pids/user.slice/pids.current", "7\n");
  tree.Write("sys/fs/cgroup/pids/user.slice/pids.max", "max\n");
  auto cgroup = Read(tree, "/docker/abc",
                     {Line(11, "pids", "/user.slice"), Line(4, "memory", "/docker/abc")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_THAT(cgroup->pids_current, Optional(7u));
  EXPECT_THAT(cgroup->pids_max, Optional(Limit::Unlimited()));
}

TEST(ReadCgroup, Leaves_FieldsAbsent_ForMissingFiles) {
  TempTree tree;
  WriteV1Mounts(tree);
  tree.Write(Cat(kMem, "memory.usage_in_bytes"), "4096\n");
  auto cgroup = Read(tree, "/docker/abc", {Line(4, "memory", "/docker/abc")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_THAT(cgroup->memory_bytes, Optional(4096u));
  EXPECT_EQ(cgroup->memory_limit, std::nullopt);
  EXPECT_EQ(cgroup->memory_peak_bytes, std::nullopt);
  EXPECT_EQ(cgroup->memory_stat, MemoryStat{});
  EXPECT_EQ(cgroup->oom_kills, std::nullopt);
  EXPECT_EQ(cgroup->limit_hits, std::nullopt);
  EXPECT_EQ(cgroup->pids_current, std::nullopt);  // no pids line in the membership
  EXPECT_EQ(cgroup->pids_max, std::nullopt);
}

TEST(ReadCgroup, Leaves_FieldsAbsent_ForMissingDirectory) {
  TempTree tree;
  WriteV2(tree);
  auto cgroup = Read(tree, "/gone.scope", {Line(0, "", "/gone.scope")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_EQ(cgroup->memory_bytes, std::nullopt);
  EXPECT_EQ(cgroup->memory_stat, MemoryStat{});
  EXPECT_EQ(cgroup->memory_pressure, std::nullopt);
  EXPECT_EQ(cgroup->pids_current, std::nullopt);
}

TEST(ReadCgroup, Leaves_FieldsAbsent_ForPathOutsideTheMount) {
  TempTree tree;
  WriteV2(tree);
  auto cgroup = Read(tree, "/../sibling", {Line(0, "", "/../sibling")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_EQ(cgroup->path, "/../sibling");
  EXPECT_EQ(cgroup->memory_bytes, std::nullopt);
  EXPECT_EQ(cgroup->pids_current, std::nullopt);
}

TEST(ReadCgroup, Fails_NamingFileAndLine_ForMalformedV1MemoryStat) {
  TempTree tree;
  WriteV1Mounts(tree);
  WriteV1Memory(tree);
  tree.Write(Cat(kMem, "memory.stat"), "cache 1\ntotal_rss 12k\n");
  auto cgroup = Read(tree, "/docker/abc", {Line(4, "memory", "/docker/abc")});
  ASSERT_FALSE(cgroup.ok());
  EXPECT_EQ(cgroup.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(cgroup.status().message()),
            tree.Path(Cat(kMem, "memory.stat")) + ": line 2: bad value for total_rss");
}

TEST(ReadCgroup, Fails_NamingFile_ForMalformedLimit) {
  TempTree tree;
  WriteV2(tree);
  tree.Write(Cat(kV2, "memory.max"), "infinity\n");
  auto cgroup = Read(tree, "/system.slice/app.scope", {Line(0, "", "/system.slice/app.scope")});
  ASSERT_FALSE(cgroup.ok());
  EXPECT_EQ(std::string(cgroup.status().message()),
            tree.Path(Cat(kV2, "memory.max")) + ": not a number: \"infinity\"");
}

TEST(ReadCgroup, Reads_V2MemoryEventsPressureAndPids) {
  TempTree tree;
  WriteV2(tree);
  auto cgroup = Read(tree, "/system.slice/app.scope", {Line(0, "", "/system.slice/app.scope")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_THAT(cgroup->memory_bytes, Optional(47185920u));
  EXPECT_THAT(cgroup->memory_limit, Optional(Limit::Unlimited()));
  EXPECT_THAT(cgroup->memory_peak_bytes, Optional(73400320u));
  EXPECT_THAT(cgroup->memory_stat.anon, Optional(12582912u));
  EXPECT_THAT(cgroup->memory_stat.slab, Optional(655360u));
  EXPECT_THAT(cgroup->oom_kills, Optional(2u));
  EXPECT_THAT(cgroup->limit_hits, Optional(4u));
  ASSERT_TRUE(cgroup->memory_pressure.has_value());
  EXPECT_EQ(cgroup->memory_pressure->some,
            (PressureLine{.avg10 = 1.5, .avg60 = 0.75, .avg300 = 0.25, .total_us = 42}));
  EXPECT_EQ(cgroup->memory_pressure->full, std::nullopt);
  EXPECT_THAT(cgroup->pids_current, Optional(4u));
  EXPECT_THAT(cgroup->pids_max, Optional(Limit::Of(4096)));
}

TEST(ReadCgroup, Leaves_MemoryCurrentAbsent_ForV2RootCgroup) {
  TempTree tree;
  WriteV2(tree);
  auto cgroup = Read(tree, "/", {Line(0, "", "/")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_EQ(cgroup->memory_bytes, std::nullopt);
  EXPECT_EQ(cgroup->memory_limit, std::nullopt);
  EXPECT_EQ(cgroup->memory_peak_bytes, std::nullopt);
  EXPECT_THAT(cgroup->memory_stat.anon, Optional(100u));
  ASSERT_TRUE(cgroup->memory_pressure.has_value());
  EXPECT_TRUE(cgroup->memory_pressure->full.has_value());
  EXPECT_EQ(cgroup->pids_current, std::nullopt);
  EXPECT_EQ(cgroup->pids_max, std::nullopt);
}

TEST(ReadCgroup, Reads_V1Memory_AndNoPressure_OnHybridWithEmptyV2) {
  TempTree tree;
  tree.Write("proc/self/mountinfo",
             "29 24 0:27 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
             "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n");
  tree.Write("sys/fs/cgroup/unified/cgroup.controllers", "");
  WriteV1Memory(tree);
  // The unified hierarchy's PSI belongs to a different cgroup: it must not be borrowed.
  tree.Write("sys/fs/cgroup/unified/docker/abc/memory.pressure",
             "some avg10=9.00 avg60=9.00 avg300=9.00 total=9\n");
  tree.Write("sys/fs/cgroup/unified/docker/abc/memory.current", "1\n");
  auto cgroup =
      Read(tree, "/docker/abc", {Line(4, "memory", "/docker/abc"), Line(0, "", "/docker/abc")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_THAT(cgroup->memory_bytes, Optional(501219328u));
  EXPECT_THAT(cgroup->oom_kills, Optional(3u));
  EXPECT_EQ(cgroup->memory_pressure, std::nullopt);
  EXPECT_EQ(cgroup->pids_current, std::nullopt);  // no pids hierarchy anywhere
}

TEST(ReadCgroup, Strips_MountRoot_InContainerView) {
  TempTree tree;
  tree.Write("proc/self/mountinfo",
             "396 394 0:21 /docker/abc /sys/fs/cgroup/memory ro - cgroup cgroup rw,memory\n");
  tree.Write("sys/fs/cgroup/memory/memory.usage_in_bytes", "8192\n");
  auto cgroup = Read(tree, "/docker/abc", {Line(4, "memory", "/docker/abc")});
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_THAT(cgroup->memory_bytes, Optional(8192u));
}

// The committed fixture trees: ReadCgroupLayout plus ReadCgroup with a process's own lines.
std::vector<CgroupMembership> FixtureLines(std::string_view tree, int pid) {
  std::ifstream in(testing::DataDir(std::string(tree)) + "/proc/" + std::to_string(pid) +
                   "/cgroup");
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<CgroupMembership>> lines = ParseProcCgroup(text.str());
  EXPECT_TRUE(lines.ok()) << lines.status();
  return lines.ok() ? *lines : std::vector<CgroupMembership>{};
}

absl::StatusOr<Cgroup> ReadFixture(std::string_view tree, int pid, std::string_view path) {
  std::string root = testing::DataDir(std::string(tree));
  absl::StatusOr<CgroupLayout> layout = ReadCgroupLayout(root);
  if (!layout.ok()) return layout.status();
  SkipCounter skips;
  return ReadCgroup(root, *layout, std::string(path), FixtureLines(tree, pid), kPage, &skips);
}

TEST(ReadCgroupFixture, Reads_V1DockerContainer) {
  auto cgroup =
      ReadFixture("v1-docker", 1230,
                  "/docker/4ec6993fbaf778d23b48bb41973eebbdf171fb024ae923c7f1625789a80b8645");
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_THAT(cgroup->memory_bytes, Optional(501219328u));
  EXPECT_THAT(cgroup->memory_limit, Optional(Limit::Of(536870912)));
  EXPECT_THAT(cgroup->memory_stat.anon, Optional(455081984u));
  EXPECT_THAT(cgroup->oom_kills, Optional(3u));
  EXPECT_THAT(cgroup->limit_hits, Optional(17u));
  EXPECT_THAT(cgroup->pids_current, Optional(20u));
  EXPECT_THAT(cgroup->pids_max, Optional(Limit::Of(100)));
}

TEST(ReadCgroupFixture, Reads_V2DockerScope_AndRootWithoutMemoryCurrent) {
  auto scope =
      ReadFixture("v2-systemd", 1425,
                  "/system.slice/"
                  "docker-ae2a7b7d6e14d304f65fdc524edda060a4b86c7834657436fb88c3afa495de8d.scope");
  ASSERT_TRUE(scope.ok()) << scope.status();
  EXPECT_THAT(scope->memory_bytes, Optional(47185920u));
  EXPECT_THAT(scope->memory_limit, Optional(Limit::Unlimited()));
  EXPECT_THAT(scope->oom_kills, Optional(2u));
  EXPECT_THAT(scope->limit_hits, Optional(0u));
  EXPECT_THAT(scope->pids_max, Optional(Limit::Of(4096)));
  ASSERT_TRUE(scope->memory_pressure.has_value());
  EXPECT_TRUE(scope->memory_pressure->full.has_value());

  auto root = ReadFixture("v2-systemd", 2, "/");
  ASSERT_TRUE(root.ok()) << root.status();
  EXPECT_EQ(root->memory_bytes, std::nullopt);
  EXPECT_EQ(root->pids_current, std::nullopt);
  EXPECT_TRUE(root->memory_pressure.has_value());
}

TEST(ReadCgroupFixture, Reads_HybridPathWithColons) {
  auto layout = ReadCgroupLayout(testing::DataDir("hybrid"));
  ASSERT_TRUE(layout.ok()) << layout.status();
  EXPECT_EQ(layout->mode, CgroupMode::kHybrid);
  EXPECT_THAT(layout->Unified()->controllers, ElementsAre("hugetlb"));
  auto cgroup = ReadFixture("hybrid", 520,
                            "/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:"
                            "cri-containerd:"
                            "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459");
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_THAT(cgroup->memory_bytes, Optional(835584u));
  EXPECT_THAT(cgroup->memory_limit, Optional(Limit::Unlimited()));
  EXPECT_EQ(cgroup->memory_pressure, std::nullopt);
  EXPECT_EQ(cgroup->pids_current, std::nullopt);  // pids line is "/", which has no pids files
}

}  // namespace
}  // namespace procleak
