// SPDX-License-Identifier: Apache-2.0
// scan --sort, --top, --wide, the terminal's width and the filters (--container, --user,
// --cgroup) in the text report, over a snapshot built by hand: the order of each table's rows
// under every sort key, rows left out and counted, lines cut to the width, filtered rows.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "base/terminal_text.h"
#include "render/report_scope.h"
#include "render/row_order.h"
#include "render/text_report.h"
#include "testing/report_tables.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::Lines;
using ::testing::Not;

const std::string kWebId = "aaaa1111" + std::string(56, '1');
const std::string kDbId = "bbbb2222" + std::string(56, '2');
constexpr char kWebCgroup[] = "/system.slice/docker-web.scope";
constexpr char kDbCgroup[] = "/system.slice/docker-db.scope";
constexpr char kSession[] = "/user.slice/user-1000.slice/session-1.scope";
const std::string kLongTail = "--config=/etc/aaa-tool/" + std::string(150, 'x') + "/END";

constexpr uint64_t MiB(uint64_t n) { return n << 20; }

Process Make(int pid, int ppid, std::string comm, uint64_t rss_mib, std::optional<uint64_t> pss,
             uint32_t uid, std::string cgroup, std::string container = "") {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = 'S';
  p.comm = comm;
  p.argv = {comm};
  p.rss_bytes = MiB(rss_mib);
  if (pss) p.pss_bytes = MiB(*pss);
  p.uid = uid;
  p.cgroup = std::move(cgroup);
  p.container = std::move(container);
  return p;
}

Cgroup MakeCgroup(std::string path, std::optional<uint64_t> memory_mib, std::vector<int> pids) {
  Cgroup c;
  c.path = std::move(path);
  if (memory_mib) c.memory_bytes = MiB(*memory_mib);
  c.memory_limit = Limit::Unlimited();
  c.pids = std::move(pids);
  return c;
}

Container MakeContainer(const std::string& id, std::string name, uint64_t memory_mib, int init,
                        std::vector<int> pids, std::string cgroup) {
  Container c;
  c.id = id;
  c.runtime = "docker";
  c.name = std::move(name);
  c.memory_bytes = MiB(memory_mib);
  c.init_pid = init;
  c.pids = std::move(pids);
  c.cgroup = std::move(cgroup);
  return c;
}

// Each key orders the rows differently:
//   containers  memory: web 100 > db 50   rss: db 200 > web 120   pss: web 85 > db 5
//               count: web 3 > db 1       pid: web (init 10) < db (20)   name: db < web
//   cgroups     memory: web 100, db 50, init 15, session (unknown)   rss: db, web, init, session
//   processes   rss: 20 10 11 1 12 30 31   pss: 12 11 10 20 30, then 1 31 (none) by rss
Snapshot Hand() {
  std::vector<Process> procs = {
      Make(1, 0, "init", 10, std::nullopt, 0, "/init.scope"),
      Make(10, 1, "nginx", 50, 20, 33, kWebCgroup, kWebId),
      Make(11, 10, "nginx", 40, 30, 33, kWebCgroup, kWebId),
      Make(12, 10, "nginx", 5, 35, 33, kWebCgroup, kWebId),
      Make(20, 1, "postgres", 200, 5, 999, kDbCgroup, kDbId),
      Make(30, 1, "bash", 4, 4, 1000, kSession),
      Make(31, 30, "aaa-tool", 2, std::nullopt, 1000, kSession),
  };
  procs[6].argv = {"aaa-tool", kLongTail};
  std::vector<Cgroup> cgroups = {
      MakeCgroup("/init.scope", 15, {1}), MakeCgroup(kWebCgroup, 100, {10, 11, 12}),
      MakeCgroup(kDbCgroup, 50, {20}), MakeCgroup(kSession, std::nullopt, {30, 31})};
  std::vector<Container> containers = {
      MakeContainer(kWebId, "web", 100, 10, {10, 11, 12}, kWebCgroup),
      MakeContainer(kDbId, "db", 50, 20, {20}, kDbCgroup)};
  Host host;
  host.hostname = "h";
  host.kernel = "6.1";
  host.mem_total_bytes = 16ull << 30;
  host.mem_available_bytes = 8ull << 30;
  ScanStats stats;
  stats.pss = true;
  return Snapshot::Build(host, std::move(procs), std::move(cgroups), stats, std::move(containers));
}

