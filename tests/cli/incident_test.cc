// SPDX-License-Identifier: Apache-2.0
// The incident procleak exists for, as a fixture tree (tests/data/incident, made by
// tests/data/incident_fixture.py): container mcp-hub without a memory limit holds 203 copies of
// nine `npm exec <server>` -> `sh -c` -> `node` chains where nine belong; the 8 oldest copies of
// each were orphaned to tini when the gateway that started them died. Beside it: web (an nginx
// pool), db (postgres) and worker (restart-looping, no process now).
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <string>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, FindBy, ...

// The nine servers as the fixture starts them, with the copies each has.
struct Server {
  std::string signature;
  int copies;
};
const std::vector<Server> kServers = {
    {"npm exec @modelcontextprotocol/server-filesystem > sh > node", 24},
    {"npm exec @modelcontextprotocol/server-github > sh > node", 23},
    {"npm exec @modelcontextprotocol/server-memory > sh > node", 23},
    {"npm exec @modelcontextprotocol/server-puppeteer > sh > node", 23},
    {"npm exec @modelcontextprotocol/server-sequential-thinking > sh > node", 22},
    {"npm exec @modelcontextprotocol/server-brave-search > sh > node", 22},
    {"npm exec @upstash/context7-mcp > sh > node", 22},  // "@latest" dropped
    {"npm exec @playwright/mcp > sh > node", 22},        // "@0.0.29" dropped
    {"npm exec tavily-mcp > sh > node", 22},
};
constexpr int kOrphanedCopies = 8;  // cycles 0..7, started by the gateway that died
constexpr int kTini = 2000;         // mcp-hub's init (container pid 1)
constexpr int kGateway = 2010;      // the gateway running now

struct Scan {
  RunResult run;
  Json doc;
};

Scan IncidentJson(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"scan", "--root", DataDir("incident"), "--json"};
  args.insert(args.end(), extra.begin(), extra.end());
  Scan scan{RunProcleak(args), Json()};
  EXPECT_EQ(scan.run.err, "");
  scan.doc = ParseJson(scan.run.out);
  return scan;
}

const Json& Container(const Json& doc, const std::string& name) {
  static const Json kNone;
  const Json* c = FindBy(Field(doc, "containers"), "name", name);
  EXPECT_NE(c, nullptr) << "no container named " << name;
  return c ? *c : kNone;
}

std::map<int, const Json*> ProcessesByPid(const Json& doc) {
  std::map<int, const Json*> out;
  for (const Json& p : Field(doc, "processes")) out[p["pid"].get<int>()] = &p;
  return out;
}

std::vector<const Json*> FindingsOf(const Json& doc, const std::string& kind) {
  std::vector<const Json*> out;
  for (const Json& f : Field(doc, "findings")) {
    if (f["kind"] == kind) out.push_back(&f);
  }
  return out;
}

TEST(Incident, ContainersComeFromCgroupPathsAndDockerStateFiles) {
  Scan scan = IncidentJson();
  const Json& hub = Container(scan.doc, "mcp-hub");
  EXPECT_EQ(hub["runtime"], "docker");
  EXPECT_EQ(hub["cgroup"], "/system.slice/docker-" + hub["id"].get<std::string>() + ".scope");
  EXPECT_EQ(hub["memory_bytes"], 83107364864u);      // memory.current of its scope
  EXPECT_TRUE(hub["memory_limit_bytes"].is_null());  // memory.max "max", hostconfig Memory 0
  EXPECT_EQ(hub["restart_count"], 0);
  EXPECT_EQ(hub["processes"], 2 + 203 * 3);  // tini, the gateway, 203 three-process chains
  EXPECT_EQ(hub["init_pid"], kTini);

  const Json& web = Container(scan.doc, "web");
  EXPECT_EQ(web["memory_limit_bytes"], 536870912u);
  EXPECT_EQ(web["processes"], 5);

  const Json& worker = Container(scan.doc, "worker");
  EXPECT_EQ(worker["restart_count"], 37);
  EXPECT_EQ(worker["state"], "restarting");
  EXPECT_EQ(worker["processes"], 0);  // between restarts: seen only through its state files
  EXPECT_EQ(Field(scan.doc, "containers").size(), 4u);

  // Every process in a container scope carries the container's id; host processes none.
  auto procs = ProcessesByPid(scan.doc);
  EXPECT_EQ((*procs[3001])["container"], hub["id"]);
  EXPECT_EQ((*procs[1421])["container"], web["id"]);
  EXPECT_TRUE((*procs[712])["container"].is_null());  // dockerd
}

