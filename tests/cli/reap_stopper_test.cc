// SPDX-License-Identifier: Apache-2.0
// StopChains() against simulated processes: whole chains stopped with what they started since the
// scan, forks while stopping, processes that ignore SIGTERM or survive SIGKILL, other cgroups,
// protected and kept processes, limits; and how the report and exit status show what was left.
#include "cli/reap_stopper.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "cli/reap_report.h"
#include "fake_reap_system.h"
#include "fmt/format.h"
#include "signature/signature.h"

namespace procleak {
namespace {

using testing::FakeProcess;
using testing::FakeSystem;

ReapProcess Planned(FakeSystem& fake, int pid, bool in_chain = true) {
  const FakeProcess& p = fake.P(pid);
  ReapProcess r;
  r.pid = p.pid;
  r.ppid = p.ppid;
  r.starttime_ticks = p.starttime;
  r.argv = p.argv;
  r.comm = p.argv[0];
  r.command_signature = ClassifyCommand(r.argv, r.comm).signature;
  r.in_chain = in_chain;
  return r;
}

// A plan of one group stopping the chains given as their processes, root first.
ReapPlan PlanOf(FakeSystem& fake, const std::vector<std::vector<int>>& chains) {
  ReapPlan plan;
  ReapGroup g;
  g.signature = "test";
  for (const std::vector<int>& pids : chains) {
    ReapChain c;
    c.root_pid = pids.front();
    for (auto it = pids.rbegin(); it != pids.rend(); ++it) {
      c.processes.push_back(Planned(fake, *it));
    }
    g.stop.push_back(c);
  }
  plan.groups.push_back(g);
  // Deepest first: the chains' processes are listed leaves first.
  for (size_t depth = 0;; ++depth) {
    bool any = false;
    for (const ReapChain& c : plan.groups[0].stop) {
      if (depth < c.processes.size()) {
        plan.order.push_back(c.processes[depth]);
        any = true;
      }
    }
    if (!any) break;
  }
  return plan;
}

ReapStopOptions Options() {
  ReapStopOptions o;
  o.grace = absl::Seconds(1);
  return o;
}

std::map<int, std::string> ResultsByPid(const ReapPlan& plan, const ReapActed& acted) {
  std::map<int, std::string> out;
  for (size_t i = 0; i < plan.order.size(); ++i) {
    out[plan.order[i].pid] = ReapOutcomeName(acted.planned[i].outcome);
  }
  for (const auto& chain : acted.found) {
    for (const ReapFound& f : chain) out[f.process.pid] = ReapOutcomeName(f.result.outcome);
  }
  return out;
}

std::vector<int> FoundPids(const ReapActed& acted, size_t chain) {
  std::vector<int> out;
  for (const ReapFound& f : acted.found.at(chain)) out.push_back(f.process.pid);
  return out;
}

// The incident: a spawner's `npm exec` was scanned before it started `sh` and `node`.
struct Incident {
  FakeSystem fake;
  int spawner = 0;
  int npm = 0;
  int sh = 0;
  int node = 0;
  int kept = 0;
  Incident() {
    spawner = fake.Add(1, {"node", "/app/hub.js"});
    npm = fake.Add(spawner, {"npm", "exec", "server-x"}, 1);
    kept = fake.Add(spawner, {"npm", "exec", "server-x"}, 2);
  }
  void Start() {
    sh = fake.Add(npm, {"sh", "-c", "server-x"});
    node = fake.Add(sh, {"node", "/srv/server-x/index.js"});
  }
};

TEST(ReapStopper, ChildrenStartedAfterThePlan_AreStoppedAndReportedFound) {
  Incident in;
  const ReapPlan plan = PlanOf(in.fake, {{in.npm}});
  in.Start();
  const ReapActed acted = StopChains(plan, Options(), &in.fake);
  EXPECT_TRUE(in.fake.AliveOfChain(1).empty());
  std::map<int, std::string> results = ResultsByPid(plan, acted);
  EXPECT_EQ(results[in.npm], "terminated");
  EXPECT_EQ(results[in.sh], "terminated");
  EXPECT_EQ(results[in.node], "terminated");
  EXPECT_EQ(FoundPids(acted, 0), std::vector<int>({in.node, in.sh}));  // leaves first
  EXPECT_FALSE(acted.found[0][0].process.in_chain);
  EXPECT_EQ(acted.found[0][0].process.argv[0], "node");
  EXPECT_TRUE(LeftRunning(plan, acted).empty());
  EXPECT_EQ(ReapExitStatus(plan, acted, /*applied=*/true), 0);
  EXPECT_EQ(in.fake.open_handles(), 0u);
}

TEST(ReapStopper, Freeze_StopsEveryProcessBeforeAnyGetsSigterm) {
  Incident in;
  const ReapPlan plan = PlanOf(in.fake, {{in.npm}});
  in.Start();
  StopChains(plan, Options(), &in.fake);
  const std::vector<std::pair<int, int>>& log = in.fake.log();
  auto first_term =
      std::find_if(log.begin(), log.end(), [](const auto& e) { return e.second == SIGTERM; });
  ASSERT_NE(first_term, log.end());
  for (int pid : {in.npm, in.sh, in.node}) {
    auto stop = std::find(log.begin(), log.end(), std::make_pair(pid, SIGSTOP));
    EXPECT_LT(stop - log.begin(), first_term - log.begin()) << pid;
  }
  // SIGTERM, then SIGCONT, children before parents.
  EXPECT_EQ(in.fake.SignalsOf(in.node), std::vector<int>({SIGSTOP, SIGTERM, SIGCONT}));
  std::vector<int> terms;
  for (const auto& [pid, sig] : log) {
    if (sig == SIGTERM) terms.push_back(pid);
  }
  EXPECT_EQ(terms, std::vector<int>({in.node, in.sh, in.npm}));
}

TEST(ReapStopper, NothingOutsideTheChains_IsSignalled) {
  Incident in;
  const ReapPlan plan = PlanOf(in.fake, {{in.npm}});
  in.Start();
  const int sibling_child = in.fake.Add(in.kept, {"sh", "-c", "server-x"});
  StopChains(plan, Options(), &in.fake);
  for (int pid : {1, in.spawner, in.kept, sibling_child}) {
    EXPECT_TRUE(in.fake.SignalsOf(pid).empty()) << pid;
  }
  EXPECT_EQ(in.fake.AliveOfChain(2).size(), 2u);
}

TEST(ReapStopper, LeafForkingEvery50ms_LeavesNothingOfTheChain) {
  FakeSystem fake;
  const int spawner = fake.Add(1, {"python3", "/opt/spawner.py"});
  const int sh = fake.Add(spawner, {"sh", "-c", "forker"}, 1);
  const int leaf = fake.Add(sh, {"forker"});
  const ReapPlan plan = PlanOf(fake, {{sh, leaf}});
  fake.ForkEvery(leaf, absl::Milliseconds(50));
  fake.Advance(absl::Milliseconds(420));  // 8 grandchildren since the scan
  const ReapActed acted = StopChains(plan, Options(), &fake);
  EXPECT_TRUE(fake.AliveOfChain(1).empty());
  EXPECT_GE(acted.found[0].size(), 8u);
  EXPECT_TRUE(LeftRunning(plan, acted).empty());
  EXPECT_FALSE(acted.incomplete);
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 0);
}

TEST(ReapStopper, ForkInFlightAsItStops_IsFoundAndStopped) {
  FakeSystem fake;
  const int sh = fake.Add(1, {"sh", "-c", "x"}, 1);
  const int leaf = fake.Add(sh, {"server"});
  const ReapPlan plan = PlanOf(fake, {{sh, leaf}});
  fake.P(leaf).fork_on_stop = true;
  const ReapActed acted = StopChains(plan, Options(), &fake);
  EXPECT_TRUE(fake.AliveOfChain(1).empty());
  ASSERT_EQ(acted.found[0].size(), 1u);
  EXPECT_EQ(acted.found[0][0].process.ppid, leaf);
  EXPECT_EQ(fake.SignalsOf(acted.found[0][0].process.pid).front(), SIGSTOP);
}

TEST(ReapStopper, IgnoringTerm_IsKilledAfterTheGrace) {
  Incident in;
  in.Start();
  const ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh, in.node}});
  in.fake.P(in.node).ignores_term = true;
  const absl::Time start = in.fake.Now();
  const ReapActed acted = StopChains(plan, Options(), &in.fake);
  EXPECT_GE(in.fake.Now() - start, absl::Seconds(1));
  std::map<int, std::string> results = ResultsByPid(plan, acted);
  EXPECT_EQ(results[in.node], "killed");
  EXPECT_EQ(results[in.sh], "terminated");
  EXPECT_TRUE(in.fake.AliveOfChain(1).empty());
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 0);
}