std::string Render(SortKey key, const Snapshot& s) {
  static const Analysis kNone;
  TextOptions options;
  options.sort = key;
  options.analysis = &kNone;
  options.width = kNoWidthLimit;
  return RenderScanText(s, options);
}

TEST(SortKeys, ParseAndName_RoundTripEveryKey) {
  for (const char* name : {"memory", "rss", "pss", "count", "pid", "name"}) {
    std::optional<SortKey> key = ParseSortKey(name);
    ASSERT_TRUE(key.has_value()) << name;
    EXPECT_STREQ(SortKeyName(*key), name);
  }
  EXPECT_FALSE(ParseSortKey("mem").has_value());
  EXPECT_FALSE(ParseSortKey("").has_value());
}

// What each key orders the tables of Hand() into.
struct KeyCase {
  SortKey key;
  std::vector<std::string> containers, cgroups, pids;
};

TEST(SortTop, EveryKey_OrdersEveryTable) {
  // The cgroups table's last column: containers' cgroups by runtime and name, units by unit.
  const std::string init = "init.scope", web = "web", db = "db", session = "session-1.scope";
  const KeyCase cases[] = {
      // The default: charge first, the session's cgroup (no charge) last; processes by RSS.
      {SortKey::kMemory,
       {"web", "db"},
       {web, db, init, session},
       {"20", "10", "11", "1", "12", "30", "31"}},
      // Sums of RSS over the processes.
      {SortKey::kRss,
       {"db", "web"},
       {db, web, init, session},
       {"20", "10", "11", "1", "12", "30", "31"}},
      // init.scope's only process has no PSS: after those with some; so do 1 and 31, by RSS.
      {SortKey::kPss,
       {"web", "db"},
       {web, db, session, init},
       {"12", "11", "10", "20", "30", "1", "31"}},
      // web 3, session 2, then init.scope and db with 1 each in path order (init.scope is
      // /init.scope); 1 has 6 processes
      // below it, 10 has 2, 30 has 1, the rest keep the pid order.
      {SortKey::kCount,
       {"web", "db"},
       {web, session, init, db},
       {"1", "10", "30", "11", "12", "20", "31"}},
      // web's init is 10, db's 20; a cgroup's lowest pid.
      {SortKey::kPid,
       {"web", "db"},
       {init, web, db, session},
       {"1", "10", "11", "12", "20", "30", "31"}},
      // aaa-tool, bash, init, nginx x3 (by pid), postgres; cgroups by the name shown.
      {SortKey::kName,
       {"db", "web"},
       {db, web, init, session},
       {"31", "30", "1", "10", "11", "12", "20"}},
  };
  const Snapshot s = Hand();
  for (const KeyCase& c : cases) {
    const std::string text = Render(c.key, s);
    EXPECT_EQ(testing::ContainerRows(text), c.containers) << SortKeyName(c.key);
    EXPECT_EQ(testing::CgroupRows(text), c.cgroups) << SortKeyName(c.key);
    EXPECT_EQ(testing::ProcessRows(text), c.pids) << SortKeyName(c.key);
  }
  EXPECT_EQ(TextOptions().sort, SortKey::kMemory);
}

TEST(SortTop, Top_CapsEveryTableAndCountsTheRest) {
  static const Analysis kNone;
  TextOptions options;
  options.analysis = &kNone;
  options.max_cgroups = 1;
  options.max_processes = 3;
  const std::string text = RenderScanText(Hand(), options);
  EXPECT_THAT(testing::ContainerRows(text), ElementsAre("web", "+"));
  EXPECT_THAT(testing::CgroupRows(text), ElementsAre("web", "+"));
  EXPECT_THAT(testing::ProcessRows(text), ElementsAre("20", "10", "11", "+"));
  EXPECT_THAT(text, HasSubstr("(+1 more containers)"));
  EXPECT_THAT(text, HasSubstr("(+3 more cgroups)"));
  EXPECT_THAT(text, HasSubstr("(+4 more processes)"));
}

