// SPDX-License-Identifier: Apache-2.0
// Issue 4's incident with real processes and no network (npm_chains_scenario.h stages it): a
// local npm package's bin started through `npm exec` every 0.3 s by a node spawner that never
// stops old copies, more copies orphaned when their own spawner exited, and a pre-forking pool
// beside them. `procleak scan --json` must group the copies with the right count, spawners and
// orphans, report them, and leave the pool alone.
#include <gtest/gtest.h>
#include <unistd.h>

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "live_processes.h"
#include "npm_chains_scenario.h"

namespace procleak::testing {
namespace {

using Json = nlohmann::json;

constexpr char kNotRun[] = "the scenario did not run: see NpmChains.SetUpTestSuite's failures";

// obj[key] when it is an array, else an empty one: lets a test iterate and point into the
// document without nlohmann's value() copying it.
const Json& Array(const Json& obj, const char* key) {
  static const Json kEmpty = Json::array();
  return obj.is_object() && obj.contains(key) && obj[key].is_array() ? obj[key] : kEmpty;
}

class NpmChains : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scenario_ = std::make_unique<Scenario>(RunNpmChainsScenario());
    std::cerr << "npm_chains: copies and pool ready after " << scenario_->ready_after.count()
              << " ms\n";
  }
  static void TearDownTestSuite() { scenario_.reset(); }

  void SetUp() override {
    if (!scenario_->skip.empty()) GTEST_SKIP() << scenario_->skip;
  }

  static const Scenario& S() { return *scenario_; }
  // For the tests that need the scan: false when setting up failed (reported in the suite).
  static bool Ran() { return scenario_->ran; }
  static const Json& Doc() { return scenario_->doc; }

  // The groups holding any of `pids` as a chain root.
  static std::vector<const Json*> GroupsWithRoots(const std::set<pid_t>& pids) {
    std::vector<const Json*> found;
    for (const Json& group : Array(Doc(), "groups")) {
      for (const Json& chain : Array(group, "chains")) {
        if (pids.count(chain.value("root_pid", 0)) != 0) {
          found.push_back(&group);
          break;
        }
      }
    }
    return found;
  }

  // The one group holding the copies, or null (after a failure).
  static const Json* CopiesGroup() {
    std::set<pid_t> roots;
    for (const ObservedChain& chain : S().chains) roots.insert(chain.root());
    std::vector<const Json*> groups = GroupsWithRoots(roots);
    EXPECT_EQ(groups.size(), 1u) << "groups holding the copies: "
                                 << Json(Doc().value("groups", Json()));
    return groups.size() == 1 ? groups.front() : nullptr;
  }

  // The finding of `kind` for `signature`, or null.
  static const Json* FindingFor(const std::string& kind, const std::string& signature) {
    for (const Json& finding : Array(Doc(), "findings")) {
      if (finding.value("kind", "") == kind && finding.value("signature", "") == signature) {
        return &finding;
      }
    }
    return nullptr;
  }

  // The container procleak puts the copies' processes in: null on a host, the id when the test
  // itself runs in a container (CI).
  static Json CopiesContainer() {
    for (const Json& process : Array(Doc(), "processes")) {
      if (process.value("pid", 0) == S().chains.front().root()) {
        return process.value("container", Json("<missing>"));
      }
    }
    ADD_FAILURE() << "copy " << S().chains.front().root() << " not in \"processes\"";
    return Json("<missing>");
  }

  // "npm exec fake-mcp-server > sh > node", from the levels seen in /proc.
  static std::string ExpectedSignature() {
    std::string signature = std::string("npm exec ") + kBin;
    const std::vector<LiveProcess>& levels = S().chains.front().levels;
    for (size_t i = 1; i < levels.size(); ++i) signature += " > " + Basename(levels[i].argv[0]);
    return signature;
  }

  static const ObservedChain* Observed(pid_t root) {
    for (const ObservedChain& chain : S().chains) {
      if (chain.root() == root) return &chain;
    }
    return nullptr;
  }

  static inline std::unique_ptr<Scenario> scenario_;
};

std::vector<pid_t> Pids(const ObservedChain& chain) {
  std::vector<pid_t> pids;
  for (const LiveProcess& level : chain.levels) pids.push_back(level.pid);
  return pids;
}

std::set<pid_t> PidSet(const Json& array) {
  std::set<pid_t> pids;
  if (array.is_array()) {
    for (const Json& pid : array) pids.insert(pid.get<pid_t>());
  }
  return pids;
}

TEST_F(NpmChains, RealCopies_AreNpmExecThenShThenNode) {
  ASSERT_TRUE(Ran()) << kNotRun;
  ASSERT_EQ(S().chains.size(), static_cast<size_t>(kCopies));
  for (const ObservedChain& chain : S().chains) {
    ASSERT_EQ(chain.levels.size(), 3u) << chain.root();
    // npm rewrites its title: one argument, padded with NULs that ReadLiveProcess drops.
    EXPECT_EQ(chain.levels[0].argv, std::vector<std::string>{"npm exec fake-mcp-server"});
    EXPECT_EQ(Basename(chain.levels[1].argv.at(0)), "sh");
    EXPECT_EQ(chain.levels[1].argv.at(1), "-c");
    EXPECT_EQ(Basename(chain.levels[2].argv.at(0)), "node");
    if (chain.orphaned) {
      EXPECT_NE(chain.levels[0].ppid, S().long_lived_spawner);
    } else {
      EXPECT_EQ(chain.levels[0].ppid, S().long_lived_spawner);
    }
  }
}

