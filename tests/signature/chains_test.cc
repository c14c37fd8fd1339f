// SPDX-License-Identifier: Apache-2.0
// BuildChains(): wrappers and what they launch form one chain; inits and late children do not.
#include "signature/chains.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "analysis/analysis_fixture.h"

namespace procleak {
namespace {

using testing::SnapshotBuilder;

constexpr char kHub[] = "0b6aa5f2967a07ea9b60e7c680931d4f8a4c1b2e3d4f5a6b7c8d9e0f1a2b3c4d";
constexpr double kSecond = 1.0 / 60;  // SnapshotBuilder times are in minutes

const SpawnChain* ChainOf(const std::vector<SpawnChain>& chains, int pid) {
  for (const SpawnChain& c : chains) {
    if (std::find(c.pids.begin(), c.pids.end(), pid) != c.pids.end()) return &c;
  }
  return nullptr;
}

// The observed argv of one `npm exec` launch: npm's rewritten title, npm's sh -c, then node.
void AddNpmChain(SnapshotBuilder& b, int pid, int parent, double at, const std::string& container) {
  b.Add(pid, parent, {"npm exec fake-mcp-server"}, at, 70, container, "/usr/bin/node");
  b.Add(pid + 1, pid, {"sh", "-c", "'fake-mcp-server'"}, at + kSecond / 10, 1, container,
        "/usr/bin/dash");
  b.Add(pid + 2, pid + 1, {"node", "/home/u/proj/node_modules/.bin/fake-mcp-server"},
        at + kSecond / 5, 50, container, "/usr/bin/node");
}

TEST(Chains, NpmShNode_IsOneChainWithProgramsPerLevel) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(500, 1, {"node", "/app/hub.js"}, 1, 90);
  AddNpmChain(b, 600, 500, 2, "");
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  const SpawnChain* c = ChainOf(chains, 600);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->root_pid, 600);
  EXPECT_EQ(c->pids, (std::vector<int>{600, 601, 602}));
  EXPECT_EQ(c->signature, "npm exec fake-mcp-server > sh > node");
  EXPECT_EQ(c->container, "");
  // The spawner is not a wrapper: it roots its own chain, as does init.
  ASSERT_EQ(chains.size(), 3u);
  EXPECT_EQ(chains[0].root_pid, 1);
  EXPECT_EQ(chains[1].root_pid, 500);
  EXPECT_EQ(chains[1].signature, "node /app/hub.js");
  EXPECT_EQ(chains[1].pids, std::vector<int>{500});
}

TEST(Chains, OrphanReparentedToTiniInit_RootsItsOwnChain) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.AddContainer(kHub, "mcp-hub").init_pid = 2101;
  b.Add(2101, 1, {"/sbin/tini", "--", "node", "/app/hub.js"}, 1, 1, kHub);
  b.Add(2102, 2101, {"node", "/app/hub.js"}, 1, 90, kHub);
  AddNpmChain(b, 3000, 2101, 30, kHub);  // orphaned: its hub died, tini adopted it
  AddNpmChain(b, 3003, 2102, 60, kHub);
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  const SpawnChain* orphan = ChainOf(chains, 3000);
  const SpawnChain* live = ChainOf(chains, 3003);
  ASSERT_NE(orphan, nullptr);
  ASSERT_NE(live, nullptr);
  EXPECT_EQ(orphan->root_pid, 3000);
  EXPECT_EQ(orphan->signature, "npm exec fake-mcp-server > sh > node");
  EXPECT_EQ(orphan->signature, live->signature);
  EXPECT_EQ(orphan->container, kHub);
  EXPECT_EQ(ChainOf(chains, 2101)->pids, std::vector<int>{2101});
}

