// SPDX-License-Identifier: Apache-2.0
// Analyze(): duplicate spawn chains are leaks, pre-forked workers are pools, with evidence.
#include <gtest/gtest.h>

#include <algorithm>

#include "analysis_fixture.h"

namespace procleak {
namespace {

using testing::FindGroup;
using testing::FindingsOf;
using testing::SnapshotBuilder;

constexpr const char* kHub = testing::kMcpHub;

// The incident's shape (AddMcpHub).
Snapshot McpIncident(int copies, int orphans) {
  SnapshotBuilder b;
  AddMcpHub(b, copies, orphans);
  return b.Build();
}

TEST(Groups, NpmExecCopiesUnderOneSpawner_AreOneLeakGroupWithOrphans) {
  Snapshot s = McpIncident(20, 5);
  Analysis a = Analyze(s, nullptr);
  const Group* g = FindGroup(a, "server-x");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->container, kHub);
  EXPECT_EQ(g->count, 20);
  EXPECT_EQ(g->expected, 1);
  EXPECT_EQ(g->classification, Classification::kLeak);
  ASSERT_EQ(g->chains.size(), 20u);
  EXPECT_EQ(g->chains[0].pids.size(), 3u);
  // Oldest first; the first five were orphaned to the container's init, the rest have the hub.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(g->chains[i].root_pid, 3000 + 3 * i);
    EXPECT_EQ(g->chains[i].orphaned, i < 5) << i;
    EXPECT_EQ(g->chains[i].spawner_pid, i < 5 ? 2101 : 2102) << i;
  }
  EXPECT_EQ(g->rss_bytes, 20ull * (78 + 1 + 50) << 20);
  EXPECT_NEAR(g->spawn_rate_per_hour, 2.0, 0.01);                     // one every 30 minutes
  EXPECT_EQ(a.groups.front().classification, Classification::kLeak);  // leaks listed first
}

TEST(Groups, DuplicateFinding_StopsOldestSurplusLeavesFirstKeepingNewest) {
  Snapshot s = McpIncident(20, 5);
  Analysis a = Analyze(s, nullptr);
  std::vector<const Finding*> dups = FindingsOf(a, FindingKind::kDuplicateChain);
  ASSERT_EQ(dups.size(), 1u);
  const Finding& f = *dups[0];
  EXPECT_EQ(f.severity, Severity::kCritical);  // 19 surplus copies
  EXPECT_EQ(f.count, 20);
  EXPECT_EQ(f.expected, 1);
  EXPECT_EQ(f.pids.size(), 19u * 3);
  EXPECT_EQ(f.pids.front(), 3000);  // the oldest chain's root
  // The newest chain (root 3057) is kept.
  EXPECT_EQ(std::count(f.pids.begin(), f.pids.end(), 3057), 0);
  EXPECT_EQ(f.rss_bytes, 19ull * (78 + 1 + 50) << 20);
  EXPECT_NE(f.action.find("kill -TERM 3002 3001 3000 3005 3004 3003"), std::string::npos)
      << f.action;
  bool spawner = std::any_of(f.evidence.begin(), f.evidence.end(), [](const std::string& e) {
    return e.find("pid 2102") != std::string::npos && e.find("hub.js") != std::string::npos;
  });
  EXPECT_TRUE(spawner) << "evidence names the spawner";
}

TEST(Groups, OrphanedFinding_CountsOnlyTheOrphans) {
  Analysis a = Analyze(McpIncident(20, 5), nullptr);
  std::vector<const Finding*> orphans = FindingsOf(a, FindingKind::kOrphanedChain);
  ASSERT_EQ(orphans.size(), 1u);
  EXPECT_EQ(orphans[0]->count, 5);
  EXPECT_EQ(orphans[0]->pids.size(), 15u);
  EXPECT_EQ(orphans[0]->severity, Severity::kWarning);
}

TEST(Groups, SingleLauncherChain_IsNoFinding) {
  Analysis a = Analyze(McpIncident(1, 0), nullptr);
  const Group* g = FindGroup(a, "server-x");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kSingle);
  EXPECT_TRUE(FindingsOf(a, FindingKind::kDuplicateChain).empty());
  EXPECT_TRUE(FindingsOf(a, FindingKind::kOrphanedChain).empty());
}

TEST(Groups, NginxWorkersForkedTogether_AreAPoolWithoutFindings) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(700, 1, {"nginx: master process /usr/sbin/nginx -g daemon off;"}, 5, 8, "",
        "/usr/sbin/nginx");
  for (int i = 0; i < 4; ++i) {
    b.Add(701 + i, 700, {"nginx: worker process"}, 5 + i * 0.001, 12, "", "/usr/sbin/nginx");
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = FindGroup(a, "worker");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->count, 4);
  EXPECT_EQ(g->classification, Classification::kPool);
  EXPECT_TRUE(a.findings.empty()) << a.findings.front().message;
}