TEST_F(NpmChains, Scan_ExitsOneForTheLeakWithOneJsonDocument) {
  ASSERT_TRUE(Ran()) << kNotRun;
  EXPECT_EQ(S().scan_exit, 1) << S().scan_err;  // a warning finding with --fail-on warning
  EXPECT_EQ(S().scan_err, "");
  EXPECT_EQ(Doc().value("schema", ""), "procleak.scan/1");
}

TEST_F(NpmChains, CopiesGroup_CountsEveryCopyAsALeak) {
  ASSERT_TRUE(Ran()) << kNotRun;
  const Json* group = CopiesGroup();
  ASSERT_NE(group, nullptr);
  const std::string signature = group->value("signature", "");
  EXPECT_EQ(signature, ExpectedSignature());
  EXPECT_EQ(signature.rfind("npm exec", 0), 0u) << signature;
  EXPECT_NE(signature.find(kBin), std::string::npos) << signature;
  EXPECT_EQ(group->value("container", Json("<missing>")), CopiesContainer()) << *group;
  EXPECT_EQ(group->value("count", -1), kCopies) << *group;
  EXPECT_EQ(group->value("expected", Json()), 1) << "built-in rule: npm exec chains expect 1";
  EXPECT_EQ(group->value("classification", ""), "leak") << *group;
  EXPECT_FALSE(Array(*group, "evidence").empty()) << *group;
  EXPECT_GT(group->value("spawn_rate_per_hour", 0.0), 0.0) << *group;
  EXPECT_GT(group->value("rss_bytes", 0ull), 0ull) << *group;
  EXPECT_TRUE(group->contains("pss_bytes")) << *group;
}

TEST_F(NpmChains, CopiesGroup_ChainsAreTheCopiesOldestFirst) {
  ASSERT_TRUE(Ran()) << kNotRun;
  const Json* group = CopiesGroup();
  ASSERT_NE(group, nullptr);
  std::vector<pid_t> want_roots, got_roots;
  for (const ObservedChain& chain : S().chains) want_roots.push_back(chain.root());
  for (const Json& chain : Array(*group, "chains")) {
    const pid_t root = chain.value("root_pid", 0);
    got_roots.push_back(root);
    const ObservedChain* seen = Observed(root);
    ASSERT_NE(seen, nullptr) << "not a copy: " << chain;
    EXPECT_EQ(chain.value("pids", Json()), Json(Pids(*seen))) << "root then sh then node";
    EXPECT_TRUE(chain.value("started_at", Json()).is_string()) << chain;
    EXPECT_GT(chain.value("rss_bytes", 0ull), 0ull) << chain;
  }
  EXPECT_EQ(got_roots, want_roots);  // spawned 300 ms apart, orphaned ones first
}

TEST_F(NpmChains, CopiesGroup_NamesTheLongLivedSpawner) {
  ASSERT_TRUE(Ran()) << kNotRun;
  const Json* group = CopiesGroup();
  ASSERT_NE(group, nullptr);
  int from_spawner = 0;
  for (const Json& chain : Array(*group, "chains")) {
    const ObservedChain* seen = Observed(chain.value("root_pid", 0));
    ASSERT_NE(seen, nullptr);
    if (seen->orphaned) {
      EXPECT_NE(chain.value("spawner_pid", 0), S().long_lived_spawner) << chain;
      continue;
    }
    EXPECT_EQ(chain.value("spawner_pid", 0), S().long_lived_spawner) << chain;
    EXPECT_EQ(chain.value("orphaned", Json()), false) << chain;
    ++from_spawner;
  }
  EXPECT_EQ(from_spawner, kLongLivedCopies);
}

TEST_F(NpmChains, CopiesGroup_MarksTheReparentedCopiesOrphaned) {
  ASSERT_TRUE(Ran()) << kNotRun;
  if (S().orphan_parent != 1) {
    GTEST_SKIP() << "orphans went to subreaper " << S().orphan_parent << ", not PID 1";
  }
  const Json* group = CopiesGroup();
  ASSERT_NE(group, nullptr);
  int orphaned = 0;
  for (const Json& chain : Array(*group, "chains")) {
    const ObservedChain* seen = Observed(chain.value("root_pid", 0));
    ASSERT_NE(seen, nullptr);
    EXPECT_EQ(chain.value("orphaned", Json()), seen->orphaned) << chain;
    orphaned += seen->orphaned;
  }
  EXPECT_EQ(orphaned, kOrphanedCopies);
}

