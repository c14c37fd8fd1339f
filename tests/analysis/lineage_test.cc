// SPDX-License-Identifier: Apache-2.0
// Analyze(): groups per spawner lineage and scope, leak or pool from evidence, on the shapes seen
// live (issue 15): client sessions, supervisors that restart or die, pid namespaces, fast leaks,
// pools, terminal sessions and ordinary processes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "analysis_fixture.h"

namespace procleak {
namespace {

using testing::FindingsOf;
using testing::SnapshotBuilder;

constexpr double kSecond = 1.0 / 60;  // SnapshotBuilder times are in minutes

// Every group holding a chain rooted at one of `roots`.
std::vector<const Group*> GroupsOf(const Analysis& a, const std::vector<int>& roots) {
  std::vector<const Group*> out;
  for (const Group& g : a.groups) {
    for (const Chain& c : g.chains) {
      if (std::find(roots.begin(), roots.end(), c.root_pid) != roots.end()) {
        out.push_back(&g);
        break;
      }
    }
  }
  return out;
}

// The one group holding exactly the chains rooted at `roots`, or a test failure.
const Group* ExactGroup(const Analysis& a, const std::vector<int>& roots) {
  std::vector<const Group*> groups = GroupsOf(a, roots);
  if (groups.size() != 1) {
    ADD_FAILURE() << "the copies are in " << groups.size() << " groups";
    return nullptr;
  }
  std::vector<int> got;
  for (const Chain& c : groups[0]->chains) got.push_back(c.root_pid);
  std::vector<int> want = roots;
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  return groups[0];
}

bool HasEvidence(const Group& g, const std::string& part) {
  return std::any_of(g.evidence.begin(), g.evidence.end(),
                     [&](const std::string& e) { return e.find(part) != std::string::npos; });
}

std::string Evidence(const Group& g) {
  std::string out;
  for (const std::string& e : g.evidence) out += "\n  " + e;
  return out;
}

// No finding at warning or above names any process.
void ExpectNoWarnings(const Analysis& a) {
  for (const Finding& f : a.findings) {
    EXPECT_LT(f.severity, Severity::kWarning) << FindingKindName(f.kind) << ": " << f.message;
  }
}

// `npm exec NAME -> sh -c NAME -> node NAME` under `parent`, started at `at` minutes.
int AddNpm(SnapshotBuilder& b, int pid, int parent, const std::string& name, double at) {
  b.Add(pid, parent, {"npm exec " + name}, at, 70, "", "/usr/bin/node");
  b.Add(pid + 1, pid, {"sh", "-c", name}, at + 9 * kSecond, 1, "", "/bin/dash");
  b.Add(pid + 2, pid + 1, {"node", "/p/node_modules/.bin/" + name}, at + 20 * kSecond, 50, "",
        "/usr/bin/node");
  return pid;
}

SnapshotBuilder Host() {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(100, 1, {"/usr/sbin/sshd", "-D"}, 0.1, 5, "", "/usr/sbin/sshd");
  b.SetLeader(100, true);
  return b;
}

TEST(Lineage, ClientSessions_OneServerEachPerClient_AreNoFinding) {
  SnapshotBuilder b = Host();
  for (int i = 0; i < 3; ++i) {
    const int client = 1000 + 100 * i;
    b.Add(client, 1, {"node", "/opt/client/cli.js"}, 1 + i, 80, "", "/usr/bin/node");
    b.SetLeader(client, true);
    AddNpm(b, client + 10, client, "@mcp/server-a", 2 + i);
    AddNpm(b, client + 20, client, "@mcp/server-b", 2.5 + i);
  }
  Analysis a = Analyze(b.Build(), nullptr);
  ExpectNoWarnings(a);
  for (int root : {1010, 1110, 1210, 1020, 1120, 1220}) {
    std::vector<const Group*> g = GroupsOf(a, {root});
    ASSERT_EQ(g.size(), 1u);
    EXPECT_EQ(g[0]->count, 1) << root;
    EXPECT_EQ(g[0]->spawner_pid, root / 100 * 100) << root;
  }
}

TEST(Lineage, ClientsOneLauncherStartedOneAfterAnother_AreNotALeak) {
  // A harness starts three clients a few seconds apart; each starts its own two servers.
  SnapshotBuilder b = Host();
  b.Add(900, 1, {"python3", "/srv/harness.py"}, 0.5, 30, "", "/usr/bin/python3.11");
  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) {
    const int client = 1000 + 100 * i;
    clients.push_back(
        b.Add(client, 900, {"node", "/opt/client/cli.js"}, 1 + 0.1 * i, 80, "", "/usr/bin/node"));
    AddNpm(b, client + 10, client, "@mcp/server-a", 2 + i);
    AddNpm(b, client + 20, client, "@mcp/server-b", 2.5 + i);
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, clients);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kPool) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "each started programs of its own")) << Evidence(*g);
  ExpectNoWarnings(a);
}

