// SPDX-License-Identifier: Apache-2.0
// PlanReap(): which chains `procleak reap` stops and keeps, protected processes, signal order.
#include "analysis/reap_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "analysis_fixture.h"

namespace procleak {
namespace {

using testing::SnapshotBuilder;

constexpr const char* kHub = testing::kMcpHub;

// The incident's shape (AddMcpHub: a built-in rule expects 1 copy), plus a host group.
Snapshot Hub(int copies, int orphans) {
  SnapshotBuilder b;
  AddMcpHub(b, copies, orphans);
  // A host group without an expect rule: a cron-like spawner leaving `sh -c 'sleep ...'` chains.
  b.Add(500, 1, {"/usr/bin/python3", "/opt/spawner.py"}, 5, 20);
  for (int i = 0; i < 3; ++i) {
    int sh = b.Add(600 + 2 * i, 500, {"sh", "-c", "sleep 1000 reap-token; true"}, 10 + 5.0 * i, 1);
    b.Add(601 + 2 * i, sh, {"sleep", "1000", "reap-token"}, 10 + 5.0 * i, 1);
  }
  return b.Build();
}

ReapPlan Plan(const Snapshot& s, const ReapSelection& sel, int self = 0,
              std::vector<int> ancestors = {}) {
  return PlanReap(s, Analyze(s, nullptr), sel, self, ancestors);
}

const ReapGroup* GroupOf(const ReapPlan& plan, std::string_view part) {
  for (const ReapGroup& g : plan.groups) {
    if (g.signature.find(part) != std::string::npos) return &g;
  }
  return nullptr;
}

std::vector<int> Roots(const std::vector<ReapChain>& chains) {
  std::vector<int> out;
  for (const ReapChain& c : chains) out.push_back(c.root_pid);
  return out;
}

std::vector<int> Roots(const std::vector<ReapChainRef>& chains) {
  std::vector<int> out;
  for (const ReapChainRef& c : chains) out.push_back(c.root_pid);
  return out;
}

TEST(ReapPlan, Keeps_ExpectedCountNewestByDefault) {
  ReapSelection sel;
  sel.signature = "server-x";
  ReapPlan plan = Plan(Hub(4, 0), sel);
  ASSERT_EQ(plan.groups.size(), 1u);
  const ReapGroup& g = plan.groups[0];
  EXPECT_EQ(g.container, kHub);
  EXPECT_EQ(g.container_name, "mcp-hub");
  EXPECT_EQ(g.count, 4);
  EXPECT_EQ(g.expected, 1);
  EXPECT_EQ(g.keep, "1 newest (expected count)");
  EXPECT_EQ(Roots(g.kept), std::vector<int>({3009}));
  EXPECT_EQ(Roots(g.stop), std::vector<int>({3000, 3003, 3006}));
  EXPECT_EQ(g.stop[0].finding, FindingKind::kDuplicateChain);
  EXPECT_EQ(g.stop[0].reason, "duplicate_chain: 4 copies where 1 expected");
  EXPECT_EQ(plan.order.size(), 9u);
  EXPECT_EQ(SignallableCount(plan), 9);
  EXPECT_TRUE(plan.notes.empty());
}

TEST(ReapPlan, Keeps_NewestChainByDefaultWithoutExpectRule) {
  ReapSelection sel;
  sel.signature = "reap-token";
  ReapPlan plan = Plan(Hub(1, 0), sel);
  const ReapGroup* g = GroupOf(plan, "reap-token");
  ASSERT_NE(g, nullptr);
  EXPECT_FALSE(g->expected.has_value());
  EXPECT_EQ(g->keep, "1 newest (default)");
  EXPECT_EQ(Roots(g->kept), std::vector<int>({604}));
  EXPECT_EQ(Roots(g->stop), std::vector<int>({600, 602}));
  EXPECT_EQ(g->stop[1].reason, "duplicate_chain: 3 copies where 1 expected");
}

TEST(ReapPlan, KeepN_KeepsTheNNewest) {
  ReapSelection sel;
  sel.signature = "server-x";
  sel.keep = {ReapKeep::Mode::kNewest, 2};
  const ReapPlan plan = Plan(Hub(5, 0), sel);
  const ReapGroup* g = GroupOf(plan, "server-x");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->keep, "2 newest");
  EXPECT_EQ(Roots(g->kept), std::vector<int>({3009, 3012}));
  EXPECT_EQ(Roots(g->stop), std::vector<int>({3000, 3003, 3006}));
}

TEST(ReapPlan, KeepOldest_StopsEveryNewerCopy) {
  ReapSelection sel;
  sel.signature = "server-x";
  sel.keep = {ReapKeep::Mode::kOldest, 1};
  const ReapPlan plan = Plan(Hub(4, 0), sel);
  const ReapGroup* g = GroupOf(plan, "server-x");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->keep, "1 oldest");
  EXPECT_EQ(Roots(g->kept), std::vector<int>({3000}));
  EXPECT_EQ(Roots(g->stop), std::vector<int>({3003, 3006, 3009}));
}