TEST(Groups, MultiprocessingPoolChildren_AreAPool) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(900, 1, {"/usr/bin/python3", "/srv/etl.py"}, 60, 40, "", "/usr/bin/python3.11");
  for (int i = 0; i < 6; ++i) {
    b.Add(901 + i, 900, {"/usr/bin/python3", "/srv/etl.py"}, 60.01, 35, "", "/usr/bin/python3.11");
  }
  Analysis a = Analyze(b.Build(), nullptr);
  // The parent is a group of its own (its memory counts its workers'); the workers are one.
  auto workers = std::find_if(a.groups.begin(), a.groups.end(),
                              [](const Group& g) { return g.spawner_pid == 900; });
  ASSERT_NE(workers, a.groups.end());
  EXPECT_EQ(workers->count, 6);
  EXPECT_EQ(workers->classification, Classification::kPool);
  EXPECT_TRUE(FindingsOf(a, FindingKind::kDuplicateChain).empty());
}

TEST(Groups, ScriptExecdByLoopInSpacedCycles_IsALeakWithoutRule) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(400, 1, {"/bin/bash", "/usr/local/bin/poll.sh"}, 1, 3, "", "/bin/bash");
  for (int i = 0; i < 6; ++i) {
    b.Add(500 + i, 400, {"/usr/bin/python3", "/opt/report.py"}, 10 + 15 * i, 30, "",
          "/usr/bin/python3.11");
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = FindGroup(a, "report.py");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kLeak);
  EXPECT_FALSE(g->expected.has_value());
  bool cycles = std::any_of(g->evidence.begin(), g->evidence.end(), [](const std::string& e) {
    return e.find("started in 6 separate spawn events") != std::string::npos;
  });
  EXPECT_TRUE(cycles);
  std::vector<const Finding*> dups = FindingsOf(a, FindingKind::kDuplicateChain);
  ASSERT_EQ(dups.size(), 1u);
  EXPECT_EQ(dups[0]->severity, Severity::kWarning);  // 5 surplus, 150 MiB
  EXPECT_EQ(dups[0]->pids.size(), 5u);
}

TEST(Groups, CopiesAdoptedByAUserServiceManager_AreOrphaned) {
  // systemd --user is a child subreaper: copies whose spawner died are reparented to it, not to
  // PID 1.
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(900, 1, {"/lib/systemd/systemd", "--user"}, 1, 8);
  b.Add(950, 900, {"node", "/home/u/agent.js"}, 100, 60, "", "/usr/bin/node");
  for (int i = 0; i < 4; ++i) {
    int parent = i < 2 ? 900 : 950;
    int npm = b.Add(1000 + 3 * i, parent, {"npm exec mcp-x"}, 10 + 30 * i, 70, "", "/usr/bin/node");
    int sh = b.Add(1001 + 3 * i, npm, {"sh", "-c", "mcp-x"}, 10 + 30 * i, 1, "", "/bin/dash");
    b.Add(1002 + 3 * i, sh, {"node", "/home/u/node_modules/.bin/mcp-x"}, 10 + 30 * i, 40, "",
          "/usr/bin/node");
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = FindGroup(a, "mcp-x");
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(g->chains.size(), 4u);
  EXPECT_TRUE(g->chains[0].orphaned);
  EXPECT_TRUE(g->chains[1].orphaned);
  EXPECT_FALSE(g->chains[2].orphaned);
  EXPECT_EQ(g->chains[2].spawner_pid, 950);
  EXPECT_EQ(FindingsOf(a, FindingKind::kOrphanedChain).size(), 1u);
}

TEST(Groups, ShimsStartedOneByOneByInit_AreNotALeak) {
  // One containerd shim per container, started by PID 1 as containers come up: same signature
  // once the container id is dropped, spaced start times, but no spawner keeps starting them.
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  const char* ids[] = {"4ec6993fbaf7a8e1c2d3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3a2b8645",
                       "c984aa2fe6cb01d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b47f22",
                       "6465ff91c9dc39dcb2e7a75a47b5663ac1013e946e6a6a5c09ef5ceba5653d3a"};
  for (int i = 0; i < 3; ++i) {
    b.Add(1400 + 100 * i, 1,
          {"/usr/bin/containerd-shim-runc-v2", "-namespace", "moby", "-id", ids[i]}, 5 + 60 * i,
          12);
    b.SetLeader(1400 + 100 * i, /*session=*/true);  // a shim detaches into a session of its own
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = FindGroup(a, "containerd-shim-runc-v2");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->count, 3);
  EXPECT_NE(g->classification, Classification::kLeak);
  EXPECT_TRUE(FindingsOf(a, FindingKind::kDuplicateChain).empty());
}

TEST(Groups, CopiesStartedTogetherByADifferentProgram_AreNotALeak) {
  // A supervisor starting four identical workers at once, all alive under it.
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(300, 1, {"/usr/bin/supervisord"}, 1, 20, "", "/usr/bin/python3.11");
  for (int i = 0; i < 4; ++i) {
    b.Add(310 + i, 300, {"/usr/bin/php", "/srv/artisan", "queue:work"}, 1.01, 30, "",
          "/usr/bin/php8.2");
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = FindGroup(a, "queue:work");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kPool);
  EXPECT_TRUE(FindingsOf(a, FindingKind::kDuplicateChain).empty());
}

}  // namespace
}  // namespace procleak