TEST(Lineage, OneClientWithFourCopies_IsALeakPerClient) {
  SnapshotBuilder b = Host();
  b.Add(1000, 1, {"node", "/opt/client/cli.js"}, 1, 80, "", "/usr/bin/node");
  b.Add(2000, 1, {"node", "/opt/client/cli.js"}, 1, 80, "", "/usr/bin/node");
  std::vector<int> roots;
  for (int i = 0; i < 4; ++i) roots.push_back(AddNpm(b, 1010 + 3 * i, 1000, "srv", 2 + i));
  AddNpm(b, 2010, 2000, "srv", 3);
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kLeak);
  EXPECT_EQ(g->expected, 1);
  EXPECT_EQ(g->origin, Origin::kSpawner);
  EXPECT_EQ(g->spawner_pid, 1000);
  std::vector<const Finding*> dups = FindingsOf(a, FindingKind::kDuplicateChain);
  ASSERT_EQ(dups.size(), 1u);
  EXPECT_EQ(dups[0]->count, 4);
  EXPECT_EQ(dups[0]->spawner_pid, 1000);
  EXPECT_EQ(dups[0]->pids.size(), 9u);  // three surplus chains of three
  EXPECT_EQ(GroupsOf(a, {2010})[0]->count, 1);
}

TEST(Lineage, TwoCopiesWithoutARule_AreReportedAtInfoThreeAreWarned) {
  for (int copies : {2, 3}) {
    SnapshotBuilder b = Host();
    b.Add(500, 1, {"sh", "/srv/run.sh"}, 1, 2, "", "/usr/bin/dash");
    std::vector<int> roots;
    for (int i = 0; i < copies; ++i) {
      roots.push_back(b.Add(600 + 2 * i, 500, {"bash", "-c", "sleep 1000; true"}, 2 + i, 1));
      b.Add(601 + 2 * i, 600 + 2 * i, {"sleep", "1000"}, 2 + i, 1);
    }
    // And two npm exec copies of one client, where a rule expects one.
    b.Add(700, 1, {"node", "/srv/client.js"}, 1, 30, "", "/usr/bin/node");
    AddNpm(b, 710, 700, "srv", 2);
    AddNpm(b, 720, 700, "srv", 3);
    Analysis a = Analyze(b.Build(), nullptr);
    const Group* g = ExactGroup(a, roots);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->classification, Classification::kLeak) << Evidence(*g);
    std::vector<const Finding*> dups = FindingsOf(a, FindingKind::kDuplicateChain);
    ASSERT_EQ(dups.size(), 2u);
    for (const Finding* f : dups) {
      const bool rule = f->expected.has_value();
      EXPECT_EQ(f->severity, rule || copies == 3 ? Severity::kWarning : Severity::kInfo)
          << copies << " " << f->message;
    }
  }
}