TEST(Incident, NineLeakGroupsWithTheirCopiesExpectedOneEach) {
  Scan scan = IncidentJson();
  const std::string hub = Container(scan.doc, "mcp-hub")["id"];
  for (const Server& s : kServers) {
    SCOPED_TRACE(s.signature);
    const Json* g = FindBy(Field(scan.doc, "groups"), "signature", s.signature);
    ASSERT_NE(g, nullptr);
    EXPECT_EQ((*g)["container"], hub);
    EXPECT_EQ((*g)["count"], s.copies);
    EXPECT_EQ((*g)["expected"], 1);
    EXPECT_EQ((*g)["classification"], "leak");
    EXPECT_EQ((*g)["chains"].size(), static_cast<size_t>(s.copies));
    int orphaned = 0;
    for (const Json& c : (*g)["chains"]) {
      EXPECT_EQ(c["pids"].size(), 3u);  // npm exec, sh -c, node
      EXPECT_EQ(c["spawner_pid"], c["orphaned"].get<bool>() ? kTini : kGateway);
      orphaned += c["orphaned"].get<bool>();
    }
    EXPECT_EQ(orphaned, kOrphanedCopies);
  }
}

TEST(Incident, ChainsAreOldestFirstThirtyMinutesApartWithTheirProcessesRss) {
  Scan scan = IncidentJson();
  const Json* g = FindBy(Field(scan.doc, "groups"), "signature", kServers[0].signature);
  ASSERT_NE(g, nullptr);
  const Json& chains = (*g)["chains"];
  ASSERT_EQ(chains.size(), 24u);
  EXPECT_EQ(chains[0]["root_pid"], 3000);
  EXPECT_EQ(chains[0]["pids"], Json({3000, 3001, 3002}));
  EXPECT_EQ(chains[0]["started_at"], "2026-11-19T09:01:00Z");  // boot + 27 h + 60 s
  EXPECT_EQ(chains[1]["started_at"], "2026-11-19T09:31:00Z");
  EXPECT_EQ(chains[23]["root_pid"], 3606);
  EXPECT_GT((*g)["spawn_rate_per_hour"].get<double>(), 1.9);  // two per hour
  EXPECT_LT((*g)["spawn_rate_per_hour"].get<double>(), 2.2);

  auto procs = ProcessesByPid(scan.doc);
  uint64_t group_rss = 0;
  for (const Json& c : chains) {
    uint64_t rss = 0;
    for (int pid : c["pids"]) rss += (*procs[pid])["rss_bytes"].get<uint64_t>();
    EXPECT_EQ(c["rss_bytes"], rss) << c["root_pid"];
    EXPECT_TRUE(c["pss_bytes"].is_null());  // only with --pss
    group_rss += rss;
  }
  EXPECT_EQ((*g)["rss_bytes"], group_rss);
}

TEST(Incident, DuplicateFindingsStopTheSurplusOldestFirstKeepingTheNewest) {
  Scan scan = IncidentJson();
  auto dups = FindingsOf(scan.doc, "duplicate_chain");
  ASSERT_EQ(dups.size(), kServers.size());
  const Json* fs = nullptr;
  for (const Json* f : dups) {
    EXPECT_EQ((*f)["severity"], "critical");  // 21 or more surplus copies each
    if ((*f)["signature"] == kServers[0].signature) fs = f;
  }
  ASSERT_NE(fs, nullptr);
  EXPECT_EQ((*fs)["count"], 24);
  EXPECT_EQ((*fs)["expected"], 1);
  ASSERT_EQ((*fs)["pids"].size(), 23u * 3);
  EXPECT_EQ((*fs)["pids"][0], 3000);
  for (const Json& pid : (*fs)["pids"]) EXPECT_NE(pid, 3606) << "the newest copy is kept";
  const std::string action = (*fs)["action"];
  EXPECT_NE(action.find("kill -TERM 3002 3001 3000 3029 3028 3027 "), std::string::npos) << action;
  EXPECT_EQ(action.find("3606"), std::string::npos);
}