TEST_F(NpmChains, DuplicateFinding_ListsEveryCopyButTheNewest) {
  ASSERT_TRUE(Ran()) << kNotRun;
  const Json* group = CopiesGroup();
  ASSERT_NE(group, nullptr);
  const Json* finding = FindingFor("duplicate_chain", group->value("signature", ""));
  ASSERT_NE(finding, nullptr) << Json(Doc().value("findings", Json()));
  const std::string severity = finding->value("severity", "");
  EXPECT_TRUE(severity == "warning" || severity == "critical") << *finding;
  EXPECT_EQ(finding->value("container", Json("<missing>")), CopiesContainer()) << *finding;
  EXPECT_EQ(finding->value("count", -1), kCopies) << *finding;
  EXPECT_EQ(finding->value("expected", Json()), 1) << *finding;
  EXPECT_NE(finding->value("message", ""), "") << *finding;
  EXPECT_NE(finding->value("action", ""), "") << *finding;
  EXPECT_FALSE(Array(*finding, "evidence").empty()) << *finding;
  const std::set<pid_t> listed = PidSet(finding->value("pids", Json()));
  std::set<pid_t> all_copies;
  for (const ObservedChain& chain : S().chains) {
    for (pid_t pid : Pids(chain)) all_copies.insert(pid);
  }
  const ObservedChain& newest = S().chains.back();
  for (const ObservedChain& chain : S().chains) {
    if (&chain == &newest) {
      for (pid_t pid : Pids(chain)) EXPECT_EQ(listed.count(pid), 0u) << "newest copy " << pid;
    } else {
      EXPECT_EQ(listed.count(chain.root()), 1u) << "surplus copy " << chain.root();
    }
  }
  for (pid_t pid : listed) EXPECT_EQ(all_copies.count(pid), 1u) << "not a copy: " << pid;
}

TEST_F(NpmChains, OrphanedFinding_CountsTheReparentedCopies) {
  ASSERT_TRUE(Ran()) << kNotRun;
  if (S().orphan_parent != 1) {
    GTEST_SKIP() << "orphans went to subreaper " << S().orphan_parent << ", not PID 1";
  }
  const Json* group = CopiesGroup();
  ASSERT_NE(group, nullptr);
  const Json* finding = FindingFor("orphaned_chain", group->value("signature", ""));
  ASSERT_NE(finding, nullptr) << Json(Doc().value("findings", Json()));
  EXPECT_EQ(finding->value("count", -1), kOrphanedCopies) << *finding;
  const std::set<pid_t> listed = PidSet(finding->value("pids", Json()));
  std::set<pid_t> orphan_pids;
  for (const ObservedChain& chain : S().chains) {
    if (!chain.orphaned) continue;
    EXPECT_EQ(listed.count(chain.root()), 1u) << "orphaned copy " << chain.root();
    for (pid_t pid : Pids(chain)) orphan_pids.insert(pid);
  }
  for (pid_t pid : listed) EXPECT_EQ(orphan_pids.count(pid), 1u) << "not orphaned: " << pid;
}

TEST_F(NpmChains, Pool_IsClassifiedPoolAndNotFlagged) {
  ASSERT_TRUE(Ran()) << kNotRun;
  ASSERT_EQ(S().pool.size(), static_cast<size_t>(kPoolWorkers + 1));
  std::vector<const Json*> groups = GroupsWithRoots(S().pool);
  ASSERT_EQ(groups.size(), 1u) << "groups holding the pool: "
                               << Json(Doc().value("groups", Json()));
  const Json& pool = *groups.front();
  const int count = pool.value("count", -1);
  EXPECT_TRUE(count == kPoolWorkers || count == kPoolWorkers + 1) << pool;  // with the master?
  EXPECT_EQ(pool.value("classification", ""), "pool") << pool;
  for (const Json& chain : Array(pool, "chains")) {
    EXPECT_EQ(S().pool.count(chain.value("root_pid", 0)), 1u) << "not the pool's: " << chain;
  }
  const std::string signature = pool.value("signature", "");
  for (const Json& finding : Array(Doc(), "findings")) {
    if (finding.value("severity", "info") == "info") continue;
    EXPECT_NE(finding.value("signature", ""), signature) << finding;
    for (pid_t pid : PidSet(finding.value("pids", Json()))) {
      EXPECT_EQ(S().pool.count(pid), 0u) << "pool pid " << pid << " in " << finding;
    }
  }
}

TEST_F(NpmChains, Teardown_LeavesNothingTheTestStartedAlive) {
  EXPECT_TRUE(S().leftovers.empty()) << "reported in SetUpTestSuite";
  // What `ps -eo pid,args | grep -e fake-mcp -e spawn.js -e pool.py` would show; zombies
  // waiting for PID 1 to reap them are dead already.
  for (const LiveProcess& p : ReadAllLiveProcesses()) {
    const std::string args = Joined(p.argv);
    if (p.state == 'Z') continue;
    for (const char* ours : {kBin, "scenarios/spawn.js", "npm_chains/pool.py"}) {
      EXPECT_EQ(args.find(ours), std::string::npos) << p.pid << " " << args;
    }
  }
}

}  // namespace
}  // namespace procleak::testing