TEST(Lineage, PythonSupervisorStartingPython_IsExecdAndALeak) {
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"python3", "sup.py"}, 1, 20, "", "/usr/bin/python3.11");
  std::vector<int> roots;
  for (int i = 0; i < 5; ++i) {
    roots.push_back(b.Add(600 + i, 500,
                          {"python3", "server.py", "--session",
                           "123e4567-e89b-12d3-a456-42661417400" + std::to_string(i)},
                          1 + 2 * kSecond * i, 15, "", "/usr/bin/python3.11"));
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kLeak) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "exec'd a program other than their parent's")) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "started in 5 separate spawn events")) << Evidence(*g);
  EXPECT_FALSE(HasEvidence(*g, "together")) << Evidence(*g);
  ASSERT_EQ(FindingsOf(a, FindingKind::kDuplicateChain).size(), 1u);
  EXPECT_EQ(FindingsOf(a, FindingKind::kDuplicateChain)[0]->pids,
            (std::vector<int>{600, 601, 602, 603}));
}

TEST(Lineage, LeakFasterThanOneCopyPerSecond_IsALeak) {
  for (double interval : {0.1, 0.15, 1.5}) {
    SnapshotBuilder b = Host();
    b.Add(500, 1, {"node", "/srv/spawner.js"}, 1, 20, "", "/usr/bin/node");
    std::vector<int> roots;
    for (int i = 0; i < 6; ++i) {
      roots.push_back(b.Add(600 + i, 500, {"python3", "/srv/fast.py"}, 1 + interval * kSecond * i,
                            15, "", "/usr/bin/python3.11"));
    }
    Analysis a = Analyze(b.Build(), nullptr);
    const Group* g = ExactGroup(a, roots);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->classification, Classification::kLeak) << interval << Evidence(*g);
  }
}

TEST(Lineage, ExecdBatchFromOneParent_IsAPool) {
  // make -j4: four identical jobs forked one after the other within a few milliseconds.
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"make", "-j4"}, 1, 5, "", "/usr/bin/make");
  std::vector<int> roots;
  for (int i = 0; i < 4; ++i) {
    roots.push_back(
        b.Add(600 + i, 500, {"sleep", "600"}, 1 + 0.01 * kSecond * i, 1, "", "/usr/bin/sleep"));
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kPool) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "started together in one batch")) << Evidence(*g);
  ExpectNoWarnings(a);
}

TEST(Lineage, BatchWithOneLateForkUnderLoad_IsStillAPool) {
  // Seen live: make -j4 under load forked its jobs at +0, +20, +30 and +80 ms; with a later
  // straggler still, three of four came in one batch.
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"make", "-j4"}, 1, 5, "", "/usr/bin/make");
  std::vector<int> roots;
  const double at[] = {0, 0.02, 0.03, 0.15};
  for (int i = 0; i < 4; ++i) {
    roots.push_back(b.Add(600 + i, 500, {"python3", "job.py"}, 1 + at[i] * kSecond, 1));
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kPool) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "started in 2 spawn events, 3 of 4 in one batch")) << Evidence(*g);
}

TEST(Lineage, PoolWithAReplacedWorker_IsAPoolButALeakAfterABatchIsNot) {
  for (bool replaced : {true, false}) {
    SnapshotBuilder b = Host();
    b.Add(500, 1, {"supervisord"}, 1, 5, "", "/usr/bin/python3");
    std::vector<int> roots;
    // A batch of four (or two), then one (or four) more, minutes apart.
    const int batch = replaced ? 4 : 2;
    const int later = replaced ? 1 : 4;
    for (int i = 0; i < batch; ++i) roots.push_back(b.Add(600 + i, 500, {"worker"}, 1, 5));
    for (int i = 0; i < later; ++i) roots.push_back(b.Add(700 + i, 500, {"worker"}, 5 + i, 5));
    Analysis a = Analyze(b.Build(), nullptr);
    const Group* g = ExactGroup(a, roots);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->classification, replaced ? Classification::kPool : Classification::kLeak)
        << Evidence(*g);
  }
}

