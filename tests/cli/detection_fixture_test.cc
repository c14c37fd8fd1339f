// SPDX-License-Identifier: Apache-2.0
// Issue 15's shapes in containers and host services, as a fixture tree (tests/data/detection,
// made by tests/data/detection_fixture.py): each container or service holds one shape, and the
// scan must find every leak with its exact copies and lineage, and nothing in the legitimate ones.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, ...

const Json& Doc() {
  static const Json doc = [] {
    RunResult run = RunProcleak({"scan", "--root", DataDir("detection"), "--json"});
    EXPECT_EQ(run.err, "");
    EXPECT_EQ(run.exit_code, 1);  // warnings
    return ParseJson(run.out);
  }();
  return doc;
}

std::string ContainerId(const std::string& name) {
  for (const Json& c : Field(Doc(), "containers")) {
    if (c["name"] == name) return c["id"].get<std::string>();
  }
  return "";
}

// The groups holding a chain rooted at one of `roots`.
std::vector<const Json*> GroupsOf(const std::set<int>& roots) {
  std::vector<const Json*> out;
  for (const Json& g : Field(Doc(), "groups")) {
    for (const Json& c : Field(g, "chains")) {
      if (roots.count(c["root_pid"].get<int>()) > 0) {
        out.push_back(&g);
        break;
      }
    }
  }
  return out;
}

std::set<int> RootsOf(const Json& g) {
  std::set<int> out;
  for (const Json& c : Field(g, "chains")) out.insert(c["root_pid"].get<int>());
  return out;
}

std::set<int> PidsOf(const Json& finding) {
  std::set<int> out;
  for (const Json& p : Field(finding, "pids")) out.insert(p.get<int>());
  return out;
}

// Chain findings about the group `g` (by its signature and spawner).
std::vector<const Json*> FindingsAbout(const Json& g, const std::string& kind) {
  std::vector<const Json*> out;
  for (const Json& f : Field(Doc(), "findings")) {
    if (f["kind"] == kind && f["signature"] == g["signature"] && f["container"] == g["container"] &&
        f["cgroup"] == g["cgroup"] && f["spawner_pid"] == g["spawner_pid"]) {
      out.push_back(&f);
    }
  }
  return out;
}

bool HasEvidence(const Json& g, const std::string& part) {
  for (const Json& e : Field(g, "evidence")) {
    if (e.get<std::string>().find(part) != std::string::npos) return true;
  }
  return false;
}

// Warnings or worse that name any of `pids`.
std::vector<std::string> WarningsNaming(const std::set<int>& pids) {
  std::vector<std::string> out;
  for (const Json& f : Field(Doc(), "findings")) {
    if (f["severity"] == "info") continue;
    for (int pid : PidsOf(f)) {
      if (pids.count(pid) > 0 && f["kind"] != "no_memory_limit") {
        out.push_back(f["message"].get<std::string>());
        break;
      }
    }
  }
  return out;
}

std::set<int> Range(int first, int count, int step = 1) {
  std::set<int> out;
  for (int i = 0; i < count; ++i) out.insert(first + i * step);
  return out;
}

TEST(Detection, RestartedGateway_OwnsTheCopiesItsFirstInstanceLeftUnderTini) {
  const std::set<int> roots = {1100, 1103, 1200, 1203, 1206};
  std::vector<const Json*> groups = GroupsOf(roots);
  ASSERT_EQ(groups.size(), 1u);
  const Json& g = *groups[0];
  EXPECT_EQ(RootsOf(g), roots);
  EXPECT_EQ(g["container"], ContainerId("gateway"));
  EXPECT_EQ(g["origin"], "spawner");
  EXPECT_EQ(g["spawner_pid"], 1020);
  EXPECT_EQ(g["classification"], "leak");
  for (const Json& c : Field(g, "chains")) {
    EXPECT_EQ(Field(c, "pids").size(), 3u);
    EXPECT_EQ(c["orphaned"], c["root_pid"].get<int>() < 1200) << c;
  }
  EXPECT_TRUE(HasEvidence(g, "spawned by pid 1020 (ns pid 8)")) << g["evidence"];
  EXPECT_TRUE(HasEvidence(g, "2 copies were left behind by earlier instances")) << g["evidence"];
  EXPECT_TRUE(HasEvidence(g, "reparented to pid 1010 (ns pid 1)")) << g["evidence"];
  std::vector<const Json*> orphans = FindingsAbout(g, "orphaned_chain");
  ASSERT_EQ(orphans.size(), 1u);
  std::set<int> orphan_pids = Range(1100, 6);
  EXPECT_EQ(PidsOf(*orphans[0]), orphan_pids);
  std::vector<const Json*> dups = FindingsAbout(g, "duplicate_chain");
  ASSERT_EQ(dups.size(), 1u);
  std::set<int> surplus = Range(1100, 6);
  for (int pid : Range(1200, 6)) surplus.insert(pid);
  EXPECT_EQ(PidsOf(*dups[0]), surplus);  // the newest chain (1206) is kept
}

TEST(Detection, ApplicationAsTheContainersInit_IsTheSpawnerOfItsCopies) {
  std::vector<const Json*> groups = GroupsOf({2100, 2101, 2102});
  ASSERT_EQ(groups.size(), 1u);
  const Json& g = *groups[0];
  EXPECT_EQ(RootsOf(g), Range(2100, 3));
  EXPECT_EQ(g["origin"], "spawner");
  EXPECT_EQ(g["spawner_pid"], 2010);
  EXPECT_EQ(g["classification"], "leak");
  EXPECT_TRUE(HasEvidence(g, "the container's init")) << g["evidence"];
  for (const Json& c : Field(g, "chains")) EXPECT_FALSE(c["orphaned"].get<bool>());
  ASSERT_EQ(FindingsAbout(g, "duplicate_chain").size(), 1u);
  EXPECT_EQ(PidsOf(*FindingsAbout(g, "duplicate_chain")[0]), (std::set<int>{2100, 2101}));
}

