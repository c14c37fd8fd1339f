// SPDX-License-Identifier: Apache-2.0
// Issue 15's live scenario suite (live_scenarios.h runs it): leaks of every shape the issue
// names (delayed wrappers, a restarting supervisor, a client's copies, python and shell leaks, a
// fast leak, a dead supervisor, pid namespaces) beside legitimate duplicates (pools, client
// sessions, ordinary processes, a daemon, look-alikes), all live at once under CPU load and
// checked against one `procleak scan --json`. Leaks must be one group each with exact counts,
// whole chains and exact findings; legitimate cases must get no finding at warning or above.
// A summary table goes to stdout at the end.
#include "live_scenarios.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>
#include <sstream>

#include "scenario_checks.h"

namespace procleak::testing {
namespace {

std::unique_ptr<SuiteRun> g_run;

// Runs the suite the first time a fixture needs it.
const SuiteRun& Suite() {
  if (!g_run) g_run = std::make_unique<SuiteRun>(RunLiveScenarios());
  return *g_run;
}

std::string Lines(const std::vector<std::string>& problems) {
  constexpr size_t kShown = 15;
  std::string out;
  for (size_t i = 0; i < problems.size() && i < kShown; ++i) out += "\n  - " + problems[i];
  if (problems.size() > kShown)
    out += "\n  ... and " + std::to_string(problems.size() - kShown) + " more";
  return out;
}

struct ScenarioId {
  std::string id;
  std::string name;
};

std::vector<ScenarioId> Ids(const Scenarios& scenarios) {
  std::vector<ScenarioId> ids;
  for (const std::unique_ptr<Scenario>& s : scenarios) ids.push_back({s->id, s->name});
  return ids;
}

void PrintTo(const ScenarioId& id, std::ostream* out) { *out << id.id; }

std::string TestName(const ::testing::TestParamInfo<ScenarioId>& info) {
  return info.param.id + "_" + info.param.name;
}

class LiveScenarios : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { Suite(); }
  void SetUp() override {
    if (!Suite().skip.empty()) GTEST_SKIP() << Suite().skip;
  }
};

// Tests of what the scan said.
class LiveScan : public LiveScenarios {
 protected:
  void SetUp() override {
    LiveScenarios::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(Suite().scanned) << "the suite did not get to its scan:" << Lines(Suite().problems);
  }
};

class LiveLeak : public LiveScan, public ::testing::WithParamInterface<ScenarioId> {
 protected:
  void SetUp() override {
    LiveScan::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    scenario_ = FindScenario(Suite(), GetParam().id);
    ASSERT_NE(scenario_, nullptr);
    ASSERT_TRUE(scenario_->ready) << GetParam().id << " did not come up";
    const std::string skipped = LeakChecksSkipped(*scenario_);
    if (!skipped.empty()) GTEST_SKIP() << skipped;
  }
  const Scenario* scenario_ = nullptr;
};

using LiveLegit = LiveLeak;

TEST_F(LiveScenarios, Harness_EveryScenarioCameUpAndHeldStillWhileScanned) {
  for (const std::unique_ptr<Scenario>& s : Suite().scenarios) {
    EXPECT_TRUE(s->ready) << s->id << " (" << s->shape << ") did not come up";
  }
  EXPECT_TRUE(Suite().problems.empty()) << Lines(Suite().problems);
}

TEST_F(LiveScan, Scan_ExitsOneWithOneJsonDocument) {
  EXPECT_EQ(Suite().scan.exit_code, 1) << "findings at warning or above: " << Suite().scan.err;
  EXPECT_EQ(Suite().scan.err, "");
  EXPECT_EQ(Suite().doc.value("schema", ""), "procleak.scan/1");
}

TEST_F(LiveScan, Processes_CarryGroupSessionTerminalAndNamespacePid) {
  size_t in_namespace = 0;
  for (const std::unique_ptr<Scenario>& s : Suite().scenarios) {
    const std::vector<std::string> problems = ProcessFieldProblems(*s, Suite().doc);
    EXPECT_TRUE(problems.empty()) << s->id << ":" << Lines(problems);
    in_namespace += s->ns_pids.size();
  }
  EXPECT_GT(in_namespace, 0u) << "no scenario process was seen in a nested pid namespace";
}

TEST_P(LiveLeak, Group_HoldsExactlyTheCopiesAsWholeChains) {
  const std::vector<std::string> problems = LeakGroupProblems(*scenario_, Suite().doc);
  EXPECT_TRUE(problems.empty()) << scenario_->id << " (" << scenario_->shape
                                << "):" << Lines(problems);
}

TEST_P(LiveLeak, Findings_NameExactlyTheSurplusAndTheOrphans) {
  const std::vector<std::string> problems = LeakFindingProblems(*scenario_, Suite().doc);
  EXPECT_TRUE(problems.empty()) << scenario_->id << " (" << scenario_->shape
                                << "):" << Lines(problems);
}

TEST_P(LiveLegit, RaisesNoWarningAndNoLeakGroup) {
  const std::vector<std::string> problems = LegitProblems(*scenario_, Suite().doc);
  EXPECT_TRUE(problems.empty()) << scenario_->id << " (" << scenario_->shape
                                << "):" << Lines(problems);
}

INSTANTIATE_TEST_SUITE_P(Scenarios, LiveLeak, ::testing::ValuesIn(Ids(LeakScenarios())), TestName);
INSTANTIATE_TEST_SUITE_P(Scenarios, LiveLegit, ::testing::ValuesIn(Ids(LegitScenarios())),
                         TestName);

TEST_F(LiveScan, Reap_StopsTheFourOldestDelayedChainsWholeAndKeepsTheNewest) {
  const ReapCheck& reap = Suite().reap;
  ASSERT_EQ(reap.skipped, "") << "reap was not applied";
  EXPECT_EQ(reap.apply.exit_code, 0) << reap.apply.out.substr(0, 2000) << reap.apply.err;
  EXPECT_TRUE(reap.stopped_alive.empty())
      << "still running after reap --apply: " << Json(reap.stopped_alive) << " of the stopped "
      << Json(reap.stopped) << "\n"
      << reap.apply.out.substr(0, 3000);
  EXPECT_TRUE(reap.kept_gone.empty()) << "the newest chain lost " << Json(reap.kept_gone);
}

TEST_F(LiveScenarios, Teardown_LeavesNothingAlive) {
  for (const LiveProcess& p : Suite().leftovers) {
    ADD_FAILURE() << "still alive after teardown: " << p.pid << " " << Joined(p.argv);
  }
  EXPECT_FALSE(Suite().markers.empty()) << "nothing to look for";
}

// The table the closing note quotes, printed once every test has run.
class Summary : public ::testing::Environment {
 public:
  void TearDown() override {
    if (!g_run || !g_run->scanned) return;
    const SuiteRun& run = *g_run;
    std::ostringstream out;
    out << "\nlive scenarios: all up after " << run.ready_after.count() / 1000.0
        << " s under load, whole run " << run.wall.count() / 1000.0 << " s\n";
    char row[1024];
    auto line = [&](const std::string& id, const std::string& verdict, const std::string& expected,
                    const std::string& found) {
      std::snprintf(row, sizeof(row), "%-4s %-8s %-52s %s\n", id.c_str(), verdict.c_str(),
                    expected.c_str(), found.c_str());
      out << row;
    };
    line("id", "verdict", "expected", "found (groups holding its processes; findings naming them)");
    int leaks = 0, exact_groups = 0, exact_findings = 0;
    std::set<size_t> legit_warnings;
    for (const std::unique_ptr<Scenario>& s : run.scenarios) {
      std::string verdict;
      if (!s->ready) {
        verdict = "not up";
      } else if (s->leak) {
        const std::string skipped = LeakChecksSkipped(*s);
        const bool group = LeakGroupProblems(*s, run.doc).empty();
        const bool findings = LeakFindingProblems(*s, run.doc).empty();
        verdict = !skipped.empty()    ? "skipped"
                  : group && findings ? "exact"
                  : group             ? "findings"
                                      : "wrong";
        exact_groups += skipped.empty() && group;
        exact_findings += skipped.empty() && group && findings;
      } else {
        const std::set<size_t> warnings = WarningsOn(*s, run.doc);
        legit_warnings.insert(warnings.begin(), warnings.end());
        verdict = LegitProblems(*s, run.doc).empty() ? "ok" : "wrong";
      }
      leaks += s->leak;
      line(s->id, verdict, s->ready ? Expected(*s) : "-", s->ready ? Found(*s, run.doc) : "-");
    }
    for (const std::unique_ptr<Scenario>& s : run.scenarios)
      out << s->id << ": " << s->shape << "\n";
    out << "leak groups in the suite: " << leaks << "; found as one group with exact counts and "
        << "whole chains: " << exact_groups << "; with exact findings too: " << exact_findings
        << "\nfindings at warning or above naming processes of legitimate cases: "
        << legit_warnings.size() << "\n";
    const ReapCheck& reap = run.reap;
    out << "reap --signature srv-delayed --apply: "
        << (!reap.skipped.empty()
                ? "not applied (" + reap.skipped + ")"
                : "exit " + std::to_string(reap.apply.exit_code) + ", " +
                      std::to_string(reap.stopped_alive.size()) + " of " +
                      std::to_string(reap.stopped.size()) + " stopped processes still running, " +
                      std::to_string(reap.kept_gone.size()) + " of " +
                      std::to_string(reap.kept.size()) + " kept ones gone")
        << "\n";
    std::cout << out.str() << std::flush;
  }
};

[[maybe_unused]] ::testing::Environment* const kSummary =
    ::testing::AddGlobalTestEnvironment(new Summary);

}  // namespace
}  // namespace procleak::testing