TEST(Lineage, ExitedCopiesWaitingToBeReaped_AreNoCopies) {
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"node", "/srv/spawner.js"}, 1, 20, "", "/usr/bin/node");
  b.Add(600, 500, {"python3", "/srv/job.py"}, 2, 10);
  b.Add(601, 500, {"python3", "/srv/job.py"}, 3, 0);
  b.SetState(601, 'Z');
  Analysis a = Analyze(b.Build(), nullptr);
  EXPECT_EQ(GroupsOf(a, {601}).size(), 0u);
  EXPECT_EQ(GroupsOf(a, {600})[0]->count, 1);
}

TEST(Lineage, JobsOfAParallelJobRunner_AreAPoolHoweverSpaced) {
  // xargs -P4 starts the next job when one ends: four running jobs started seconds apart.
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"xargs", "-P4", "-n1", "python3", "/srv/job.py"}, 1, 1, "", "/usr/bin/xargs");
  std::vector<int> roots;
  for (int i = 0; i < 4; ++i) {
    roots.push_back(b.Add(600 + i, 500, {"python3", "/srv/job.py", std::to_string(40 + i)},
                          2 + 3 * kSecond * i, 10));
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kPool) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "parallel job runner (xargs)")) << Evidence(*g);
}

TEST(Lineage, ScriptNamedLikeAnInit_IsNoAdopter) {
  // A Python script called `init`: its comm says init, its executable is the interpreter.
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"python3", "/opt/init"}, 1, 10, "", "/usr/bin/python3.11");
  b.SetLeader(500, true);
  std::vector<int> roots;
  for (int i = 0; i < 3; ++i) {
    roots.push_back(b.Add(600 + i, 500, {"python3", "/opt/worker.py"}, 2 + i, 10));
  }
  b.SetComm(500, "init");
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->origin, Origin::kSpawner);
  EXPECT_EQ(g->spawner_pid, 500);
  EXPECT_EQ(g->classification, Classification::kLeak) << Evidence(*g);
}

TEST(Lineage, FindingsStopEachSurplusChainWithEverythingBelowIt) {
  // `timeout 600 srv` continues its chain; the server's helper child is stopped with it.
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"node", "/srv/spawner.js"}, 1, 20, "", "/usr/bin/node");
  for (int i = 0; i < 2; ++i) {
    const int root = 600 + 10 * i;
    b.Add(root, 500, {"timeout", "600", "/srv/srv"}, 2 + i, 1);
    b.Add(root + 1, root, {"/srv/srv"}, 2 + i, 30);
    b.Add(root + 2, root + 1, {"/usr/bin/chromium", "--headless"}, 2 + i, 200);
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, {600, 610});
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->signature, "timeout /srv/srv > srv");
  EXPECT_EQ(g->chains[0].pids, (std::vector<int>{600, 601}));
  EXPECT_EQ(g->chains[0].rss_bytes, (1ull + 30) << 20);  // the chain's own processes
  std::vector<const Finding*> dups = FindingsOf(a, FindingKind::kDuplicateChain);
  ASSERT_EQ(dups.size(), 1u);
  EXPECT_EQ(dups[0]->pids, (std::vector<int>{600, 601, 602}));
  EXPECT_EQ(dups[0]->rss_bytes, (1ull + 30 + 200) << 20);  // what stopping it frees
  EXPECT_NE(dups[0]->action.find("kill -TERM 602 601 600"), std::string::npos) << dups[0]->action;
}

TEST(Lineage, ForkedWorkersOfTheSameProgram_AreAPoolWhenEverTheyStarted) {
  // A forking server keeps one child per connection: forked, never exec'd, spaced starts.
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"python3", "/srv/forking_server.py"}, 1, 20, "", "/usr/bin/python3.11");
  std::vector<int> roots;
  for (int i = 0; i < 4; ++i) {
    roots.push_back(b.Add(600 + i, 500, {"python3", "/srv/forking_server.py"}, 2 + i, 15, "",
                          "/usr/bin/python3.11"));
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kPool) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "forked by a parent running the same program")) << Evidence(*g);
}

