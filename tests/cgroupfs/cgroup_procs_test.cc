// SPDX-License-Identifier: Apache-2.0
// ParseCgroupProcs and ReadProcsMembership: a hierarchy's membership from its cgroup.procs files.
#include "cgroupfs/cgroup_procs.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cgroupfs/mountinfo_parser.h"
#include "testing/fixture_trees.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::TempTree;

std::string PathOf(const ProcsMembership& m, int pid) {
  auto it = m.index.find(pid);
  if (it == m.index.end()) return "<none>";
  if (it->second == ProcsMembership::kConflict) return "<conflict>";
  return m.paths[it->second];
}

TEST(ParseCgroupProcs, ReadsOnePidPerLine) {
  absl::StatusOr<std::vector<int>> pids = ParseCgroupProcs("1\n42\n\n4194304\n");
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_EQ(*pids, (std::vector<int>{1, 42, 4194304}));
  EXPECT_TRUE(ParseCgroupProcs("").value().empty());
}

TEST(ParseCgroupProcs, NamesTheBadLine) {
  absl::StatusOr<std::vector<int>> pids = ParseCgroupProcs("1\n2\nthree\n");
  ASSERT_FALSE(pids.ok());
  EXPECT_EQ(pids.status().message(), "line 3: bad pid");
  EXPECT_FALSE(ParseCgroupProcs("0\n").ok());
}

// A v1 memory hierarchy with nested cgroups, one name holding ':'.
void FillMemoryTree(const TempTree& tree) {
  tree.Write("sys/fs/cgroup/memory/cgroup.procs", "1\n2\n");
  tree.Write("sys/fs/cgroup/memory/docker/cgroup.procs", "");
  tree.Write("sys/fs/cgroup/memory/docker/ab12/cgroup.procs", "300\n301\n");
  tree.Write("sys/fs/cgroup/memory/kubepods.slice:cri-containerd:ee4b/cgroup.procs", "400\n");
  tree.MakeDir("sys/fs/cgroup/memory/empty");  // no cgroup.procs at all: holds nothing
}

CgroupHierarchy Memory(std::string root = "/") {
  CgroupHierarchy h;
  h.controllers = {"memory"};
  h.root = std::move(root);
  h.mount_point = "/sys/fs/cgroup/memory";
  return h;
}

TEST(ReadProcsMembership, PlacesEveryListedPidInItsCgroup) {
  TempTree tree;
  FillMemoryTree(tree);
  auto read = ReadProcsMembership(tree.root(), Memory(), 100);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  const ProcsMembership& m = **read;
  EXPECT_EQ(PathOf(m, 1), "/");
  EXPECT_EQ(PathOf(m, 301), "/docker/ab12");
  EXPECT_EQ(PathOf(m, 400), "/kubepods.slice:cri-containerd:ee4b");
  EXPECT_EQ(PathOf(m, 999), "<none>");
}

TEST(ReadProcsMembership, PathsStartAtTheMountsRoot) {
  TempTree tree;
  FillMemoryTree(tree);
  auto read = ReadProcsMembership(tree.root(), Memory("/docker/ab12"), 100);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(PathOf(**read, 1), "/docker/ab12");
  EXPECT_EQ(PathOf(**read, 300), "/docker/ab12/docker/ab12");
}

TEST(ReadProcsMembership, APidInTwoCgroupsIsAConflict) {
  TempTree tree;
  FillMemoryTree(tree);
  tree.Write("sys/fs/cgroup/memory/docker/cgroup.procs", "300\n");  // a thread of 300 lives here
  auto read = ReadProcsMembership(tree.root(), Memory(), 100);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_EQ(PathOf(**read, 300), "<conflict>");
  EXPECT_EQ(PathOf(**read, 301), "/docker/ab12");
}

TEST(ReadProcsMembership, TooManyDirectoriesGivesUp) {
  TempTree tree;
  FillMemoryTree(tree);
  auto read = ReadProcsMembership(tree.root(), Memory(), 3);  // the tree has 5
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
}