TEST(Chains, WrapperLikeInit_DoesNotAdoptIntoItsChain) {
  // A container whose entrypoint is `sh -c`, and a host whose PID 1 is one: both are wrappers by
  // their argv, but children of an init (even ones started with it) root their own chains.
  SnapshotBuilder b;
  b.Add(1, 0, {"sh", "-c", "exec-me"}, 0, 1);
  b.Add(2, 1, {"worker"}, 0, 1);
  b.AddContainer("c1", "app").init_pid = 100;
  b.Add(100, 1, {"/bin/sh", "-c", "node /app/server.js"}, 1, 1, "c1");
  b.Add(101, 100, {"node", "/app/server.js"}, 1, 50, "c1");
  AddNpmChain(b, 200, 100, 45, "c1");
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  EXPECT_EQ(ChainOf(chains, 2)->root_pid, 2);
  EXPECT_EQ(ChainOf(chains, 100)->pids, std::vector<int>{100});
  EXPECT_EQ(ChainOf(chains, 101)->root_pid, 101);
  EXPECT_EQ(ChainOf(chains, 101)->signature, "node /app/server.js");
  EXPECT_EQ(ChainOf(chains, 200)->root_pid, 200);
  EXPECT_EQ(ChainOf(chains, 200)->pids.size(), 3u);
}

TEST(Chains, ChildExecdLongAfterItsWrapper_StillJoins) {
  // Under load `npm exec X` took 21 s to start its `sh -c X`: parentage decides, not time.
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(500, 1, {"node", "/app/hub.js"}, 1, 90);
  b.Add(600, 500, {"npm exec fake-mcp-server"}, 2, 70, "", "/usr/bin/node");
  b.Add(601, 600, {"sh", "-c", "fake-mcp-server"}, 2 + 21 * kSecond, 1);
  b.Add(602, 601, {"node", "/p/node_modules/.bin/fake-mcp-server"}, 2 + 40 * kSecond, 50);
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  EXPECT_EQ(ChainOf(chains, 602)->pids, (std::vector<int>{600, 601, 602}));
  EXPECT_EQ(ChainOf(chains, 602)->signature, "npm exec fake-mcp-server > sh > node");
  EXPECT_EQ(ChainOf(chains, 602)->root_signature, "npm exec fake-mcp-server");
}

TEST(Chains, WrapperFormWithSeveralChildren_RunsAScriptAndEachChildRootsAChain) {
  // `sh -c 'while :; do x & sleep 1; done'` keeps starting copies: it is their spawner.
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(10, 1, {"sh", "-c", "while :; do x & sleep 1; done"}, 1, 1);
  b.Add(11, 10, {"x"}, 1 + kSecond, 1);
  b.Add(12, 10, {"x"}, 1 + 2 * kSecond, 1);
  b.Add(13, 10, {"sleep", "1"}, 1 + 2 * kSecond, 1);
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  EXPECT_EQ(ChainOf(chains, 10)->pids, std::vector<int>{10});
  for (int pid : {11, 12, 13}) EXPECT_EQ(ChainOf(chains, pid)->root_pid, pid);
}

TEST(Chains, ZombieBesideALiveChild_RootsItsOwnChain) {
  SnapshotBuilder b;
  b.Add(10, 0, {"sh", "-c", "x"}, 1, 1);
  b.Add(11, 10, {"x"}, 1, 1);
  b.Add(12, 10, {"x"}, 1, 0);
  b.SetState(12, 'Z');
  b.Add(20, 0, {"sh", "-c", "y"}, 1, 1);
  b.Add(21, 20, {"y"}, 1, 0);
  b.SetState(21, 'Z');
  Snapshot s = b.Build();
  std::vector<SpawnChain> chains = BuildChains(s, Rules());
  // An exited child does not count: the live one is what the wrapper waits for.
  EXPECT_EQ(ChainOf(chains, 10)->pids, (std::vector<int>{10, 11}));
  EXPECT_EQ(ChainOf(chains, 12)->root_pid, 12);
  EXPECT_EQ(ChainOf(chains, 20)->pids, (std::vector<int>{20, 21}));  // its only child, exited
}

TEST(Chains, ChildOlderThanItsWrapper_RootsANewChain) {
  // Only reparenting can give a process a parent younger than itself.
  SnapshotBuilder b;
  b.Add(10, 0, {"sh", "-c", "x"}, 5, 1);
  b.Add(11, 10, {"x"}, 5 - kSecond, 1);
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[1].root_pid, 11);
}