TEST(SortTop, Width_CutsEveryLineAndWideCutsNone) {
  static const Analysis kNone;
  TextOptions options;
  options.analysis = &kNone;
  options.sort = SortKey::kName;  // aaa-tool and its long command line first
  for (size_t width : {40u, 60u, 80u, 200u}) {
    options.width = width;
    const std::string text = RenderScanText(Hand(), options);
    size_t widest = 0;
    for (const std::string& line : Lines(text)) widest = std::max(widest, DisplayWidth(line));
    EXPECT_LE(widest, width) << text;
    // The long command line fills the line but for 2 columns, no more.
    if (width > 40) {
      EXPECT_GE(widest, width - 2) << text;
    }
    EXPECT_THAT(text, Not(HasSubstr("/END"))) << width;
  }
  options.width = kNoWidthLimit;
  const std::string text = RenderScanText(Hand(), options);
  EXPECT_THAT(text, HasSubstr("aaa-tool " + kLongTail + "\n"));
  EXPECT_THAT(text, HasSubstr(" session-1.scope\n"));
}

TEST(SortTop, Width_WiderTerminalShowsMoreOfTheCommandLine) {
  static const Analysis kNone;
  TextOptions options;
  options.analysis = &kNone;
  options.sort = SortKey::kName;
  std::vector<size_t> shown;
  for (size_t width : {60u, 120u}) {
    options.width = width;
    const std::string text = RenderScanText(Hand(), options);
    const size_t at = text.find("aaa-tool --config");
    ASSERT_NE(at, std::string::npos) << text;
    shown.push_back(text.find('\n', at) - at);
  }
  EXPECT_EQ(shown[1] - shown[0], 60u);
}

ReportFilter ByContainer(std::string name) {
  ReportFilter f;
  f.container = std::move(name);
  return f;
}
ReportFilter ByUser(uint32_t uid, std::string user) {
  ReportFilter f;
  f.uid = uid;
  f.user = std::move(user);
  return f;
}
ReportFilter ByCgroup(std::string path) {
  ReportFilter f;
  f.cgroup = std::move(path);
  return f;
}

absl::StatusOr<std::string> Filtered(const ReportFilter& filter, bool tree = false) {
  static const Analysis kNone;
  const Snapshot s = Hand();
  absl::StatusOr<ReportScope> scope = ReportScope::Make(s, filter);
  if (!scope.ok()) return scope.status();
  TextOptions options;
  options.analysis = &kNone;
  options.width = kNoWidthLimit;
  options.scope = &*scope;
  return tree ? RenderTree(s, options) : RenderScanText(s, options);
}

TEST(Filter, ContainerByName_ShowsItsRowsOnly) {
  absl::StatusOr<std::string> text = Filtered(ByContainer("web"));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(testing::ContainerRows(*text), ElementsAre("web"));
  EXPECT_THAT(testing::CgroupRows(*text), ElementsAre("web"));
  EXPECT_THAT(testing::ProcessRows(*text), ElementsAre("10", "11", "12"));
  EXPECT_THAT(*text, HasSubstr("showing only container web: 3 of 7 processes"));
}

TEST(Filter, ContainerByIdPrefix_ShowsItsRowsOnly) {
  absl::StatusOr<std::string> text = Filtered(ByContainer("bbbb22"));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(testing::ContainerRows(*text), ElementsAre("db"));
  EXPECT_THAT(testing::CgroupRows(*text), ElementsAre("db"));
  EXPECT_THAT(testing::ProcessRows(*text), ElementsAre("20"));
}

TEST(Filter, UnknownContainer_IsAnError) {
  absl::StatusOr<std::string> text = Filtered(ByContainer("nosuch"));
  ASSERT_FALSE(text.ok());
  EXPECT_THAT(std::string(text.status().message()), HasSubstr("container 'nosuch'"));
  // A name is matched whole: "we" is neither web's name nor a prefix of an id.
  EXPECT_FALSE(Filtered(ByContainer("we")).ok());
}

