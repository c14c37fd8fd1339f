// SPDX-License-Identifier: Apache-2.0
// ParseCgroupProcs and ReadProcsMembership: a hierarchy's membership from its cgroup.procs files.
#include "cgroupfs/cgroup_procs.h"

#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace procleak