TEST(Lineage, DeadSupervisor_CopiesLeftInItsProcessGroupAreOrphanedLeak) {
  SnapshotBuilder b = Host();
  std::vector<int> roots;
  for (int i = 0; i < 3; ++i) {
    roots.push_back(b.Add(600 + i, 1, {"python3", "/srv/worker.py"}, 1 + 0.3 * kSecond * i, 30, "",
                          "/usr/bin/python3.11"));
    b.SetGroup(600 + i, 590, 580);  // the dead supervisor's group, in a session still open
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->origin, Origin::kGone);
  EXPECT_EQ(g->process_group, 590);
  EXPECT_EQ(g->spawner_pid, 0);
  EXPECT_EQ(g->classification, Classification::kLeak);
  EXPECT_TRUE(HasEvidence(*g, "spawner gone: reparented to pid 1")) << Evidence(*g);
  EXPECT_FALSE(HasEvidence(*g, "alive")) << Evidence(*g);
  EXPECT_TRUE(FindingsOf(a, FindingKind::kDuplicateChain).empty());
  std::vector<const Finding*> orphans = FindingsOf(a, FindingKind::kOrphanedChain);
  ASSERT_EQ(orphans.size(), 1u);
  EXPECT_EQ(orphans[0]->count, 3);
  EXPECT_EQ(orphans[0]->pids, (std::vector<int>{600, 601, 602}));
  EXPECT_GE(orphans[0]->severity, Severity::kWarning);
}

TEST(Lineage, RestartedSupervisor_OwnsTheCopiesItsEarlierInstanceLeft) {
  SnapshotBuilder b = Host();
  b.Add(400, 1, {"bash", "/srv/run-forever.sh"}, 0.5, 3, "", "/usr/bin/bash");
  b.SetLeader(400, true);
  std::vector<int> roots;
  for (int i = 0; i < 3; ++i) {  // from instance 1 (pid 450, gone), reparented to PID 1
    roots.push_back(b.Add(600 + i, 1, {"python3", "/srv/srv.py"}, 1 + 0.4 * kSecond * i, 30, "",
                          "/usr/bin/python3.11"));
    b.SetGroup(600 + i, 450, 400);
  }
  b.Add(500, 400, {"python3", "/srv/sup.py"}, 2, 20, "", "/usr/bin/python3.11");
  b.SetLeader(500);
  for (int i = 0; i < 3; ++i) {
    roots.push_back(b.Add(700 + i, 500, {"python3", "/srv/srv.py"}, 2.1 + 0.4 * kSecond * i, 30, "",
                          "/usr/bin/python3.11"));
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->origin, Origin::kSpawner);
  EXPECT_EQ(g->spawner_pid, 500);
  EXPECT_EQ(g->classification, Classification::kLeak);
  ASSERT_EQ(g->chains.size(), 6u);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(g->chains[i].orphaned, i < 3) << i;
  EXPECT_TRUE(HasEvidence(*g, "3 copies were left behind by earlier instances")) << Evidence(*g);
  std::vector<const Finding*> orphans = FindingsOf(a, FindingKind::kOrphanedChain);
  ASSERT_EQ(orphans.size(), 1u);
  EXPECT_EQ(orphans[0]->pids, (std::vector<int>{600, 601, 602}));
  std::vector<const Finding*> dups = FindingsOf(a, FindingKind::kDuplicateChain);
  ASSERT_EQ(dups.size(), 1u);
  EXPECT_EQ(dups[0]->pids, (std::vector<int>{600, 601, 602, 700, 701}));
}

TEST(Lineage, OneLeftoverBesideOneLaterShellsCommand_IsNoRestart) {
  // A finished script left `sleep 600 &`; later a script of another shell in the same session
  // runs `sleep 600` in the foreground. One leftover is no evidence of a restart loop.
  SnapshotBuilder b = Host();
  b.Add(400, 100, {"-bash"}, 0.5, 4, "", "/usr/bin/bash");
  b.SetLeader(400, true);
  b.Add(701, 1, {"sleep", "600"}, 1, 1);
  b.SetGroup(701, 700, 400);
  b.Add(800, 400, {"sh", "/home/u/fg.sh"}, 2, 2, "", "/usr/bin/dash");
  b.SetLeader(800);
  b.Add(801, 800, {"sleep", "600"}, 2.1, 1);
  Analysis a = Analyze(b.Build(), nullptr);
  ExpectNoWarnings(a);
  EXPECT_EQ(GroupsOf(a, {701})[0]->count, 1);
  EXPECT_EQ(GroupsOf(a, {801})[0]->count, 1);
}

