// SPDX-License-Identifier: Apache-2.0
#include "procleak/snapshot.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace procleak {
namespace {

using ::testing::ElementsAre;

Process Proc(int pid, int ppid, std::optional<uint64_t> rss = 1000) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.rss_bytes = rss;
  return p;
}

Snapshot BuildOf(std::vector<Process> procs) {
  return Snapshot::Build(Host{}, std::move(procs), {}, ScanStats{});
}

TEST(Snapshot, Links_ChildrenSortedAndRootsWithoutParents) {
  Snapshot s = BuildOf({Proc(30, 1), Proc(1, 0), Proc(2, 0), Proc(10, 1), Proc(40, 999)});
  EXPECT_THAT(s.FindProcess(1)->children, ElementsAre(10, 30));
  EXPECT_THAT(s.roots(), ElementsAre(1, 2, 40));  // 40's parent vanished
  EXPECT_EQ(s.FindProcess(77), nullptr);
  ASSERT_EQ(s.processes().size(), 5u);
  EXPECT_EQ(s.processes().front().pid, 1);  // sorted by pid
}

TEST(Snapshot, Aggregates_DescendantsAndSubtreeRss) {
  Snapshot s = BuildOf({Proc(1, 0, 10), Proc(5, 1, 100), Proc(6, 5, 1000), Proc(7, 5, 10000),
                        Proc(8, 1, std::nullopt)});
  EXPECT_EQ(s.FindProcess(1)->descendants, 4);
  EXPECT_EQ(s.FindProcess(1)->subtree_rss_bytes, 11110u);  // 8 has no RSS (kernel thread)
  EXPECT_EQ(s.FindProcess(5)->descendants, 2);
  EXPECT_EQ(s.FindProcess(5)->subtree_rss_bytes, 11100u);
  EXPECT_EQ(s.FindProcess(6)->descendants, 0);
  EXPECT_EQ(s.FindProcess(6)->subtree_rss_bytes, 1000u);
}

TEST(Snapshot, Terminates_OnParentCycleAndCountsEachProcessOnce) {
  // Corrupt input: 5 -> 6 -> 7 -> 5, with 8 hanging off 6.
  Snapshot s = BuildOf({Proc(5, 7), Proc(6, 5), Proc(7, 6), Proc(8, 6), Proc(1, 0)});
  EXPECT_THAT(s.roots(), ElementsAre(1));
  // The cycle is walked from its lowest pid; nobody counts itself as its own descendant.
  EXPECT_EQ(s.FindProcess(5)->descendants, 3);
  EXPECT_EQ(s.FindProcess(5)->subtree_rss_bytes, 4000u);
  EXPECT_EQ(s.FindProcess(6)->descendants, 2);
}

TEST(Snapshot, Handles_SelfParentAsRoot) {
  Snapshot s = BuildOf({Proc(9, 9)});
  EXPECT_THAT(s.roots(), ElementsAre(9));
  EXPECT_EQ(s.FindProcess(9)->descendants, 0);
}

TEST(Snapshot, Handles_TenThousandDeepChainWithoutRecursion) {
  std::vector<Process> procs;
  constexpr int kDepth = 10000;
  for (int pid = 1; pid <= kDepth; ++pid) procs.push_back(Proc(pid, pid - 1, 1));
  Snapshot s = BuildOf(std::move(procs));
  EXPECT_EQ(s.FindProcess(1)->descendants, kDepth - 1);
  EXPECT_EQ(s.FindProcess(1)->subtree_rss_bytes, static_cast<uint64_t>(kDepth));
  EXPECT_EQ(s.FindProcess(kDepth / 2)->descendants, kDepth / 2);
}

TEST(Snapshot, KeepsFirstRecord_WhenPidListedTwice) {
  Process a = Proc(3, 1);
  a.comm = "first";
  Process b = Proc(3, 1);
  b.comm = "second";
  Snapshot s = BuildOf({Proc(1, 0), a, b});
  EXPECT_EQ(s.processes().size(), 2u);
  EXPECT_EQ(s.FindProcess(3)->comm, "first");
}

TEST(Snapshot, IndexesCgroupsByPath) {
  Cgroup c;
  c.path = "/docker/abc";
  c.memory_limit = Limit::Unlimited();
  Snapshot s = Snapshot::Build(Host{}, {Proc(1, 0)}, {c}, ScanStats{});
  ASSERT_NE(s.FindCgroup("/docker/abc"), nullptr);
  EXPECT_TRUE(s.FindCgroup("/docker/abc")->memory_limit->unlimited());
  EXPECT_EQ(s.FindCgroup("/docker"), nullptr);
}

TEST(Limit, DistinguishesUnlimitedFromValues) {
  EXPECT_TRUE(Limit::Unlimited().unlimited());
  EXPECT_FALSE(Limit::Of(0).unlimited());
  EXPECT_EQ(Limit::Of(536870912).value(), 536870912u);
  EXPECT_NE(Limit::Of(5), Limit::Unlimited());
  EXPECT_STREQ(CgroupModeName(CgroupMode::kHybrid), "hybrid");
}

}  // namespace
}  // namespace procleak