TEST(ReapStopper, Unkillable_IsLeftRunningAndTheExitStatusIs1) {
  Incident in;
  const ReapPlan plan = PlanOf(in.fake, {{in.npm}});
  in.Start();
  in.fake.P(in.node).unkillable = true;
  in.fake.P(in.node).ignores_term = true;
  ReapActed acted = StopChains(plan, Options(), &in.fake);
  std::vector<ReapLeft> left = LeftRunning(plan, acted);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].process->pid, in.node);
  EXPECT_TRUE(left[0].found);
  EXPECT_EQ(left[0].result->outcome, ReapOutcome::kFailed);
  EXPECT_EQ(left[0].result->detail, "still running after SIGKILL");
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 1);
  CliArgs args;
  args.apply = true;
  const std::string text = ReapText(plan, acted, args);
  EXPECT_NE(text.find("left running: 1 process: " + std::to_string(in.node) +
                      " node /srv/server-x/index.js (failed: still running "
                      "after SIGKILL)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("3 processes in 1 chains (2 found after the scan): 2 terminated, 0 killed, "
                      "0 gone, 0 skipped, 1 failed"),
            std::string::npos)
      << text;
}

TEST(ReapStopper, ChildInAnotherCgroup_IsNotSignalledAndIsLeftRunning) {
  Incident in;
  in.Start();
  const int moved = in.fake.Add(in.node, {"git", "fetch"});
  in.fake.P(moved).cgroup = "0::/user.slice/other.scope\n";
  const int below_moved = in.fake.Add(moved, {"ssh", "host"});
  const ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh, in.node}});
  const ReapActed acted = StopChains(plan, Options(), &in.fake);
  EXPECT_TRUE(in.fake.SignalsOf(moved).empty());
  EXPECT_TRUE(in.fake.SignalsOf(below_moved).empty());
  ASSERT_EQ(acted.found[0].size(), 1u);  // nothing below it is looked at
  EXPECT_EQ(acted.found[0][0].result.detail, "in another cgroup than its chain");
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 1);
  EXPECT_EQ(in.fake.AliveOfChain(1), std::vector<int>({moved, below_moved}));
}