TEST(Chains, IgnoreRule_DropsTheWholeChain) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  AddNpmChain(b, 600, 1, 2, "");
  AddNpmChain(b, 700, 1, 3, "");
  b.Add(800, 1, {"/usr/sbin/sshd", "-D"}, 1, 5);
  absl::StatusOr<Rules> rules = ParseRules("ignore signature \"^npm exec fake-mcp-server >\"", "r");
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::vector<SpawnChain> chains = BuildChains(b.Build(), *rules);
  for (int pid : {600, 601, 602, 700, 701, 702}) EXPECT_EQ(ChainOf(chains, pid), nullptr) << pid;
  ASSERT_NE(ChainOf(chains, 800), nullptr);
  EXPECT_EQ(ChainOf(chains, 800)->signature, "sshd -D");
  EXPECT_EQ(chains.size(), 2u);  // init and sshd
}

TEST(Chains, IgnoreRuleOnAnotherField_MatchesTheRoot) {
  SnapshotBuilder b;
  AddNpmChain(b, 600, 0, 2, "");
  absl::StatusOr<Rules> rules = ParseRules("ignore exe ^/usr/bin/node$", "r");
  ASSERT_TRUE(rules.ok());
  // The root's exe is node: the chain goes, including the sh whose exe is dash.
  EXPECT_TRUE(BuildChains(b.Build(), *rules).empty());
}

TEST(Chains, NameRule_ReplacesTheRootsPart) {
  SnapshotBuilder b;
  AddNpmChain(b, 600, 0, 2, "");
  b.Add(900, 0, {"other"}, 2, 1);
  absl::StatusOr<Rules> rules =
      ParseRules("name cmdline \"^npm exec fake-mcp-server$\" as=\"fake mcp\"", "r");
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::vector<SpawnChain> chains = BuildChains(b.Build(), *rules);
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0].signature, "fake mcp > sh > node");
  EXPECT_EQ(chains[1].signature, "other");
}

TEST(Chains, NameRuleWithContainerFilter_OnlyRenamesThere) {
  SnapshotBuilder b;
  b.AddContainer(kHub, "mcp-hub");
  AddNpmChain(b, 600, 0, 2, kHub);
  AddNpmChain(b, 700, 0, 2, "");
  absl::StatusOr<Rules> rules = ParseRules("name comm ^npm as=hub-npm container=^mcp-hub$", "r");
  ASSERT_TRUE(rules.ok()) << rules.status();
  std::vector<SpawnChain> chains = BuildChains(b.Build(), *rules);
  EXPECT_EQ(ChainOf(chains, 600)->signature, "hub-npm > sh > node");
  EXPECT_EQ(ChainOf(chains, 700)->signature, "npm exec fake-mcp-server > sh > node");
}

TEST(Chains, TenThousandDeepWrapperChain_IsBuiltWithoutRecursion) {
  constexpr int kDepth = 10000;
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  for (int i = 0; i < kDepth - 1; ++i) b.Add(100 + i, i == 0 ? 1 : 99 + i, {"sh", "-c", "x"}, 1, 1);
  b.Add(100 + kDepth - 1, 100 + kDepth - 2, {"node", "x.js"}, 1, 1);
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  ASSERT_EQ(chains.size(), 2u);
  const SpawnChain& deep = chains[1];
  EXPECT_EQ(deep.root_pid, 100);
  ASSERT_EQ(deep.pids.size(), static_cast<size_t>(kDepth));
  EXPECT_EQ(deep.pids.back(), 100 + kDepth - 1);
  EXPECT_TRUE(deep.signature.starts_with("sh -c x > sh > sh"));
  EXPECT_TRUE(deep.signature.ends_with(" > sh > node"));
  size_t arrows = 0;
  for (size_t at = deep.signature.find(" > "); at != std::string::npos;
       at = deep.signature.find(" > ", at + 1)) {
    ++arrows;
  }
  // Bounded (issue 17): the first and last levels, and one link for the 9,988 between them.
  EXPECT_EQ(arrows, kSignatureHeadLevels + 1 + kSignatureTailLevels);
  EXPECT_NE(deep.signature.find(" > ... (9988 more links, #"), std::string::npos) << deep.signature;
}