TEST(Incident, OrphanedChainsNameTheirReaperAndTheOtherFindingsTheirContainers) {
  Scan scan = IncidentJson();
  EXPECT_EQ(scan.run.exit_code, 1);  // findings at warning or above
  auto orphaned = FindingsOf(scan.doc, "orphaned_chain");
  ASSERT_EQ(orphaned.size(), kServers.size());
  for (const Json* f : orphaned) {
    EXPECT_EQ((*f)["severity"], "warning");
    EXPECT_EQ((*f)["count"], kOrphanedCopies);
    EXPECT_EQ((*f)["pids"].size(), kOrphanedCopies * 3u);
  }
  const std::string hub = Container(scan.doc, "mcp-hub")["id"];
  const std::string worker = Container(scan.doc, "worker")["id"];
  auto limits = FindingsOf(scan.doc, "no_memory_limit");
  const Json* hub_limit = nullptr;
  for (const Json* f : limits) {
    if ((*f)["container"] == hub) hub_limit = f;
  }
  ASSERT_NE(hub_limit, nullptr);
  EXPECT_EQ((*hub_limit)["severity"], "warning");
  EXPECT_NE((*hub_limit)["action"].get<std::string>().find("mem_limit"), std::string::npos);

  auto loops = FindingsOf(scan.doc, "restart_loop");
  ASSERT_EQ(loops.size(), 1u);
  EXPECT_EQ((*loops[0])["container"], worker);
  EXPECT_EQ((*loops[0])["severity"], "critical");  // restarting right now
  EXPECT_EQ((*loops[0])["count"], 37);

  // Healthy neighbours: nothing at warning or above for web (nginx pool) or db (postgres).
  const std::string web = Container(scan.doc, "web")["id"];
  const std::string db = Container(scan.doc, "db")["id"];
  for (const Json& f : Field(scan.doc, "findings")) {
    if (f["container"] == web || f["container"] == db) {
      EXPECT_EQ(f["severity"], "info") << f;
    }
  }
  const Json* nginx = FindBy(Field(scan.doc, "groups"), "signature", "nginx: worker process");
  ASSERT_NE(nginx, nullptr);
  EXPECT_EQ((*nginx)["classification"], "pool");
  EXPECT_EQ((*nginx)["count"], 4);
}

TEST(Incident, CopiesKeepTheProcessGroupOfTheGatewayThatStartedThem) {
  // tini (mcp-hub's init, a session leader) made each gateway instance a process group; the
  // copies the first instance (host pid 2005, gone; container pid 7) started keep its group.
  Scan scan = IncidentJson({"--fail-on", "never"});
  const std::map<int, const Json*> procs = ProcessesByPid(scan.doc);
  ASSERT_TRUE(procs.contains(kTini) && procs.contains(kGateway));
  EXPECT_EQ((*procs.at(kTini))["pgid"], kTini);
  EXPECT_EQ((*procs.at(kTini))["sid"], kTini);
  EXPECT_EQ((*procs.at(kTini))["ns_pid"], 1);
  EXPECT_EQ((*procs.at(kGateway))["pgid"], kGateway);
  EXPECT_EQ((*procs.at(kGateway))["sid"], kTini);
  EXPECT_EQ((*procs.at(kGateway))["ns_pid"], 31);
  EXPECT_FALSE(procs.contains(2005));
  std::map<int, int> by_group;  // chain processes per process group
  for (const auto& [pid, p] : procs) {
    if (pid < 3000) continue;
    SCOPED_TRACE(pid);
    EXPECT_EQ((*p)["sid"], kTini);
    EXPECT_EQ((*p)["tty_nr"], 0);
    EXPECT_EQ((*p)["ns_pid"], pid - 3000 + 40);
    const int pgid = (*p)["pgid"];
    ++by_group[pgid];
    // An orphaned npm exec (reparented to tini) is in the dead gateway's group, a live one in
    // the running gateway's.
    if ((*p)["ppid"] == kTini) {
      EXPECT_EQ(pgid, 2005);
    } else if ((*p)["ppid"] == kGateway) {
      EXPECT_EQ(pgid, kGateway);
    }
  }
  const int copies = 24 + 23 * 3 + 22 * 5;
  EXPECT_EQ(by_group, (std::map<int, int>{{2005, kOrphanedCopies * 9 * 3},
                                          {kGateway, (copies - kOrphanedCopies * 9) * 3}}));
}