TEST(ReapStopper, ProtectedChild_IsNeverSignalled) {
  Incident in;
  in.Start();
  const int self = in.fake.Add(in.node, {"procleak", "reap"});
  const ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh, in.node}});
  ReapStopOptions options = Options();
  options.protected_pids[self] = "procleak itself";
  const ReapActed acted = StopChains(plan, options, &in.fake);
  EXPECT_TRUE(in.fake.SignalsOf(self).empty());
  ASSERT_EQ(acted.found[0].size(), 1u);
  EXPECT_EQ(acted.found[0][0].result.detail, "protected: procleak itself");
}

TEST(ReapStopper, KeptChainBelowAStoppedOne_IsSpared) {
  FakeSystem fake;
  const int outer = fake.Add(1, {"sh", "-c", "x"}, 1);
  const int kept = fake.Add(outer, {"sh", "-c", "x"}, 2);
  const int kept_leaf = fake.Add(kept, {"sleep", "100"});
  ReapPlan plan = PlanOf(fake, {{outer}});
  plan.spared.push_back({kept, fake.P(kept).starttime});
  const ReapActed acted = StopChains(plan, Options(), &fake);
  EXPECT_TRUE(fake.SignalsOf(kept).empty());
  EXPECT_TRUE(fake.SignalsOf(kept_leaf).empty());
  EXPECT_TRUE(acted.found[0].empty());
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 0);
}