TEST(Lineage, CopiesReparentedToAPidNamespacesInit_AreOrphanedWithTheirNsPids) {
  SnapshotBuilder b = Host();
  b.Add(300, 1, {"unshare", "--pid", "--fork", "sh", "-c", "node spawner.js; sleep 600"}, 1, 1);
  b.SetLeader(300, true);
  b.Add(301, 300, {"sh", "-c", "node spawner.js; sleep 600"}, 1, 1, "", "/usr/bin/dash");
  b.SetNsPid(301, 1);
  b.Add(330, 301, {"sleep", "600"}, 3, 1);
  b.SetNsPid(330, 9);
  std::vector<int> roots;
  for (int i = 0; i < 3; ++i) {
    roots.push_back(b.Add(310 + i, 301, {"python3", "/srv/ns_copy.py"}, 2 + 0.3 * kSecond * i, 20,
                          "", "/usr/bin/python3.11"));
    b.SetNsPid(310 + i, 3 + i);
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->origin, Origin::kGone);
  EXPECT_EQ(g->classification, Classification::kLeak);
  for (const Chain& c : g->chains) EXPECT_TRUE(c.orphaned);
  EXPECT_TRUE(HasEvidence(*g, "pid 301 (ns pid 1)")) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "the init of a PID namespace")) << Evidence(*g);
  EXPECT_EQ(FindingsOf(a, FindingKind::kOrphanedChain).size(), 1u);
}

TEST(Lineage, SpawnerInsideAPidNamespace_IsNamedWithItsNsPid) {
  SnapshotBuilder b = Host();
  b.Add(301, 1, {"sh", "-c", "node spawner.js"}, 1, 1, "", "/usr/bin/dash");
  b.SetNsPid(301, 1);
  b.Add(302, 301, {"node", "/srv/spawner.js"}, 1, 30, "", "/usr/bin/node");
  b.SetNsPid(302, 2);
  std::vector<int> roots;
  for (int i = 0; i < 3; ++i) {
    roots.push_back(b.Add(310 + i, 302, {"python3", "/srv/ns_copy.py"}, 2 + 0.3 * kSecond * i, 20,
                          "", "/usr/bin/python3.11"));
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->spawner_pid, 302);
  EXPECT_EQ(g->classification, Classification::kLeak);
  EXPECT_TRUE(HasEvidence(*g, "spawned by pid 302 (ns pid 2)")) << Evidence(*g);
}

TEST(Lineage, OrdinaryHostProcesses_GiveNoFinding) {
  SnapshotBuilder b = Host();
  // A script left `sleep 600 &` behind (its group 700 is gone) ...
  b.Add(701, 1, {"sleep", "600"}, 1, 1);
  b.SetGroup(701, 700, 690);
  // ... two shells run the same sleep in the foreground, and two more run `tail -f`.
  for (int i = 0; i < 4; ++i) {
    const int shell = 800 + 10 * i;
    b.Add(shell, 100, {"-bash"}, 2 + i, 4, "", "/usr/bin/bash");
    b.SetLeader(shell, true);
    b.SetTty(shell, 34816 + i);
    if (i < 2) {
      b.Add(shell + 1, shell, {"sleep", "600"}, 3 + i, 1);
    } else {
      b.Add(shell + 1, shell, {"tail", "-f", "/var/log/syslog"}, 3 + i, 1);
    }
    b.SetLeader(shell + 1);  // a job of an interactive shell
  }
  // A daemon that double-forked into a session of its own, and one that did not.
  b.Add(900, 1, {"/usr/local/bin/agentd"}, 1, 8);
  b.SetLeader(900, true);
  b.Add(901, 1, {"/usr/local/bin/helperd"}, 1, 8);
  b.SetGroup(901, 895, 690);
  Analysis a = Analyze(b.Build(), nullptr);
  ExpectNoWarnings(a);
  for (const Group& g : a.groups) {
    EXPECT_NE(g.classification, Classification::kLeak) << g.signature << Evidence(g);
  }
}