TEST(Incident, PssIsReadWithThePssOption) {
  Scan scan = IncidentJson({"--pss"});
  const Json* g = FindBy(Field(scan.doc, "groups"), "signature", kServers[0].signature);
  ASSERT_NE(g, nullptr);
  auto procs = ProcessesByPid(scan.doc);
  const Json& first = (*g)["chains"][0];
  // smaps_rollup Pss: npm RSS - 27 MiB, sh RSS - 700 KiB, node RSS - 25 MiB.
  uint64_t rss = first["rss_bytes"];
  EXPECT_EQ(first["pss_bytes"], rss - (27u << 20) - (700u << 10) - (25u << 20));
  EXPECT_LT((*g)["pss_bytes"].get<uint64_t>(), (*g)["rss_bytes"].get<uint64_t>());
  EXPECT_EQ((*procs[3000])["pss_bytes"], (*procs[3000])["rss_bytes"].get<uint64_t>() - (27u << 20));
  EXPECT_TRUE((*procs[2])["pss_bytes"].is_null());  // kthreadd has no smaps_rollup
}

TEST(Incident, FailOnChoosesTheSeverityThatFails) {
  EXPECT_EQ(IncidentJson({"--fail-on", "never"}).run.exit_code, 0);
  EXPECT_EQ(IncidentJson({"--fail-on", "critical"}).run.exit_code, 1);
  // Without the leak and the restart loop, the healthy containers alone exit 0.
  TempTree rules;
  rules.Write("ok.rules",
              "# the operator decides these are fine\n"
              "ignore signature \"^npm exec \"\n"
              "threshold restart_loop_count 100\n");
  Scan scan = IncidentJson({"--rules", rules.Path("ok.rules"), "--fail-on", "critical"});
  EXPECT_EQ(scan.run.exit_code, 0) << scan.run.out.substr(0, 2000);
  EXPECT_TRUE(FindingsOf(scan.doc, "duplicate_chain").empty());
  EXPECT_TRUE(FindingsOf(scan.doc, "restart_loop").empty());
}

TEST(Incident, RulesOverrideTheBuiltInExpectationAndClassification) {
  TempTree rules;
  rules.Write("mcp.rules",
              "expect signature \"server-filesystem\" count=24 container=^mcp-hub$\n"
              "pool signature \"server-github\"\n");
  Scan scan = IncidentJson({"--rules", rules.Path("mcp.rules")});
  const Json* fs = FindBy(Field(scan.doc, "groups"), "signature", kServers[0].signature);
  const Json* gh = FindBy(Field(scan.doc, "groups"), "signature", kServers[1].signature);
  ASSERT_NE(fs, nullptr);
  ASSERT_NE(gh, nullptr);
  EXPECT_EQ((*fs)["expected"], 24);
  EXPECT_EQ((*gh)["classification"], "pool");
  for (const Json* f : FindingsOf(scan.doc, "duplicate_chain")) {
    EXPECT_NE((*f)["signature"], kServers[0].signature);
    EXPECT_NE((*f)["signature"], kServers[1].signature);
  }
  EXPECT_EQ(FindingsOf(scan.doc, "duplicate_chain").size(), kServers.size() - 2);
}