TEST(ReapStopper, PlannedChildThatExecd_IsKnownByItsParent) {
  Incident in;
  in.Start();
  const ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh}});
  in.fake.P(in.sh).argv = {"node", "/srv/x.js"};  // `sh -c` exec'd its command
  const ReapActed acted = StopChains(plan, Options(), &in.fake);
  std::map<int, std::string> results = ResultsByPid(plan, acted);
  EXPECT_EQ(results[in.sh], "terminated");
  EXPECT_TRUE(in.fake.AliveOfChain(1).empty());
}

TEST(ReapStopper, ReparentedProcessThatExecd_IsSkippedAsChanged) {
  Incident in;
  in.Start();
  const ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh}});
  in.fake.P(in.npm).alive = false;  // the root exited; its child was reparented and exec'd
  in.fake.P(in.sh).ppid = 1;
  in.fake.P(in.sh).argv = {"vim"};
  const ReapActed acted = StopChains(plan, Options(), &in.fake);
  std::map<int, std::string> results = ResultsByPid(plan, acted);
  EXPECT_EQ(results[in.npm], "gone");
  EXPECT_EQ(results[in.sh], "skipped");
  EXPECT_TRUE(in.fake.SignalsOf(in.sh).empty());
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 1);
}

TEST(ReapStopper, PidReusedSinceThePlan_IsGoneAndTheNewProcessUntouched) {
  Incident in;
  in.Start();
  const ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh, in.node}});
  in.fake.Reuse(in.node, {"node", "/srv/server-x/index.js"});
  const ReapActed acted = StopChains(plan, Options(), &in.fake);
  std::map<int, std::string> results = ResultsByPid(plan, acted);
  EXPECT_EQ(results[in.node], "gone");
  EXPECT_TRUE(in.fake.SignalsOf(in.node).empty());
  EXPECT_TRUE(acted.found[0].empty());
}

TEST(ReapStopper, MoreProcessesThanTheLimit_IsIncompleteAndExitStatus1) {
  FakeSystem fake;
  const int sh = fake.Add(1, {"sh", "-c", "x"}, 1);
  for (int i = 0; i < 8; ++i) fake.Add(sh, {"sleep", "100"});
  const ReapPlan plan = PlanOf(fake, {{sh}});
  ReapStopOptions options = Options();
  options.max_found = 5;
  const ReapActed acted = StopChains(plan, options, &fake);
  EXPECT_EQ(acted.found[0].size(), 5u);
  EXPECT_TRUE(acted.incomplete);
  EXPECT_EQ(fake.AliveOfChain(1).size(), 3u);
  ASSERT_FALSE(acted.notes.empty());
  EXPECT_NE(acted.notes.back().find("3 more"), std::string::npos) << acted.notes.back();
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 1);
}

TEST(ReapStopper, DeepChainBeyondTheRoundLimit_IsIncomplete) {
  FakeSystem fake;
  const int sh = fake.Add(1, {"sh", "-c", "x"}, 1);
  fake.P(fake.Add(sh, {"sh"})).stop_forker = true;  // each level starts another as it stops
  const ReapPlan plan = PlanOf(fake, {{sh}});
  ReapStopOptions options = Options();
  options.max_rounds = 3;
  const ReapActed acted = StopChains(plan, options, &fake);
  EXPECT_TRUE(acted.incomplete);
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 1);
}

TEST(ReapStopper, NeverStops_IsNotedAndStillKilled) {
  Incident in;
  in.Start();
  const ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh, in.node}});
  in.fake.P(in.node).never_stops = true;
  in.fake.P(in.node).ignores_term = true;
  const absl::Time start = in.fake.Now();
  const ReapActed acted = StopChains(plan, Options(), &in.fake);
  // The first freeze and the one before SIGKILL wait up to 1 s each for it; the grace is 1 s.
  EXPECT_LT(in.fake.Now() - start, absl::Milliseconds(3200));
  ASSERT_FALSE(acted.notes.empty());
  EXPECT_NE(acted.notes[0].find("did not stop within 1s of SIGSTOP: " + std::to_string(in.node)),
            std::string::npos)
      << acted.notes[0];
  EXPECT_EQ(ResultsByPid(plan, acted)[in.node], "killed");
}