TEST(ReapPlan, KeepMoreThanCount_StopsNothing) {
  ReapSelection sel;
  sel.signature = "server-x";
  sel.keep = {ReapKeep::Mode::kNewest, 10};
  const ReapPlan plan = Plan(Hub(4, 0), sel);
  const ReapGroup* g = GroupOf(plan, "server-x");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->kept.size(), 4u);
  EXPECT_TRUE(g->stop.empty());
}

TEST(ReapPlan, Order_SignalsLeavesBeforeRoots) {
  ReapSelection sel;
  sel.signature = "server-x";
  ReapPlan plan = Plan(Hub(3, 0), sel);
  ASSERT_EQ(plan.groups.size(), 1u);
  // Within a chain: node, then sh, then npm.
  std::vector<int> chain;
  for (const ReapProcess& p : plan.groups[0].stop[0].processes) chain.push_back(p.pid);
  EXPECT_EQ(chain, std::vector<int>({3002, 3001, 3000}));
  // Globally: every process before its parent.
  auto pos = [&](int pid) {
    for (size_t i = 0; i < plan.order.size(); ++i) {
      if (plan.order[i].pid == pid) return i;
    }
    return plan.order.size();
  };
  for (const ReapProcess& p : plan.order) {
    if (pos(p.ppid) < plan.order.size()) {
      EXPECT_LT(pos(p.pid), pos(p.ppid)) << p.pid;
    }
  }
  EXPECT_EQ(plan.order.back().pid % 3, 0);  // a root (npm) comes last
}

TEST(ReapPlan, Identity_RecordsStartTimeAndCommandSignature) {
  ReapSelection sel;
  sel.signature = "reap-token";
  ReapPlan plan = Plan(Hub(1, 0), sel);
  ASSERT_FALSE(plan.order.empty());
  const ReapProcess& leaf = plan.order.front();
  EXPECT_EQ(leaf.pid, 601);
  EXPECT_EQ(leaf.ppid, 600);
  EXPECT_EQ(leaf.starttime_ticks, 10u * 60 * 100);
  EXPECT_EQ(leaf.argv, std::vector<std::string>({"sleep", "1000", "reap-token"}));
  EXPECT_FALSE(leaf.command_signature.empty());
}

TEST(ReapPlan, Protected_SelfAndAncestorsAreListedNotSignalled) {
  ReapSelection sel;
  sel.signature = "reap-token";
  // As if procleak were 603 (the sleep of chain 602), run by that chain's sh.
  ReapPlan plan = Plan(Hub(1, 0), sel, 603, {602, 500, 1});
  ASSERT_EQ(plan.order.size(), 4u);
  for (const ReapProcess& p : plan.order) {
    if (p.pid == 603) {
      EXPECT_EQ(p.protected_reason, "procleak itself");
    } else if (p.pid == 602) {
      EXPECT_EQ(p.protected_reason, "an ancestor of procleak");
    } else {
      EXPECT_EQ(p.protected_reason, "") << p.pid;
    }
  }
  EXPECT_EQ(SignallableCount(plan), 2);
}