TEST(Filter, Uid_ShowsThatUsersProcessesAndTheirCgroups) {
  absl::StatusOr<std::string> text = Filtered(ByUser(1000, "alice"));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(testing::ContainerRows(*text), ElementsAre());
  EXPECT_THAT(testing::CgroupRows(*text), ElementsAre("session-1.scope"));
  EXPECT_THAT(testing::ProcessRows(*text), ElementsAre("30", "31"));
  EXPECT_THAT(*text, HasSubstr("showing only user alice (uid 1000)"));
}

TEST(Filter, CgroupPrefix_MatchesWholeComponents) {
  absl::StatusOr<std::string> text = Filtered(ByCgroup("/system.slice/"));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(testing::ContainerRows(*text), ElementsAre("web", "db"));
  EXPECT_THAT(testing::CgroupRows(*text), ElementsAre("web", "db"));
  EXPECT_THAT(testing::ProcessRows(*text), ElementsAre("20", "10", "11", "12"));
  text = Filtered(ByCgroup("system.slice/docker-db.scope"));
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(testing::ProcessRows(*text), ElementsAre("20"));
  text = Filtered(ByCgroup("/system"));  // not a component of /system.slice
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(testing::ProcessRows(*text), ElementsAre());
}

TEST(Filter, Combined_AllMustMatch) {
  absl::StatusOr<std::string> text = Filtered([] {
    ReportFilter f = ByContainer("web");
    f.uid = 1000;
    f.user = "1000";
    return f;
  }());
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(testing::ProcessRows(*text), ElementsAre());
  EXPECT_THAT(*text, HasSubstr("showing only container web, uid 1000: 0 of 7 processes"));
}

TEST(Filter, Tree_KeepsShownProcessesAndTheirAncestors) {
  absl::StatusOr<std::string> text = Filtered(ByUser(1000, "alice"), true);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(*text, HasSubstr(" 1 init"));
  EXPECT_THAT(*text, HasSubstr("`- 30 bash"));
  EXPECT_THAT(*text, HasSubstr("31 aaa-tool"));
  EXPECT_THAT(*text, Not(HasSubstr("nginx")));
  EXPECT_THAT(*text, Not(HasSubstr("postgres")));
}

TEST(Filter, Tree_DrawsTheLastShownChildAsLast) {
  // nginx (10) is init's first child, but postgres (20) and bash (30) after it have no line.
  absl::StatusOr<std::string> text = Filtered(ByUser(33, "33"), true);
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(*text, HasSubstr("`- 10 nginx"));
  EXPECT_THAT(*text, Not(HasSubstr("|- 10 nginx")));
  EXPECT_THAT(*text, Not(HasSubstr("bash")));
}

TEST(Filter, Findings_ByTheirProcessesContainerOrCgroup) {
  const Snapshot s = Hand();
  Finding chain;
  chain.pids = {20};
  chain.signature = "postgres";
  chain.container = kDbId;
  Finding container;
  container.kind = FindingKind::kNoMemoryLimit;
  container.container = kWebId;
  Finding cgroup;
  cgroup.kind = FindingKind::kNoMemoryLimit;
  cgroup.cgroup = kSession;
  Analysis analysis;
  analysis.findings = {chain, container, cgroup};
  absl::StatusOr<ReportScope> web = ReportScope::Make(s, ByContainer("web"));
  ASSERT_TRUE(web.ok());
  EXPECT_FALSE(web->ShowsFinding(chain, analysis));
  EXPECT_TRUE(web->ShowsFinding(container, analysis));
  EXPECT_FALSE(web->ShowsFinding(cgroup, analysis));
  absl::StatusOr<ReportScope> postgres = ReportScope::Make(s, ByUser(999, "999"));
  ASSERT_TRUE(postgres.ok());
  EXPECT_TRUE(postgres->ShowsFinding(chain, analysis));
  EXPECT_FALSE(postgres->ShowsFinding(container, analysis));
  absl::StatusOr<ReportScope> session = ReportScope::Make(s, ByCgroup("/user.slice"));
  ASSERT_TRUE(session.ok());
  EXPECT_TRUE(session->ShowsFinding(cgroup, analysis));
  EXPECT_FALSE(session->ShowsFinding(chain, analysis));
}

}  // namespace
}  // namespace procleak