TEST(ReapStopper, ChildStartedDuringTheGrace_GetsSigtermToo) {
  FakeSystem fake;
  const int sh = fake.Add(1, {"sh", "-c", "x"}, 1);
  const int leaf = fake.Add(sh, {"server"});
  const ReapPlan plan = PlanOf(fake, {{sh, leaf}});
  fake.P(leaf).ignores_term = true;  // keeps running, and forking, after SIGTERM
  fake.ForkEvery(leaf, absl::Milliseconds(300));
  const ReapActed acted = StopChains(plan, Options(), &fake);
  EXPECT_TRUE(fake.AliveOfChain(1).empty());
  // Those started before the last look of the grace period get SIGTERM (and die of it); one
  // started after would be frozen and killed.
  int termed = 0;
  for (const ReapFound& f : acted.found[0]) {
    if (fake.SignalsOf(f.process.pid) == std::vector<int>({SIGTERM})) ++termed;
    EXPECT_EQ(f.result.outcome, fake.SignalsOf(f.process.pid).front() == SIGTERM
                                    ? ReapOutcome::kTerminated
                                    : ReapOutcome::kKilled);
  }
  EXPECT_GE(termed, 2);
}

TEST(ReapStopper, Report_MarksProcessesBelowTheChainAndFoundAfterTheScan) {
  Incident in;
  in.Start();
  const int helper = in.fake.Add(in.node, {"git", "fetch"});
  ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh}});
  plan.groups[0].stop[0].processes.insert(plan.groups[0].stop[0].processes.begin(),
                                          Planned(in.fake, helper, /*in_chain=*/false));
  plan.order.insert(plan.order.begin(), plan.groups[0].stop[0].processes.front());
  const ReapActed acted = StopChains(plan, Options(), &in.fake);
  CliArgs args;
  args.apply = true;
  const std::string text = ReapText(plan, acted, args);
  EXPECT_NE(text.find(std::to_string(helper) + "  terminated    git fetch  (below the chain)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(std::to_string(in.node) +
                      "  terminated    node /srv/server-x/index.js  (found after the scan)"),
            std::string::npos)
      << text;
  const nlohmann::ordered_json doc =
      ReapJson(Snapshot::Build(Host(), {}, {}, ScanStats()), plan, acted, args);
  std::map<int, std::pair<bool, bool>> marks;  // pid -> (in_chain, discovered)
  for (const auto& p : doc["groups"][0]["stop"][0]["processes"]) {
    marks[p["pid"].get<int>()] = {p["in_chain"].get<bool>(), p["discovered"].get<bool>()};
  }
  EXPECT_EQ(marks[helper], std::make_pair(false, false));
  EXPECT_EQ(marks[in.node], std::make_pair(false, true));
  EXPECT_EQ(marks[in.sh], std::make_pair(true, false));
  EXPECT_EQ(doc["summary"]["discovered"], 1);
  EXPECT_EQ(doc["summary"]["processes"], 4);
  EXPECT_EQ(doc["left_running"], nlohmann::ordered_json::array());
}

// The red team's shape: a spawner leading its own session and process group starts copies that
// share both; the oldest is stopped and handles SIGTERM with `sleep 120 & exit`, so its child is
// reparented to PID 1 as it exits; the newest is kept. The stopped copy's `server` ignores
// SIGTERM, which keeps the grace period running for its full second.
struct SharedGroup {
  FakeSystem fake;
  int spawner = 0;
  int stopped = 0;
  int server = 0;
  int kept = 0;
  SharedGroup() {
    spawner = fake.Add(1, {"python3", "/opt/spawner.py"});
    fake.Setsid(spawner);
    stopped = fake.Add(spawner, {"bash", "-c", "trap 'sleep 120 & exit' TERM; server"}, 1);
    server = fake.Add(stopped, {"server"});
    kept = fake.Add(spawner, {"bash", "-c", "trap 'sleep 120 & exit' TERM; server"}, 2);
    fake.P(stopped).fork_on_term = true;
    fake.P(server).ignores_term = true;
  }
  ReapPlan Plan() {
    ReapPlan plan = PlanOf(fake, {{stopped, server}});
    plan.spared.push_back({kept, fake.P(kept).starttime});
    return plan;
  }
  // Stops the chain while, 300 ms in (the server's grace), a child of the kept copy starts
  // `sleep 900 &` and exits: that sleep, reparented to PID 1, must be left alone.
  void ExpectKeptCopysOrphanUntouched() {
    int orphan = 0;
    fake.After(absl::Milliseconds(300), [&] {
      const int child = fake.Add(kept, {"sh", "-c", "sleep 900 &"});
      orphan = fake.Add(child, {"sleep", "900"});
      fake.Exit(child);
    });
    const ReapActed acted = StopChains(Plan(), Options(), &fake);
    ASSERT_NE(orphan, 0);
    EXPECT_EQ(fake.P(orphan).ppid, 1);
    EXPECT_TRUE(fake.P(orphan).alive);
    EXPECT_EQ(SignalledOutsideTheChain(), std::vector<int>());
    EXPECT_EQ(acted.found[0].size(), 1u);  // the handler's child
  }
  // Every process outside the stopped chain that got a signal.
  std::vector<int> SignalledOutsideTheChain() {
    std::vector<int> out;
    for (const auto& [pid, sig] : fake.log()) {
      if (fake.P(pid).chain != 1) out.push_back(pid);
    }
    return out;
  }
};