// A hand-made analysis: one group of `sh -c x` chains, each only its root, and its
// duplicate_chain finding (for shapes the analysis would not make).
Analysis ShChains(const std::vector<int>& roots) {
  Analysis a;
  Group g;
  g.signature = "sh -c x";
  g.count = static_cast<int>(roots.size());
  for (int pid : roots) {
    Chain c;
    c.root_pid = pid;
    c.pids = {pid};
    g.chains.push_back(c);
  }
  a.groups.push_back(g);
  Finding f;
  f.kind = FindingKind::kDuplicateChain;
  f.signature = g.signature;
  a.findings.push_back(f);
  return a;
}

TEST(ReapPlan, Protected_Pid1AndKernelThreads) {
  SnapshotBuilder b;
  // Two copies of an init-like chain root at PID 1 cannot happen, but a group naming PID 1 must
  // still never signal it: hand-craft the analysis.
  b.Add(1, 0, {"sh", "-c", "x"}, 0, 1);
  b.Add(7, 1, {"sh", "-c", "x"}, 10, 1);
  Snapshot s = b.Build();
  Analysis a = ShChains({1, 7});
  ReapSelection sel;
  sel.keep = {ReapKeep::Mode::kNewest, 0};
  ReapPlan plan = PlanReap(s, a, sel, 0, {});
  ASSERT_EQ(plan.order.size(), 2u);
  for (const ReapProcess& p : plan.order) {
    EXPECT_EQ(p.protected_reason, p.pid == 1 ? "PID 1" : "") << p.pid;
  }
}

TEST(ReapPlan, Pid_SelectsOnlyTheChainHoldingIt) {
  ReapSelection sel;
  sel.pids = {3004};  // the sh of chain 3003
  ReapPlan plan = Plan(Hub(4, 0), sel);
  ASSERT_EQ(plan.groups.size(), 1u);
  EXPECT_EQ(Roots(plan.groups[0].stop), std::vector<int>({3003}));
  EXPECT_EQ(plan.order.size(), 3u);
  EXPECT_TRUE(plan.notes.empty());
}

TEST(ReapPlan, Pid_InKeptChainOrNoChain_IsANoteAndStopsNothing) {
  ReapSelection sel;
  sel.pids = {3010, 2102};
  ReapPlan plan = Plan(Hub(4, 0), sel);
  EXPECT_TRUE(plan.order.empty());
  ASSERT_EQ(plan.notes.size(), 2u);
  EXPECT_NE(plan.notes[0].find("pid 3010 is in a chain that is kept (root 3009)"),
            std::string::npos)
      << plan.notes[0];
  EXPECT_NE(plan.notes[1].find("pid 2102 is in no chain"), std::string::npos) << plan.notes[1];
}

TEST(ReapPlan, Container_MatchesNameOrIdPrefixAndNeverTheHost) {
  for (std::string c : {std::string("mcp-hub"), std::string("0b6aa5f2"), std::string(kHub)}) {
    ReapSelection sel;
    sel.container = c;
    ReapPlan plan = Plan(Hub(3, 0), sel);
    ASSERT_EQ(plan.groups.size(), 1u) << c;
    EXPECT_EQ(plan.groups[0].container, kHub);
  }
  ReapSelection other;
  other.container = "web";
  EXPECT_TRUE(Plan(Hub(3, 0), other).groups.empty());
  ReapSelection all;
  EXPECT_EQ(Plan(Hub(3, 0), all).groups.size(), 2u);  // server-x in mcp-hub and the host group
}