TEST(Detection, ClientSessionsWithOneServerEach_AreNoFinding) {
  std::set<int> pids;
  for (int client : {3100, 3200, 3300}) {
    for (int pid :
         {client, client + 10, client + 11, client + 12, client + 20, client + 21, client + 22}) {
      pids.insert(pid);
    }
    // Each server is its client's only copy: a group of one, not listed.
    EXPECT_TRUE(GroupsOf({client + 10}).empty()) << client;
    EXPECT_TRUE(GroupsOf({client + 20}).empty()) << client;
  }
  EXPECT_EQ(WarningsNaming(pids), std::vector<std::string>());
  std::vector<const Json*> sessions = GroupsOf({3100, 3200, 3300});
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ((*sessions[0])["classification"], "pool");
  EXPECT_TRUE(HasEvidence(*sessions[0], "terminal session")) << (*sessions[0])["evidence"];
}

TEST(Detection, AnEntrypointShellsOwnJobs_AreAPool) {
  std::vector<const Json*> groups = GroupsOf({4020, 4021});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ((*groups[0])["origin"], "init");
  EXPECT_EQ((*groups[0])["classification"], "pool");
  EXPECT_EQ(WarningsNaming({4020, 4021}), std::vector<std::string>());
}

TEST(Detection, CopiesCatatonitAdopted_AreOrphanedWithTheProcessGroupTheyWereLeftIn) {
  std::vector<const Json*> groups = GroupsOf({5100, 5101, 5102});
  ASSERT_EQ(groups.size(), 1u);
  const Json& g = *groups[0];
  EXPECT_EQ(RootsOf(g), Range(5100, 3));
  EXPECT_EQ(g["origin"], "gone");
  EXPECT_EQ(g["spawner_pid"], nullptr);
  EXPECT_EQ(g["process_group"], 5050);
  EXPECT_EQ(g["classification"], "leak");
  EXPECT_TRUE(HasEvidence(g, "spawner gone: reparented to pid 5010 (ns pid 1)")) << g["evidence"];
  EXPECT_TRUE(FindingsAbout(g, "duplicate_chain").empty());
  ASSERT_EQ(FindingsAbout(g, "orphaned_chain").size(), 1u);
  EXPECT_EQ(PidsOf(*FindingsAbout(g, "orphaned_chain")[0]), Range(5100, 3));
}

TEST(Detection, KubernetesSupervisorStartingASessionServerEveryTwoSeconds_IsALeak) {
  std::vector<const Json*> groups = GroupsOf({6100, 6101, 6102, 6103});
  ASSERT_EQ(groups.size(), 1u);
  const Json& g = *groups[0];
  EXPECT_EQ(RootsOf(g), Range(6100, 4));
  EXPECT_EQ(g["signature"], "python3 /srv/server.py --session");
  EXPECT_EQ(g["spawner_pid"], 6010);
  EXPECT_EQ(g["classification"], "leak");
  EXPECT_TRUE(HasEvidence(g, "started in 4 separate spawn events")) << g["evidence"];
  EXPECT_EQ(PidsOf(*FindingsAbout(g, "duplicate_chain").at(0)), Range(6100, 3));
}

TEST(Detection, OneJobPerAgentInTwoServices_IsNoGroup) {
  EXPECT_TRUE(GroupsOf({7001}).empty());
  EXPECT_TRUE(GroupsOf({7101}).empty());
  EXPECT_EQ(WarningsNaming({7000, 7001, 7100, 7101}), std::vector<std::string>());
}

TEST(Detection, WorkersADeadStartScriptLeftInAService_AreOrphanedInThatCgroupOnly) {
  std::vector<const Json*> groups = GroupsOf({7200, 7201, 7202});
  ASSERT_EQ(groups.size(), 1u);
  const Json& g = *groups[0];
  EXPECT_EQ(g["container"], nullptr);
  EXPECT_EQ(g["cgroup"], "/system.slice/legacy.service");
  EXPECT_EQ(g["origin"], "gone");
  EXPECT_EQ(g["process_group"], 7190);
  EXPECT_EQ(PidsOf(*FindingsAbout(g, "orphaned_chain").at(0)), Range(7200, 3));
}

TEST(Detection, TerminalMultiplexersShells_AreAPool) {
  std::vector<const Json*> groups = GroupsOf({7310, 7320, 7330});
  ASSERT_EQ(groups.size(), 1u);
  EXPECT_EQ((*groups[0])["classification"], "pool");
  EXPECT_EQ(WarningsNaming(Range(7310, 3, 10)), std::vector<std::string>());
}

TEST(Detection, EveryChainFindingIsAboutALeakGroup) {
  int chain_findings = 0;
  for (const Json& f : Field(Doc(), "findings")) {
    if (f["kind"] != "duplicate_chain" && f["kind"] != "orphaned_chain") continue;
    ++chain_findings;
    bool about_leak = false;
    for (const Json& g : Field(Doc(), "groups")) {
      if (g["signature"] == f["signature"] && g["spawner_pid"] == f["spawner_pid"] &&
          g["container"] == f["container"] && g["cgroup"] == f["cgroup"]) {
        about_leak = g["classification"] == "leak";
      }
    }
    EXPECT_TRUE(about_leak) << f["message"];
  }
  EXPECT_EQ(chain_findings, 6);  // gateway 2; appinit, ingest, sessions and legacy 1 each
}

}  // namespace
}  // namespace procleak