TEST(Lineage, TerminalSessionsOfOneServer_AreNotALeak) {
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"tmux", "new", "-d"}, 1, 5, "", "/usr/bin/tmux");
  b.SetLeader(500, true);
  std::vector<int> roots;
  for (int i = 0; i < 3; ++i) {
    roots.push_back(b.Add(600 + i, 500, {"-bash"}, 2 + 10 * i, 4, "", "/usr/bin/bash"));
    b.SetLeader(600 + i, true);
    b.SetTty(600 + i, 34816 + i);
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->classification, Classification::kPool) << Evidence(*g);
  EXPECT_TRUE(HasEvidence(*g, "terminal session")) << Evidence(*g);
  ExpectNoWarnings(a);
}

TEST(Lineage, InteractiveShellsOneParentStarted_AreSessionsButScriptsAreNot) {
  for (bool interactive : {true, false}) {
    SnapshotBuilder b = Host();
    b.Add(500, 1, {"python3", "/srv/harness.py"}, 1, 20, "", "/usr/bin/python3.11");
    std::vector<int> roots;
    for (int i = 0; i < 3; ++i) {
      std::vector<std::string> argv = interactive ? std::vector<std::string>{"bash", "-i"}
                                                  : std::vector<std::string>{"bash", "/srv/x.sh"};
      roots.push_back(b.Add(600 + i, 500, argv, 2 + i, 4, "", "/usr/bin/bash"));
    }
    Analysis a = Analyze(b.Build(), nullptr);
    const Group* g = ExactGroup(a, roots);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ(g->classification, interactive ? Classification::kPool : Classification::kLeak)
        << Evidence(*g);
    EXPECT_EQ(HasEvidence(*g, "interactive shell"), interactive) << Evidence(*g);
  }
}

TEST(Lineage, ServicesAnInitStartedOneByOne_AreNotALeak) {
  SnapshotBuilder b = Host();
  std::vector<int> roots;
  for (int i = 0; i < 3; ++i) {
    roots.push_back(b.Add(600 + i, 1, {"/usr/sbin/getty", "38400"}, 1 + i, 2));
    b.SetLeader(600 + i, true);
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->origin, Origin::kInit);
  EXPECT_EQ(g->classification, Classification::kPool) << Evidence(*g);
  ExpectNoWarnings(a);
}

TEST(Lineage, DifferentScriptsUnderTmp_AreDifferentGroups) {
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"sh", "/tmp/tmp.xyz/run.sh"}, 1, 2, "", "/usr/bin/dash");
  b.Add(501, 500, {"python3", "/tmp/tmp.xyz/a.py"}, 2, 10);
  b.Add(502, 500, {"python3", "/tmp/tmp.xyz/b.py"}, 3, 10);
  Analysis a = Analyze(b.Build(), nullptr);
  std::vector<const Group*> groups = GroupsOf(a, {501, 502});
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0]->count, 1);
  EXPECT_EQ(groups[1]->count, 1);
  ExpectNoWarnings(a);
}

TEST(Lineage, CopiesInDifferentCgroups_NeverShareAGroupOrAKillList) {
  SnapshotBuilder b = Host();
  b.Add(500, 1, {"node", "/srv/launcher.js"}, 1, 20, "", "/usr/bin/node");
  b.SetCgroup(500, "/system.slice/launcher.service");
  for (int i = 0; i < 4; ++i) {
    b.Add(600 + i, 500, {"python3", "/srv/job.py"}, 2 + i, 10);
    b.SetCgroup(600 + i,
                i % 2 == 0 ? "/system.slice/launcher.service" : "/system.slice/other.service");
  }
  Analysis a = Analyze(b.Build(), nullptr);
  std::vector<const Group*> groups = GroupsOf(a, {600, 601, 602, 603});
  ASSERT_EQ(groups.size(), 2u);
  for (const Group* g : groups) EXPECT_EQ(g->count, 2);
  for (const Finding& f : a.findings) {
    std::vector<int> pids = f.pids;
    const bool mixed = std::find(pids.begin(), pids.end(), 600) != pids.end() &&
                       std::find(pids.begin(), pids.end(), 601) != pids.end();
    EXPECT_FALSE(mixed) << f.message;
    EXPECT_FALSE(f.cgroup.empty()) << f.message;
  }
}

