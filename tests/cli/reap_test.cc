// SPDX-License-Identifier: Apache-2.0
// procleak reap, live: a spawner of this test's own starts four identical `sh -c` chains in two
// cycles; the dry run lists the three oldest and signals nothing, --apply stops exactly those,
// a chain that ended after planning is reported gone, one that ignores SIGTERM gets SIGKILL.
// Every run selects by a token unique to the test, so nothing else on the machine is selected;
// the spawner's process group (everything the test started) is killed in teardown.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "reap_live.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, ParseJson, Field, Spawner

std::string Script(const std::string& token, bool ignore_term = false) {
  return std::string(ignore_term ? "trap '' TERM; " : "") + ": " + token + "; sleep 120; true";
}

TEST(Reap, DryRun_ListsTheThreeOldestChainsAndSignalsNothing) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.roots().size(), 4u);
  ASSERT_EQ(spawner.leaves().size(), 4u);
  RunResult run = RunProcleak({"reap", "--json", "--signature", token});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json doc = ParseJson(run.out);
  EXPECT_EQ(Field(doc, "schema"), "procleak.reap/1");
  EXPECT_EQ(Field(doc, "mode"), "dry_run");
  ASSERT_EQ(Field(doc, "groups").size(), 1u) << run.out;
  const Json& g = Field(doc, "groups")[0];
  EXPECT_EQ(Field(g, "count"), 4);
  EXPECT_EQ(Field(g, "keep"), "1 newest (default)");
  ASSERT_EQ(Field(g, "kept").size(), 1u);
  EXPECT_EQ(Field(Field(g, "kept")[0], "root_pid"), spawner.roots()[3]);
  const std::vector<int> oldest(spawner.roots().begin(), spawner.roots().begin() + 3);
  EXPECT_EQ(StopRoots(doc), oldest);
  std::map<int, std::string> results = Results(doc);
  EXPECT_EQ(results.size(), 6u);
  for (const auto& [pid, result] : results) EXPECT_EQ(result, "would_signal") << pid;
  EXPECT_EQ(Field(doc, "order").size(), 6u);
  EXPECT_EQ(Field(Field(doc, "summary"), "would_signal"), 6);
  // The leaf of each chain comes before its root.
  const Json& first = Field(Field(g, "stop")[0], "processes");
  EXPECT_EQ(Field(first[0], "pid"), spawner.leaves()[0]);
  EXPECT_EQ(Field(first[1], "pid"), spawner.roots()[0]);
  EXPECT_EQ(Field(Field(g, "stop")[0], "reason"), "duplicate_chain: 4 copies where 1 expected");

  RunResult text = RunProcleak({"reap", "--signature", token});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("dry run"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("would signal 6 processes in 3 chains"), std::string::npos) << text.out;
  for (int root : spawner.roots()) EXPECT_TRUE(Alive(root)) << root;
  for (int leaf : spawner.leaves()) EXPECT_TRUE(Alive(leaf)) << leaf;
}

// A process reads the same in procleak.reap/1 as in procleak.scan/1: "starttime", "cmdline" as
// an array of arguments, the host's container null; both name the version that wrote them.
TEST(Reap, DryRun_SpellsProcessesAsTheScanDocumentDoes) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  RunResult reap = RunProcleak({"reap", "--json", "--signature", token});
  ASSERT_EQ(reap.exit_code, 0) << reap.err;
  RunResult scan = RunProcleak({"scan", "--json", "--pid", std::to_string(spawner.pid())});
  ASSERT_TRUE(scan.exit_code == 0 || scan.exit_code == 1) << scan.err;
  RunResult version = RunProcleak({"--version"});
  ASSERT_EQ(version.exit_code, 0) << version.err;
  Json doc = ParseJson(reap.out);
  EXPECT_EQ("procleak " + Field(doc, "procleak_version").get<std::string>() + "\n", version.out);
  std::map<int, Json> scanned;
  const Json scan_doc = ParseJson(scan.out);
  for (const Json& p : Field(scan_doc, "processes")) scanned[Field(p, "pid").get<int>()] = p;
  ASSERT_EQ(Field(doc, "groups").size(), 1u) << reap.out;
  const Json& g = Field(doc, "groups")[0];
  EXPECT_TRUE(Field(g, "container").is_null()) << g;
  size_t compared = 0;
  for (const Json& chain : Field(g, "stop")) {
    for (const Json& p : Field(chain, "processes")) {
      const int pid = Field(p, "pid").get<int>();
      EXPECT_FALSE(p.contains("starttime_ticks") || p.contains("argv")) << p;
      ASSERT_TRUE(scanned.count(pid)) << pid;
      EXPECT_EQ(Field(p, "starttime"), Field(scanned[pid], "starttime")) << pid;
      EXPECT_EQ(Field(p, "starttime"), ReadIdentity(pid)->starttime) << pid;
      EXPECT_EQ(Field(p, "cmdline"), Field(scanned[pid], "cmdline")) << pid;
      ++compared;
    }
  }
  EXPECT_EQ(compared, 6u);
  // The root of each chain is `sh -c SCRIPT`: three arguments, the script whole.
  const Json& first = Field(Field(g, "stop")[0], "processes");
  EXPECT_EQ(Field(first[1], "cmdline"), Json({"sh", "-c", Script(token)})) << first[1];
}