TEST(ReapPlan, OrphanedOnly_StopsOnlyOrphans) {
  ReapSelection sel;
  sel.findings = {FindingKind::kOrphanedChain};
  sel.signature = "server-x";
  ReapPlan plan = Plan(Hub(5, 2), sel);
  ASSERT_EQ(plan.groups.size(), 1u);
  const ReapGroup& g = plan.groups[0];
  EXPECT_EQ(g.findings, std::vector<FindingKind>({FindingKind::kOrphanedChain}));
  EXPECT_EQ(Roots(g.stop), std::vector<int>({3000, 3003}));
  EXPECT_EQ(g.stop[0].reason, "orphaned_chain: outlived its spawner");
}

TEST(ReapPlan, BothFindings_StopOrphansAsOrphansAndTheRestAsDuplicates) {
  ReapSelection sel;
  sel.signature = "server-x";
  ReapPlan plan = Plan(Hub(5, 2), sel);
  ASSERT_EQ(plan.groups.size(), 1u);
  const ReapGroup& g = plan.groups[0];
  EXPECT_EQ(g.findings.size(), 2u);
  ASSERT_EQ(Roots(g.stop), std::vector<int>({3000, 3003, 3006, 3009}));
  EXPECT_EQ(g.stop[1].finding, FindingKind::kOrphanedChain);
  EXPECT_EQ(g.stop[2].finding, FindingKind::kDuplicateChain);
}

TEST(ReapPlan, DuplicateOnly_IgnoresGroupsWithoutThatFinding) {
  ReapSelection sel;
  sel.findings = {FindingKind::kDuplicateChain};
  sel.signature = "hub.js";  // a single process: no finding
  EXPECT_TRUE(Plan(Hub(4, 0), sel).groups.empty());
}

std::vector<int> Pids(const std::vector<ReapProcess>& processes) {
  std::vector<int> out;
  for (const ReapProcess& p : processes) out.push_back(p.pid);
  return out;
}

TEST(ReapPlan, Descendants_AreStoppedWithTheChainLeavesFirst) {
  SnapshotBuilder b;
  AddMcpHub(b, 3, 0);
  // The oldest copy's node server runs a helper, which runs one of its own.
  b.Add(4000, 3002, {"/usr/bin/git", "fetch"}, 50, 5, kHub);
  b.Add(4001, 4000, {"/usr/bin/ssh", "git@example.com"}, 51, 5, kHub);
  Snapshot s = b.Build();
  ReapSelection sel;
  sel.signature = "server-x";
  ReapPlan plan = Plan(s, sel);
  ASSERT_EQ(plan.groups.size(), 1u);
  ASSERT_EQ(Roots(plan.groups[0].stop), std::vector<int>({3000, 3003}));
  const ReapChain& oldest = plan.groups[0].stop[0];
  EXPECT_EQ(Pids(oldest.processes), std::vector<int>({4001, 4000, 3002, 3001, 3000}));
  EXPECT_FALSE(oldest.processes[0].in_chain);
  EXPECT_FALSE(oldest.processes[1].in_chain);
  EXPECT_TRUE(oldest.processes[2].in_chain);
  EXPECT_EQ(oldest.processes[0].protected_reason, "");
  EXPECT_EQ(Pids(plan.groups[0].stop[1].processes), std::vector<int>({3005, 3004, 3003}));
  // In the plan's order too, each comes before its parent.
  ASSERT_EQ(plan.order.size(), 8u);
  EXPECT_EQ(plan.order[0].pid, 4001);
  EXPECT_EQ(plan.order[1].pid, 4000);
  EXPECT_EQ(SignallableCount(plan), 8);
}