TEST(Lineage, ContainerWhoseInitIsTheApplication_SpawnsItsOwnCopies) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.AddContainer("c1", "app").init_pid = 2000;
  b.Add(1900, 1, {"/usr/bin/containerd-shim-runc-v2", "-id", "c1"}, 1, 10);
  b.SetLeader(1900, true);
  b.Add(2000, 1900, {"node", "/app/gateway.js"}, 1, 90, "c1", "/usr/bin/node");
  b.SetLeader(2000, true);
  b.SetNsPid(2000, 1);
  std::vector<int> roots;
  for (int i = 0; i < 3; ++i) {
    roots.push_back(b.Add(2100 + i, 2000, {"python3", "/app/tool.py"}, 5 + 10 * i, 20, "c1"));
  }
  Analysis a = Analyze(b.Build(), nullptr);
  const Group* g = ExactGroup(a, roots);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->origin, Origin::kSpawner);
  EXPECT_EQ(g->spawner_pid, 2000);
  EXPECT_EQ(g->classification, Classification::kLeak) << Evidence(*g);
  for (const Chain& c : g->chains) EXPECT_FALSE(c.orphaned);
  EXPECT_TRUE(HasEvidence(*g, "the container's init")) << Evidence(*g);
}

TEST(Lineage, ContainerShellInitsOwnJobs_AreItsServicesUnlessARestartedSpawnerLeftThem) {
  // An entrypoint `sh -c` leads its process group (runc made it a session leader); children in
  // that group are its own jobs, or copies a supervisor it runs left when it died. With the
  // supervisor running again, they are the latter.
  for (bool restarted : {false, true}) {
    SnapshotBuilder b;
    b.Add(1, 0, {"/sbin/init"}, 0, 10);
    b.AddContainer("c1", "app").init_pid = 2000;
    b.Add(2000, 1, {"sh", "-c", "while :; do node /app/gw.js; done"}, 1, 1, "c1", "/bin/dash");
    b.SetLeader(2000, true);
    std::vector<int> roots;
    for (int i = 0; i < 3; ++i) {
      roots.push_back(b.Add(2100 + i, 2000, {"python3", "/app/tool.py"}, 5 + 10 * i, 20, "c1"));
    }
    if (restarted) {
      b.Add(2200, 2000, {"node", "/app/gw.js"}, 40, 60, "c1", "/usr/bin/node");
      roots.push_back(b.Add(2201, 2200, {"python3", "/app/tool.py"}, 41, 20, "c1"));
    }
    Analysis a = Analyze(b.Build(), nullptr);
    const Group* g = ExactGroup(a, roots);
    ASSERT_NE(g, nullptr);
    if (!restarted) {
      EXPECT_EQ(g->origin, Origin::kInit);
      EXPECT_EQ(g->classification, Classification::kPool) << Evidence(*g);
      EXPECT_TRUE(HasEvidence(*g, "in the process group it leads itself")) << Evidence(*g);
      ExpectNoWarnings(a);
    } else {
      EXPECT_EQ(g->origin, Origin::kSpawner);
      EXPECT_EQ(g->spawner_pid, 2200);
      EXPECT_EQ(g->classification, Classification::kLeak) << Evidence(*g);
      EXPECT_EQ(FindingsOf(a, FindingKind::kOrphanedChain).size(), 1u);
      EXPECT_TRUE(HasEvidence(*g, "the container's init")) << Evidence(*g);
    }
  }
}

}  // namespace
}  // namespace procleak