TEST(Incident, BadRulesFileIsOneLineNamingFileAndLine) {
  TempTree rules;
  rules.Write("bad.rules", "# comment\nexpct signature \"x\" count=1\n");
  RunResult run =
      RunProcleak({"scan", "--root", DataDir("incident"), "--rules", rules.Path("bad.rules")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  ASSERT_EQ(Lines(run.err).size(), 1u) << run.err;
  EXPECT_EQ(run.err.rfind("procleak: " + rules.Path("bad.rules") + ":2: ", 0), 0u) << run.err;
}

TEST(Incident, DockerRootElsewhereLosesNamesButKeepsContainers) {
  Scan scan = IncidentJson({"--docker-root", "/nowhere"});
  const Json& containers = Field(scan.doc, "containers");
  EXPECT_EQ(containers.size(), 3u);  // the worker has no process and no state files to read
  for (const Json& c : containers) EXPECT_EQ(c["runtime"], "docker");
  EXPECT_TRUE(FindingsOf(scan.doc, "restart_loop").empty());
}

// Terminal columns of a UTF-8 line: one per code point.
size_t Columns(const std::string& line) {
  size_t columns = 0;
  for (unsigned char c : line) columns += (c & 0xC0) != 0x80;
  return columns;
}

TEST(Incident, FirstScreenTellsTheStory) {
  RunResult run = RunProcleak({"scan", "--root", DataDir("incident")});
  EXPECT_EQ(run.exit_code, 1);
  std::vector<std::string> lines = Lines(run.out);
  ASSERT_GT(lines.size(), 30u);
  for (const std::string& line : lines) EXPECT_LE(Columns(line), 80u) << line;
  std::string first_screen;
  for (size_t i = 0; i < 40; ++i) first_screen += lines[i] + "\n";
  // Host memory, the container without a limit at the top of the table, then the findings.
  EXPECT_NE(first_screen.find("ai-host-01"), std::string::npos) << first_screen;
  EXPECT_TRUE(std::regex_search(first_screen, std::regex("mcp-hub +docker +77\\.4 GiB +unlimited")))
      << first_screen;
  EXPECT_TRUE(std::regex_search(first_screen, std::regex("FINDINGS: 10 critical, 10 warning")))
      << first_screen;
  // One line per finding: all nine leaking servers and the restart loop are on the first screen.
  // (long package names are shortened in the middle: "npm exec @mo~rave-search > sh > node")
  for (const char* server : {"filesystem", "github", "memory", "puppeteer", "thinking", "search",
                             "7-mcp", "playwright/mcp", "tavily-mcp"}) {
    EXPECT_TRUE(std::regex_search(
        first_screen,
        std::regex(std::string("critical duplicate_chain mcp-hub +2[234]x npm exec \\S*") + server +
                   " > sh > node\n")))
        << server << "\n"
        << first_screen;
  }
  EXPECT_TRUE(std::regex_search(
      first_screen, std::regex("critical restart_loop +worker +has restarted 37 times")))
      << first_screen;
  // Then the details, with the command to paste.
  EXPECT_NE(run.out.find("kill -TERM 3002 3001 3000 3029 "), std::string::npos);
  EXPECT_NE(run.out.find("docker update --memory"), std::string::npos);
}

TEST(Incident, TreeCollapsesIdenticalSiblingChains) {
  RunResult run = RunProcleak({"scan", "--root", DataDir("incident"), "--tree", "--pid", "1900"});
  EXPECT_EQ(run.err, "");
  // Under the gateway: the 16 copies it started; under tini: the 8 orphans. Signatures too long
  // for the line are shortened in the middle.
  EXPECT_TRUE(std::regex_search(
      run.out, std::regex("16x npm exec \\S*filesystem > sh > node \\(of 24\\)\n")))
      << run.out;
  EXPECT_TRUE(std::regex_search(
      run.out, std::regex("8x npm exec \\S*ilesystem > sh > node \\(of 24: 8 orphaned\\)\n")))
      << run.out;
  // The last line under tini is drawn as the last branch, though later pids of other servers
  // were folded into earlier lines.
  std::vector<std::string> lines = Lines(run.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines.back().find("`- 8x npm exec tavily-mcp > sh > node (of 22: 8 orphaned)"),
            std::string::npos)
      << run.out;
  EXPECT_LT(Lines(run.out).size(), 40u) << "609 chain processes fold into a few lines";
}

}  // namespace
}  // namespace procleak