TEST(Chains, WrapperAndChildInDifferentContainersOrCgroups_AreNotJoined) {
  SnapshotBuilder b;
  b.AddContainer("aaa", "one");
  b.AddContainer("bbb", "two");
  b.Add(10, 0, {"sh", "-c", "x"}, 1, 1, "aaa");
  b.Add(11, 10, {"x"}, 1, 1, "bbb");
  b.Add(20, 0, {"sh", "-c", "y"}, 1, 1, "aaa");
  b.Add(21, 20, {"y"}, 1, 1, "");
  b.Add(30, 0, {"sh", "-c", "z"}, 1, 1, "aaa");
  b.Add(31, 30, {"z"}, 1, 1, "aaa");
  b.Add(40, 0, {"sh", "-c", "w"}, 1, 1);
  b.Add(41, 40, {"w"}, 1, 1);
  b.SetCgroup(40, "/system.slice/a.service");
  b.SetCgroup(41, "/system.slice/b.service");
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  EXPECT_EQ(ChainOf(chains, 30)->pids, (std::vector<int>{30, 31}));
  EXPECT_EQ(ChainOf(chains, 11)->root_pid, 11);
  EXPECT_EQ(ChainOf(chains, 11)->container, "bbb");
  EXPECT_EQ(ChainOf(chains, 21)->root_pid, 21);
  EXPECT_EQ(ChainOf(chains, 21)->container, "");
  EXPECT_EQ(ChainOf(chains, 41)->root_pid, 41);
}

TEST(Chains, ExitedChildrenOfAWrapper_ListEachProgramOnceSorted) {
  // Two children that exited unreaped, and no live one: both continue the wrapper's chain.
  SnapshotBuilder b;
  b.Add(10, 0, {"npx", "-y", "multi"}, 1, 1);
  b.Add(11, 10, {"sh", "-c", "a"}, 1, 1);
  b.Add(12, 11, {"python3", "b.py"}, 1, 0);
  b.Add(13, 11, {"node", "a.js"}, 1, 0);
  b.SetState(12, 'Z');
  b.SetState(13, 'Z');
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].pids, (std::vector<int>{10, 11, 12, 13}));
  EXPECT_EQ(chains[0].signature, "npm exec multi > sh > node,python3");
}

TEST(Chains, ReusedPidBelowItsWrapper_StaysInTheWrappersChainOrderedByRoot) {
  SnapshotBuilder b;
  b.Add(30000, 0, {"sh", "-c", "'server'"}, 1, 1);
  b.Add(20, 30000, {"server"}, 1, 1);  // pids wrapped around
  b.Add(40, 0, {"other"}, 1, 1);
  std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  ASSERT_EQ(chains.size(), 2u);
  EXPECT_EQ(chains[0].root_pid, 40);
  EXPECT_EQ(chains[1].root_pid, 30000);
  EXPECT_EQ(chains[1].pids, (std::vector<int>{30000, 20}));
  EXPECT_EQ(chains[1].signature, "sh -c server > server");
}

TEST(Chains, KernelThreadsAndWrapperParentCycles_AreHandled) {
  std::vector<Process> procs;
  auto add = [&](int pid, int ppid, std::vector<std::string> argv, bool kthread) {
    Process p;
    p.pid = pid;
    p.ppid = ppid;
    p.comm = argv.empty() ? "kworker/0:1" : argv[0];
    p.argv = std::move(argv);
    p.kernel_thread = kthread;
    procs.push_back(std::move(p));
  };
  add(2, 0, {}, true);
  add(3, 2, {}, true);
  add(50, 51, {"sh", "-c", "a"}, false);  // corrupt input: a cycle of wrappers
  add(51, 50, {"sh", "-c", "b"}, false);
  Snapshot s = Snapshot::Build(Host(), procs, {}, ScanStats());
  std::vector<SpawnChain> chains = BuildChains(s, Rules());
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].root_pid, 50);
  EXPECT_EQ(chains[0].pids, (std::vector<int>{50, 51}));
  EXPECT_EQ(chains[0].signature, "sh -c a > sh");
}

TEST(Chains, ZombieUnderAWrapper_JoinsUnderItsComm) {
  std::vector<Process> procs;
  Process sh;
  sh.pid = 10;
  sh.comm = "sh";
  sh.argv = {"sh", "-c", "job"};
  Process zombie;
  zombie.pid = 11;
  zombie.ppid = 10;
  zombie.state = 'Z';
  zombie.comm = "job";
  procs = {sh, zombie};
  std::vector<SpawnChain> chains =
      BuildChains(Snapshot::Build(Host(), procs, {}, ScanStats()), Rules());
  ASSERT_EQ(chains.size(), 1u);
  EXPECT_EQ(chains[0].signature, "sh -c job > job");
}

}  // namespace
}  // namespace procleak