TEST(ReapPlan, DescendantInAnotherCgroup_IsListedProtectedAndNotEntered) {
  SnapshotBuilder b;
  b.Add(500, 1, {"/usr/bin/python3", "/opt/spawner.py"}, 5, 20);
  for (int i = 0; i < 3; ++i) {
    int sh = b.Add(600 + 2 * i, 500, {"sh", "-c", "sleep 1000 reap-token; true"}, 10 + 5.0 * i, 1);
    b.Add(601 + 2 * i, sh, {"sleep", "1000", "reap-token"}, 10 + 5.0 * i, 1);
  }
  b.Add(700, 601, {"/usr/bin/helper"}, 30, 1);
  b.Add(701, 700, {"/usr/bin/helper", "--child"}, 30, 1);
  b.SetCgroup(700, "/user.slice/other.scope");
  b.SetCgroup(701, "/user.slice/other.scope");
  ReapSelection sel;
  sel.signature = "reap-token";
  ReapPlan plan = Plan(b.Build(), sel);
  ASSERT_EQ(plan.groups.size(), 1u);
  const ReapChain& oldest = plan.groups[0].stop[0];
  EXPECT_EQ(Pids(oldest.processes), std::vector<int>({700, 601, 600}));
  EXPECT_EQ(oldest.processes[0].protected_reason, "in another cgroup than its chain");
  EXPECT_EQ(SignallableCount(plan), 4);
}

TEST(ReapPlan, KeptChainBelowAStoppedOne_IsSparedAndNoted) {
  SnapshotBuilder b;
  b.Add(10, 1, {"sh", "-c", "x"}, 1, 1);
  b.Add(11, 10, {"node", "server.js"}, 1, 1);
  b.Add(20, 11, {"sh", "-c", "x"}, 2, 1);  // the newest copy, kept, runs below the oldest
  b.Add(21, 20, {"sleep", "100"}, 2, 1);
  Snapshot s = b.Build();
  ReapPlan plan = PlanReap(s, ShChains({10, 20}), ReapSelection(), 0, {});
  ASSERT_EQ(plan.groups.size(), 1u);
  ASSERT_EQ(Roots(plan.groups[0].stop), std::vector<int>({10}));
  EXPECT_EQ(Pids(plan.groups[0].stop[0].processes), std::vector<int>({11, 10}));
  ASSERT_EQ(plan.spared.size(), 1u);
  EXPECT_EQ(plan.spared[0].pid, 20);
  EXPECT_EQ(plan.spared[0].starttime_ticks, 2u * 60 * 100);
  ASSERT_EQ(plan.notes.size(), 1u);
  EXPECT_EQ(plan.notes[0],
            "the kept chain 20 runs below chain 10, which is stopped; it is left running");
}

TEST(ReapPlan, StoppedChainBelowAnother_IsListedOnce) {
  SnapshotBuilder b;
  b.Add(10, 1, {"sh", "-c", "x"}, 1, 1);
  b.Add(11, 10, {"node", "server.js"}, 1, 1);
  b.Add(20, 11, {"sh", "-c", "x"}, 2, 1);
  b.Add(21, 20, {"sleep", "100"}, 2, 1);
  b.Add(30, 1, {"sh", "-c", "x"}, 3, 1);
  Snapshot s = b.Build();
  ReapSelection sel;
  sel.keep = {ReapKeep::Mode::kNewest, 1};
  ReapPlan plan = PlanReap(s, ShChains({10, 20, 30}), sel, 0, {});
  ASSERT_EQ(plan.groups.size(), 1u);
  ASSERT_EQ(Roots(plan.groups[0].stop), std::vector<int>({10, 20}));
  EXPECT_EQ(Pids(plan.groups[0].stop[0].processes), std::vector<int>({11, 10}));
  EXPECT_EQ(Pids(plan.groups[0].stop[1].processes), std::vector<int>({21, 20}));
  EXPECT_EQ(Pids(plan.order), std::vector<int>({21, 20, 11, 10}));
  EXPECT_TRUE(plan.notes.empty());
}

}  // namespace
}  // namespace procleak