TEST(ReapStopper, ChildForkedInTheSigtermHandler_IsFoundByItsProcessGroupAndTerminated) {
  SharedGroup g;
  // Nothing keeps the grace period running: the child is found by the look taken when every
  // pinned process has exited.
  g.fake.P(g.server).ignores_term = false;
  const ReapPlan plan = g.Plan();
  const ReapActed acted = StopChains(plan, Options(), &g.fake);
  EXPECT_TRUE(g.fake.AliveOfChain(1).empty());
  ASSERT_EQ(acted.found[0].size(), 1u);
  const ReapFound& stray = acted.found[0][0];
  EXPECT_EQ(stray.process.ppid, 1);  // reparented before it was seen
  EXPECT_EQ(stray.by, ReapFoundBy::kProcessGroup);
  EXPECT_EQ(stray.found_in, g.spawner);
  EXPECT_EQ(stray.result.outcome, ReapOutcome::kTerminated);
  EXPECT_EQ(g.fake.SignalsOf(stray.process.pid), std::vector<int>({SIGTERM}));
  EXPECT_EQ(g.SignalledOutsideTheChain(), std::vector<int>());
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 0);
  CliArgs args;
  args.apply = true;
  const std::string text = ReapText(plan, acted, args);
  EXPECT_NE(text.find(fmt::format("{}  terminated    sleep 120  (found after the scan, reparented, "
                                  "in process group {} of a stopped process)",
                                  stray.process.pid, g.spawner)),
            std::string::npos)
      << text;
  const nlohmann::ordered_json doc =
      ReapJson(Snapshot::Build(Host(), {}, {}, ScanStats()), plan, acted, args);
  EXPECT_EQ(doc["groups"][0]["stop"][0]["processes"][0]["found_by"], "process_group");
  EXPECT_EQ(doc["groups"][0]["stop"][0]["processes"][1]["found_by"], nullptr);  // planned
}

TEST(ReapStopper, ProcessInTheGroupOlderThanTheFreeze_IsNotTaken) {
  SharedGroup g;
  // Left by a process of the spawner's group that exited before reap began.
  const int gone = g.fake.Add(g.spawner, {"sh", "-c", "sleep 900 &"});
  const int old = g.fake.Add(gone, {"sleep", "900"});
  g.fake.Exit(gone);
  ASSERT_EQ(g.fake.P(old).ppid, 1);
  const ReapActed acted = StopChains(g.Plan(), Options(), &g.fake);
  EXPECT_TRUE(g.fake.SignalsOf(old).empty());
  EXPECT_TRUE(g.fake.P(old).alive);
  ASSERT_EQ(acted.found[0].size(), 1u);  // the handler's child only
  EXPECT_NE(acted.found[0][0].process.pid, old);
  EXPECT_TRUE(g.fake.AliveOfChain(1).empty());
}