TEST(ReadProcsMembership, MalformedFileIsAnErrorNamingIt) {
  TempTree tree;
  FillMemoryTree(tree);
  tree.Write("sys/fs/cgroup/memory/docker/ab12/cgroup.procs", "300\nx\n");
  auto read = ReadProcsMembership(tree.root(), Memory(), 100);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.status().message(),
            tree.Path("sys/fs/cgroup/memory/docker/ab12") + "/cgroup.procs: line 2: bad pid");
}

TEST(ReadProcsMembership, MissingMountGivesUp) {
  TempTree tree;
  auto read = ReadProcsMembership(tree.root(), Memory(), 100);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_FALSE(read->has_value());
}

TEST(ReadProcsMembership, ChildlessHierarchyOfAFixtureTree_IsStillRead) {
  // Not a cgroupfs: only a real one may be taken as holding every process at its root.
  TempTree tree;
  tree.Write("sys/fs/cgroup/memory/cgroup.procs", "1\n2\n");
  auto read = ReadProcsMembership(tree.root(), Memory(), 100);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_FALSE((*read)->all_in_root);
  EXPECT_EQ((*read)->index.size(), 2u);
  EXPECT_EQ(PathOf(**read, 2), "/");
  EXPECT_EQ(PathOf(**read, 3), "<none>");

  // The hybrid tree's pids hierarchy has no child cgroup either.
  CgroupHierarchy pids;
  pids.controllers = {"pids"};
  pids.root = "/";
  pids.mount_point = "/sys/fs/cgroup/pids";
  read = ReadProcsMembership(testing::DataDir("hybrid"), pids, 100);
  ASSERT_TRUE(read.ok() && read->has_value());
  EXPECT_FALSE((*read)->all_in_root);
  EXPECT_EQ((*read)->index.size(), 10u);
  EXPECT_EQ(PathOf(**read, 520), "/");
}

// The cgroup hierarchies mounted on this machine, from its own mountinfo.
std::vector<CgroupHierarchy> LiveHierarchies() {
  std::ifstream in("/proc/self/mountinfo");
  std::stringstream text;
  text << in.rdbuf();
  absl::StatusOr<std::vector<MountInfo>> mounts = ParseMountInfo(text.str());
  if (!mounts.ok()) return {};
  return DiscoverCgroupLayout(*mounts, "").hierarchies;
}

bool HasChildDirectory(const std::string& dir) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.is_directory()) return true;
  }
  return error.value() != 0;  // unreadable: not known to be childless
}

TEST(ReadProcsMembershipLive, ChildlessWholeHierarchy_IsAllInRootWithoutReading) {
  const CgroupHierarchy* childless = nullptr;
  const std::vector<CgroupHierarchy> hierarchies = LiveHierarchies();
  for (const CgroupHierarchy& h : hierarchies) {
    if (h.root == "/" && !HasChildDirectory(h.mount_point)) childless = &h;
  }
  if (childless == nullptr) GTEST_SKIP() << "no childless cgroup hierarchy mounted here";
  SCOPED_TRACE(childless->mount_point);
  auto read = ReadProcsMembership("/", *childless, 100);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_TRUE(read->has_value());
  EXPECT_TRUE((*read)->all_in_root);
  EXPECT_EQ((*read)->paths, std::vector<std::string>{"/"});
  EXPECT_TRUE((*read)->index.empty());
}

TEST(ReadProcsMembershipLive, HierarchyWithChildren_IsWalked) {
  const CgroupHierarchy* parent = nullptr;
  const std::vector<CgroupHierarchy> hierarchies = LiveHierarchies();
  for (const CgroupHierarchy& h : hierarchies) {
    if (h.root == "/" && HasChildDirectory(h.mount_point)) parent = &h;
  }
  if (parent == nullptr) GTEST_SKIP() << "no cgroup hierarchy with children mounted here";
  SCOPED_TRACE(parent->mount_point);
  auto read = ReadProcsMembership("/", *parent, 100000);
  ASSERT_TRUE(read.ok()) << read.status();
  if (!read->has_value()) GTEST_SKIP() << "a directory of it may not be read";
  EXPECT_FALSE((*read)->all_in_root);
  EXPECT_GT((*read)->paths.size(), 1u);
  EXPECT_NE(PathOf(**read, getpid()), "<none>") << "every process is in some cgroup";
}

}  // namespace
}  // namespace procleak