TEST(Reap, Apply_StopsExactlyTheSurplusChains) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  RunResult run = RunProcleak({"reap", "--json", "--apply", "--signature", token});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  Json doc = ParseJson(run.out);
  EXPECT_EQ(Field(doc, "mode"), "apply");
  const std::vector<int> oldest(spawner.roots().begin(), spawner.roots().begin() + 3);
  EXPECT_EQ(StopRoots(doc), oldest);
  for (const auto& [pid, result] : Results(doc)) {
    // A wrapper whose child was signalled first may have exited by itself before its turn.
    EXPECT_TRUE(result == "terminated" || result == "gone") << pid << " " << result;
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] { return !Alive(spawner.roots()[i]) && !Alive(spawner.leaves()[i]); },
                        std::chrono::seconds(5)))
        << i;
  }
  EXPECT_TRUE(Alive(spawner.roots()[3]));
  EXPECT_TRUE(Alive(spawner.leaves()[3]));
  EXPECT_TRUE(Alive(spawner.pid()));
  // Neither the spawner nor the kept chain was stopped, continued or asked to terminate.
  EXPECT_EQ(spawner.Signals(), std::vector<int>());
  EXPECT_EQ(ReadIdentity(spawner.roots()[3])->state, 'S');
  EXPECT_EQ(ReadIdentity(spawner.leaves()[3])->state, 'S');
  for (int i = 0; i < 3; ++i) EXPECT_EQ(spawner.AliveOfCopy(i), std::vector<int>()) << i;
}

TEST(Reap, Apply_ChainEndedAfterPlanning_IsReportedGone) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  // The oldest chain ends between planning and acting.
  PausedReap reap = RunReapPaused({"--signature", token}, [&] {
    kill(spawner.leaves()[0], SIGKILL);
    kill(spawner.roots()[0], SIGKILL);
    EXPECT_TRUE(WaitFor([&] { return !Alive(spawner.roots()[0]) && !Alive(spawner.leaves()[0]); },
                        std::chrono::seconds(5)));
  });
  EXPECT_EQ(reap.exit_code, 0);
  const Json& doc = reap.doc;
  std::map<int, std::string> results = Results(doc);
  EXPECT_EQ(results[spawner.roots()[0]], "gone");
  EXPECT_EQ(results[spawner.leaves()[0]], "gone");
  EXPECT_EQ(results[spawner.leaves()[1]], "terminated");
  EXPECT_EQ(results[spawner.leaves()[2]], "terminated");
  EXPECT_TRUE(Alive(spawner.leaves()[3]));
}

TEST(Reap, Apply_ProcessIgnoringTerm_IsKilledAfterGrace) {
  const std::string token = Token();
  Spawner spawner(Script(token, /*ignore_term=*/true));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  const auto start = std::chrono::steady_clock::now();
  RunResult run = RunProcleak({"reap", "--json", "--apply", "--grace", "1", "--signature", token});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_GE(took, std::chrono::seconds(1));
  Json doc = ParseJson(run.out);
  std::map<int, std::string> results = Results(doc);
  ASSERT_EQ(results.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(results[spawner.leaves()[i]], "killed") << i;
    // Its sh may exit by itself between its child's SIGKILL and its own.
    EXPECT_TRUE(results[spawner.roots()[i]] == "killed" ||
                results[spawner.roots()[i]] == "terminated")
        << i << " " << results[spawner.roots()[i]];
  }
  EXPECT_GE(Field(Field(doc, "summary"), "killed"), 3);
  EXPECT_TRUE(Alive(spawner.leaves()[3]));
  EXPECT_TRUE(Alive(spawner.pid()));
}

TEST(Reap, Pid_StopsOnlyTheChainHoldingIt) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  RunResult run = RunProcleak({"reap", "--json", "--signature", token, "--pid",
                               std::to_string(spawner.leaves()[1]), "--apply"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(StopRoots(ParseJson(run.out)), std::vector<int>({spawner.roots()[1]}));
  EXPECT_TRUE(WaitFor([&] { return !Alive(spawner.leaves()[1]); }, std::chrono::seconds(5)));
  for (int i : {0, 2, 3}) EXPECT_TRUE(Alive(spawner.leaves()[i])) << i;
}

TEST(Reap, DryRunOnFixture_PlansTheIncidentsSurplusCopies) {
  RunResult run = RunProcleak({"reap", "--json", "--root", DataDir("incident"), "--container",
                               "mcp-hub", "--signature", "server-filesystem"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json doc = ParseJson(run.out);
  ASSERT_EQ(Field(doc, "groups").size(), 1u) << run.out;
  const Json& g = Field(doc, "groups")[0];
  EXPECT_EQ(Field(g, "container_name"), "mcp-hub");
  EXPECT_EQ(Field(g, "expected"), 1);
  EXPECT_EQ(Field(g, "keep"), "1 newest (expected count)");
  EXPECT_EQ(Field(g, "stop").size(), Field(g, "count").get<size_t>() - 1);
  EXPECT_EQ(Field(Field(doc, "summary"), "skipped"), 0);
}

TEST(Reap, ApplyWithRoot_IsAUsageError) {
  RunResult run = RunProcleak({"reap", "--apply", "--root", "/tmp"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--apply"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace procleak