TEST(ReapStopper, NewProcessesOfTheKeptChainAndSpawnerInTheSharedGroup_AreNotTaken) {
  SharedGroup g;
  g.fake.ForkEvery(g.kept, absl::Milliseconds(50));
  g.fake.ForkEvery(g.spawner, absl::Milliseconds(100));  // restarts copies
  int job = 0;  // and the kept copy starts a job in a group of its own (`set -m`)
  g.fake.After(absl::Milliseconds(300), [&] {
    job = g.fake.Add(g.kept, {"make"});
    g.fake.Setpgid(job, job);
  });
  const ReapActed acted = StopChains(g.Plan(), Options(), &g.fake);
  ASSERT_NE(job, 0);
  EXPECT_TRUE(g.fake.P(job).alive);
  EXPECT_GE(g.fake.ChildrenOf(g.kept).size(), 15u);  // started during the second of grace
  EXPECT_GE(g.fake.ChildrenOf(g.spawner).size(), 8u);
  EXPECT_EQ(g.SignalledOutsideTheChain(), std::vector<int>());
  EXPECT_EQ(acted.found[0].size(), 1u);
  EXPECT_TRUE(g.fake.AliveOfChain(1).empty());
}

TEST(ReapStopper, ProcessReparentedInTheKeptChainsOwnGroup_IsNotTaken) {
  SharedGroup g;
  g.fake.Setpgid(g.kept, g.kept);  // the kept copy leads a group, in the spawner's session
  g.ExpectKeptCopysOrphanUntouched();
}

TEST(ReapStopper, ProcessReparentedInTheSharedGroupAfterTheStoppedOnesThereExited_IsNotTaken) {
  SharedGroup g;
  g.fake.Setpgid(g.server, g.server);  // the only stopped process left runs in a group of its own
  g.ExpectKeptCopysOrphanUntouched();
}

TEST(ReapStopper, ChildForkedInTheHandlerIntoAGroupOfItsOwn_IsFoundByItsSession) {
  SharedGroup g;
  g.fake.P(g.stopped).term_child_own_group = true;  // `set -m`: a job in a group of its own
  const ReapActed acted = StopChains(g.Plan(), Options(), &g.fake);
  EXPECT_TRUE(g.fake.AliveOfChain(1).empty());
  ASSERT_EQ(acted.found[0].size(), 1u);
  EXPECT_EQ(acted.found[0][0].by, ReapFoundBy::kSession);
  EXPECT_EQ(acted.found[0][0].found_in, g.spawner);
  EXPECT_EQ(g.SignalledOutsideTheChain(), std::vector<int>());
}

TEST(ReapStopper, ChildForkedInTheHandlerIntoAnotherCgroup_IsLeftAlone) {
  SharedGroup g;
  g.fake.P(g.stopped).term_child_cgroup = "0::/user.slice/other.scope\n";
  const ReapPlan plan = g.Plan();
  const ReapActed acted = StopChains(plan, Options(), &g.fake);
  EXPECT_TRUE(acted.found[0].empty());
  const std::vector<int> left = g.fake.AliveOfChain(1);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_TRUE(g.fake.SignalsOf(left[0]).empty());
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 0);
}

TEST(ReapStopper, ChildForkedInTheHandlerBeyondTheLimit_IsIncomplete) {
  SharedGroup g;
  ReapStopOptions options = Options();
  options.max_found = 0;
  const ReapPlan plan = g.Plan();
  const ReapActed acted = StopChains(plan, options, &g.fake);
  EXPECT_TRUE(acted.found[0].empty());
  EXPECT_TRUE(acted.incomplete);
  EXPECT_EQ(g.fake.AliveOfChain(1).size(), 1u);
  EXPECT_EQ(ReapExitStatus(plan, acted, true), 1);
}

TEST(ReapStopper, DryRun_WouldSignalAllButProtected) {
  Incident in;
  in.Start();
  ReapPlan plan = PlanOf(in.fake, {{in.npm, in.sh, in.node}});
  plan.order[1].protected_reason = "procleak itself";
  const ReapActed acted = DryRunResults(plan);
  ASSERT_EQ(acted.planned.size(), 3u);
  EXPECT_EQ(acted.planned[0].outcome, ReapOutcome::kWouldSignal);
  EXPECT_EQ(acted.planned[1].detail, "protected: procleak itself");
  EXPECT_EQ(acted.found.size(), 1u);
  EXPECT_EQ(ReapExitStatus(plan, acted, false), 0);
  EXPECT_TRUE(in.fake.log().empty());
}

}  // namespace
}  // namespace procleak
