// SPDX-License-Identifier: Apache-2.0
// procleak scan and replay with --sort, --top, --wide, the filters --container, --user and
// --cgroup, and the width from $COLUMNS, on the fixture trees under tests/data: the rows each
// table shows and their order, what is left out, where lines are cut.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "base/terminal_text.h"
#include "testing/json_expect.h"
#include "testing/report_tables.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace procleak::testing;  // NOLINT: RunProcleak, DataDir, ProcessRows, TempTree, ...

constexpr char kWebId[] = "a0d9d4cf6dc599b8fe9b1e3dd4322b254e1b9290d68470d4ad90c2dc20e00f30";

// procleak ARGS with COLUMNS set to `columns` ("" unset): standard output is a file, not a
// terminal, so the width comes from COLUMNS.
RunResult RunWithColumns(const std::string& columns, std::vector<std::string> args) {
  std::vector<std::string> argv = {"/usr/bin/env"};
  argv.push_back(columns.empty() ? "-u" : "COLUMNS=" + columns);
  if (columns.empty()) argv.push_back("COLUMNS");
  argv.push_back(ProcleakBin());
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

RunResult Scan(const std::string& tree, std::vector<std::string> more) {
  std::vector<std::string> args = {"scan", "--root", DataDir(tree), "--fail-on", "never"};
  args.insert(args.end(), more.begin(), more.end());
  return RunWithColumns("", args);
}

size_t Widest(const std::string& text) {
  size_t widest = 0;
  for (const std::string& line : Lines(text)) widest = std::max(widest, DisplayWidth(line));
  return widest;
}

// docker-systemd (tests/data/README.md): RSS 720 > 650 > 1 > 1390 > 1410 > 1440 > 1441, kernel
// threads 2 and 53 without; 1 has 6 processes below it, 1390 3, 1410 2, 2 one.
TEST(ScanView, SortKeys_OrderTheProcessTable) {
  struct Case {
    const char* key;
    std::vector<std::string> pids;
  };
  const Case cases[] = {
      {"memory", {"720", "650", "1", "1390", "1410", "1440", "1441", "2", "53"}},
      {"rss", {"720", "650", "1", "1390", "1410", "1440", "1441", "2", "53"}},
      {"count", {"1", "1390", "1410", "2", "53", "650", "720", "1440", "1441"}},
      {"pid", {"1", "2", "53", "650", "720", "1390", "1410", "1440", "1441"}},
      // containerd, containerd-shim, dockerd, kthreadd, kworker/..., nginx x3, systemd
      {"name", {"650", "1390", "720", "2", "53", "1410", "1440", "1441", "1"}},
  };
  for (const Case& c : cases) {
    RunResult run = Scan("docker-systemd", {"--sort", c.key, "--top", "all"});
    ASSERT_EQ(run.exit_code, 0) << c.key << ": " << run.err;
    EXPECT_EQ(ProcessRows(run.out), c.pids) << c.key << "\n" << run.out;
  }
  // Without --sort: memory's order.
  EXPECT_EQ(ProcessRows(Scan("docker-systemd", {"--top", "all"}).out), cases[0].pids);
}

TEST(ScanView, SortKeys_OrderTheContainerAndCgroupTables) {
  // web holds 3 processes and 24 MiB, worker none and no cgroup.
  RunResult run = Scan("docker-systemd", {"--sort", "name"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(ContainerRows(run.out), ElementsAre("web", "worker"));
  // By the name the table shows: "/", "containerd.service", "docker web", "docker.service",
  // "init.scope" (CgroupRows keeps the last word).
  EXPECT_THAT(CgroupRows(run.out),
              ElementsAre("/", "containerd.service", "web", "docker.service", "init.scope"))
      << run.out;
  run = Scan("docker-systemd", {"--sort", "count"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(ContainerRows(run.out), ElementsAre("web", "worker"));
  // The cgroup with web's 3 processes first, shown as "docker web".
  ASSERT_FALSE(CgroupRows(run.out).empty());
  EXPECT_EQ(CgroupRows(run.out)[0], "web") << run.out;
}

// incident has smaps_rollup: --sort pss reads PSS without --pss, in the order of the JSON's.
TEST(ScanView, SortPss_ReadsPssAndOrdersByIt) {
  RunResult json = RunWithColumns("", {"scan", "--root", DataDir("incident"), "--pss", "--json"});
  ASSERT_EQ(json.exit_code, 1) << json.err;
  Json doc = ParseJson(json.out);
  std::vector<std::pair<uint64_t, int>> by_pss;
  for (const Json& p : Field(doc, "processes")) {
    if (!p["pss_bytes"].is_number()) continue;
    by_pss.emplace_back(p["pss_bytes"].get<uint64_t>(), p["pid"].get<int>());
  }
  ASSERT_GE(by_pss.size(), 5u);
  std::stable_sort(by_pss.begin(), by_pss.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  RunResult run = Scan("incident", {"--sort", "pss", "--top", "5"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> want;
  for (size_t i = 0; i < 5; ++i) want.push_back(std::to_string(by_pss[i].second));
  want.push_back("+");
  EXPECT_EQ(ProcessRows(run.out), want) << run.out;
}

TEST(ScanView, Top_CapsRowsAndSaysHowManyAreLeftOut) {
  RunResult run = Scan("docker-systemd", {"--top", "3"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(ProcessRows(run.out), ElementsAre("720", "650", "1", "+"));
  EXPECT_THAT(run.out, HasSubstr("(+6 more processes)"));
  run = Scan("docker-systemd", {"--top", "1"});
  EXPECT_THAT(ContainerRows(run.out), ElementsAre("web", "+"));
  EXPECT_THAT(run.out, HasSubstr("(+1 more containers)"));
  EXPECT_EQ(CgroupRows(run.out).size(), 2u) << run.out;
  EXPECT_THAT(run.out, HasSubstr("more cgroups)"));
  // The default: 10 processes; all: every one, nothing left out.
  run = Scan("incident", {"--top", "all"});
  EXPECT_GT(ProcessRows(run.out).size(), 600u);
  EXPECT_THAT(run.out, Not(HasSubstr("more processes)")));
  EXPECT_EQ(ProcessRows(Scan("incident", {}).out).size(), 11u);
}

// hostile-names: the shims' command lines are 158 columns, and names are CJK.
TEST(ScanView, Wide_KeepsLongCommandLinesWhole) {
  std::string cmdline = ReadAll(DataDir("hostile-names") + "/proc/1000/cmdline");
  ASSERT_GT(cmdline.size(), 150u);
  while (!cmdline.empty() && cmdline.back() == '\0') cmdline.pop_back();
  std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
  RunResult cut = Scan("hostile-names", {"--top", "all"});
  ASSERT_EQ(cut.exit_code, 0) << cut.err;
  EXPECT_THAT(cut.out, Not(HasSubstr(cmdline)));
  EXPECT_THAT(cut.out, HasSubstr(cmdline.substr(0, 40)));
  EXPECT_LE(Widest(cut.out), 80u);
  RunResult wide = Scan("hostile-names", {"--top", "all", "--wide"});
  ASSERT_EQ(wide.exit_code, 0) << wide.err;
  EXPECT_THAT(wide.out, HasSubstr(cmdline + "\n"));
  EXPECT_GT(Widest(wide.out), 150u);
  // --wide beats COLUMNS.
  RunResult narrow_wide =
      RunWithColumns("60", {"scan", "--root", DataDir("hostile-names"), "--top", "all", "--wide"});
  EXPECT_THAT(narrow_wide.out, HasSubstr(cmdline + "\n"));
}

TEST(ScanView, Columns_SetTheWidthOfEveryLine) {
  std::vector<size_t> widest;
  for (const char* columns : {"60", "200"}) {
    for (bool tree : {false, true}) {
      std::vector<std::string> args = {"scan", "--root", DataDir("hostile-names"), "--fail-on",
                                       "never"};
      if (tree) {
        args.push_back("--tree");
      } else {
        args.insert(args.end(), {"--top", "all"});
      }
      RunResult run = RunWithColumns(columns, args);
      ASSERT_EQ(run.exit_code, 0) << run.err;
      const size_t width = std::stoul(columns);
      EXPECT_LE(Widest(run.out), width) << columns << (tree ? " --tree\n" : "\n") << run.out;
      if (!tree) widest.push_back(Widest(run.out));
    }
  }
  // At 200 the long command lines are no longer cut at 60 or 80.
  EXPECT_GT(widest[1], 150u);
  EXPECT_GE(widest[0], 58u);
  // Nonsense in COLUMNS is ignored (80); a tiny one is raised to 40.
  for (const char* bad : {"abc", "-5", "0", "99999999999999999999"}) {
    EXPECT_LE(Widest(RunWithColumns(bad, {"scan", "--root", DataDir("hostile-names")}).out), 80u)
        << bad;
  }
  EXPECT_LE(Widest(RunWithColumns("10", {"scan", "--root", DataDir("hostile-names")}).out), 40u);
}

TEST(ScanView, FilterContainer_ByNameOrIdPrefix) {
  for (const std::string& name : {std::string("web"), std::string(kWebId).substr(0, 6)}) {
    RunResult run = Scan("docker-systemd", {"--container", name, "--top", "all"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_THAT(ProcessRows(run.out), ElementsAre("1410", "1440", "1441")) << name;
    EXPECT_THAT(ContainerRows(run.out), ElementsAre("web"));
    std::vector<std::string> cgroups = CgroupRows(run.out);
    ASSERT_EQ(cgroups.size(), 1u) << run.out;
    EXPECT_THAT(run.out, HasSubstr("showing only container " + name + ": 3 of 9 processes"));
  }
  // A container without processes is shown alone.
  RunResult worker = Scan("docker-systemd", {"--container", "worker"});
  ASSERT_EQ(worker.exit_code, 0) << worker.err;
  EXPECT_THAT(ContainerRows(worker.out), ElementsAre("worker"));
  EXPECT_THAT(ProcessRows(worker.out), ElementsAre());
}

TEST(ScanView, FilterContainer_UnknownIsAnError) {
  RunResult run = Scan("docker-systemd", {"--container", "nosuch"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("container 'nosuch': no such container"));
  EXPECT_EQ(run.out, "");
}

TEST(ScanView, FilterUser_ByUidOrByNameFromRootsPasswd) {
  RunResult run = Scan("docker-systemd", {"--user", "101"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(ProcessRows(run.out), ElementsAre("1440", "1441"));
  EXPECT_THAT(run.out, HasSubstr("showing only uid 101: 2 of 9 processes"));
  TempTree tmp;
  const std::string root = CopyFixture("docker-systemd", tmp.Path("root"));
  tmp.Write("root/etc/passwd",
            "root:x:0:0:root:/root:/bin/bash\nnginx:x:101:101:nginx:/nonexistent:/bin/false\n");
  run = RunWithColumns(
      "", {"scan", "--root", root, "--user", "nginx", "--top", "all", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(ProcessRows(run.out), ElementsAre("1440", "1441"));
  EXPECT_THAT(ContainerRows(run.out), ElementsAre("web"));
  EXPECT_THAT(run.out, HasSubstr("showing only user nginx (uid 101)"));
  run = RunWithColumns(
      "", {"scan", "--root", root, "--user", "root", "--top", "all", "--fail-on", "never"});
  EXPECT_THAT(ProcessRows(run.out), ElementsAre("720", "650", "1", "1390", "1410", "2", "53"));
  // A name the root's passwd does not have, or no passwd at all: exit 2, naming the file.
  run = RunWithColumns("", {"scan", "--root", root, "--user", "www-data"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr(root + "/etc/passwd: no user 'www-data'"));
  run = Scan("docker-systemd", {"--user", "nginx"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("/etc/passwd"));
}

TEST(ScanView, FilterCgroup_PathAndBelow) {
  RunResult run = Scan("docker-systemd", {"--cgroup", "/system.slice", "--top", "all"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(ProcessRows(run.out), ElementsAre("720", "650", "1390", "1410", "1440", "1441"));
  EXPECT_EQ(CgroupRows(run.out).size(), 3u) << run.out;
  run = Scan("docker-systemd", {"--cgroup", "/system.slice/containerd.service"});
  EXPECT_THAT(ProcessRows(run.out), ElementsAre("650", "1390"));
  EXPECT_THAT(CgroupRows(run.out), ElementsAre("containerd.service"));
  EXPECT_THAT(ContainerRows(run.out), ElementsAre());
}

TEST(ScanView, ViewOptionsWithJson_AreRefused) {
  for (const std::vector<std::string>& more : {std::vector<std::string>{"--sort", "pid"},
                                               {"--top", "3"},
                                               {"--wide"},
                                               {"--container", "web"},
                                               {"--user", "0"},
                                               {"--cgroup", "/"}}) {
    std::vector<std::string> args = more;
    args.push_back("--json");
    RunResult run = Scan("docker-systemd", args);
    EXPECT_EQ(run.exit_code, 2) << more[0];
    EXPECT_THAT(run.err, HasSubstr("--json has every row")) << more[0];
  }
  EXPECT_EQ(Scan("docker-systemd", {"--sort", "size"}).exit_code, 2);
  EXPECT_EQ(Scan("docker-systemd", {"--top", "0"}).exit_code, 2);
  EXPECT_EQ(Scan("docker-systemd", {"--tree", "--sort", "pid"}).exit_code, 2);
}

TEST(ScanView, Replay_SortsAndFiltersAsScan) {
  TempTree tmp;
  const std::string file = tmp.Path("day.plr");
  RunResult rec = RunProcleak({"record", "-o", file, "--interval", "0", "--count", "1", "--root",
                               DataDir("docker-systemd")});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  RunResult run = RunWithColumns(
      "", {"replay", file, "--sort", "pid", "--container", "web", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(ProcessRows(run.out), ElementsAre("1410", "1440", "1441"));
  // Recorded without --pss: nothing to sort by.
  run = RunWithColumns("", {"replay", file, "--sort", "pss"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_THAT(run.err, HasSubstr("--sort pss"));
}

}  // namespace
}  // namespace procleak
