// SPDX-License-Identifier: Apache-2.0
// A brief Scan() made exact by RefineRss() and RefineNamespaces() equals a full Scan() but for uid
// and exe, and the text report procleak scan makes that way equals the one of a full scan.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "cli/brief_report.h"
#include "procleak/analysis.h"
#include "procleak/scan.h"
#include "render/text_report.h"
#include "testing/fake_proc.h"
#include "testing/fixture_trees.h"
#include "testing/print_process.h"
#include "testing/reference_scan.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::RefineInPlace;

std::vector<int> AllPids(const Snapshot& s) {
  std::vector<int> pids;
  for (const Process& p : s.processes()) pids.push_back(p.pid);
  return pids;
}

Process WithoutUidAndExe(Process p) {
  p.uid.reset();
  p.exe.clear();
  return p;
}

// Everything but uid, exe and the scan's own time and duration.
void ExpectSameSnapshot(const Snapshot& brief, const Snapshot& full) {
  ASSERT_EQ(brief.processes().size(), full.processes().size());
  for (const Process& f : full.processes()) {
    const Process* b = brief.FindProcess(f.pid);
    ASSERT_NE(b, nullptr) << f.pid;
    EXPECT_EQ(*b, WithoutUidAndExe(f));
  }
  for (const auto& [path, c] : full.cgroups()) {
    const Cgroup* b = brief.FindCgroup(path);
    EXPECT_TRUE(b != nullptr && *b == c) << path;
  }
  EXPECT_EQ(brief.cgroups().size(), full.cgroups().size());
  EXPECT_TRUE(std::ranges::equal(brief.containers(), full.containers()));
  Host host = brief.host();
  host.scanned_at = full.host().scanned_at;
  EXPECT_EQ(host, full.host());
  EXPECT_EQ(brief.stats().pss, full.stats().pss);
  EXPECT_EQ(brief.stats().skipped_vanished, full.stats().skipped_vanished);
  EXPECT_EQ(brief.stats().skipped_denied, full.stats().skipped_denied);
}

// The report without the scan's duration, the one figure two scans never share.
std::string Render(const Snapshot& s, const Analysis& analysis) {
  TextOptions text;
  text.analysis = &analysis;
  static const std::regex kDuration(" in [0-9.]+ ms;");
  return std::regex_replace(RenderScanText(s, text), kDuration, " in (time) ms;");
}

// A text report with what it was made from.
struct Report {
  Snapshot snapshot;
  Analysis analysis;
  std::string text;
};

// The text report as RunScan (src/cli/scan_command.cc) makes it: a brief scan, then
// AnalyzeRefined.
absl::StatusOr<Report> CliReport(const std::string& root) {
  const ScanOptions options{.root = root, .read = ReadPlan::Brief()};
  absl::StatusOr<Snapshot> s = Scan(options);
  if (!s.ok()) return s.status();
  absl::StatusOr<Analysis> analysis =
      AnalyzeRefined(options, nullptr, TextOptions().max_processes, &*s);
  if (!analysis.ok()) return analysis.status();
  std::string text = Render(*s, *analysis);
  return Report{*std::move(s), *std::move(analysis), std::move(text)};
}

absl::StatusOr<Report> FullReport(const std::string& root) {
  absl::StatusOr<Snapshot> s = Scan({.root = root});
  if (!s.ok()) return s.status();
  Analysis analysis = Analyze(*s, nullptr);
  std::string text = Render(*s, analysis);
  return Report{*std::move(s), std::move(analysis), std::move(text)};
}

// The report's text, and the exact figures behind what it shows: each finding's RSS and the
// largest processes' RSS, which the text rounds.
void ExpectSameReport(const Report& cli, const Report& full) {
  EXPECT_EQ(cli.text, full.text);
  ASSERT_EQ(cli.analysis.findings.size(), full.analysis.findings.size());
  for (size_t i = 0; i < full.analysis.findings.size(); ++i) {
    const Finding& c = cli.analysis.findings[i];
    const Finding& f = full.analysis.findings[i];
    SCOPED_TRACE(FindingKindName(f.kind) + (" " + f.signature));
    EXPECT_EQ(c.container, f.container);
    EXPECT_EQ(c.pids, f.pids);
    EXPECT_EQ(c.rss_bytes, f.rss_bytes);
    for (const Group& g : full.analysis.groups) {  // the finding's group, whose RSS it shows
      if (g.signature != f.signature || g.container != f.container || f.signature.empty()) continue;
      auto same = [&](const Group& o) {
        return o.signature == g.signature && o.container == g.container;
      };
      auto it = std::find_if(cli.analysis.groups.begin(), cli.analysis.groups.end(), same);
      ASSERT_NE(it, cli.analysis.groups.end());
      EXPECT_EQ(it->rss_bytes, g.rss_bytes);
    }
  }
  std::vector<Process> largest(full.snapshot.processes().begin(), full.snapshot.processes().end());
  std::stable_sort(largest.begin(), largest.end(), [](const Process& a, const Process& b) {
    return a.rss_bytes.value_or(0) > b.rss_bytes.value_or(0);
  });
  for (size_t i = 0; i < std::min<size_t>(largest.size(), TextOptions().max_processes); ++i) {
    const Process* c = cli.snapshot.FindProcess(largest[i].pid);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->rss_bytes, largest[i].rss_bytes) << largest[i].pid;
  }
}

// Moves stat's RSS (field 24) of each process of TREE/proc with 64 pages or more by up to 30
// pages either way, as the kernel's per-CPU counters do; statm stays exact.
void SkewStatRss(const testing::TempTree& tree) {
  for (const auto& entry : std::filesystem::directory_iterator(tree.Path("proc"))) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(entry.path() / "stat");
    std::stringstream text;
    text << in.rdbuf();
    const std::string stat = text.str();
    const size_t close = stat.rfind(')');
    std::istringstream after(stat.substr(close + 1));
    std::vector<std::string> fields;  // from field 3 on
    for (std::string field; after >> field;) fields.push_back(field);
    ASSERT_GT(fields.size(), 21u) << pid;
    const int64_t rss = std::stoll(fields[21]);
    if (rss >= 64) fields[21] = std::to_string(rss + std::stoi(pid) * 7919 % 61 - 30);
    std::string skewed = stat.substr(0, close + 1);
    for (const std::string& field : fields) skewed += " " + field;
    tree.Write("proc/" + pid + "/stat", skewed + "\n");
  }
}

class FixtureTree : public ::testing::TestWithParam<std::string> {
 protected:
  std::string root() const { return testing::DataDir(GetParam()); }
};

TEST_P(FixtureTree, BriefScanRefinedEverywhere_EqualsFullScanButForUidAndExe) {
  const ScanOptions options{.root = root(), .threads = 3, .read = ReadPlan::Brief()};
  absl::StatusOr<Snapshot> brief = Scan(options);
  absl::StatusOr<Snapshot> full = Scan({.root = root()});
  ASSERT_TRUE(brief.ok()) << brief.status();
  ASSERT_TRUE(full.ok()) << full.status();
  absl::Status refined = RefineInPlace(RefineRss, options, AllPids(*brief), &*brief);
  ASSERT_TRUE(refined.ok()) << refined;
  refined = RefineInPlace(RefineNamespaces, options, AllPids(*brief), &*brief);
  ASSERT_TRUE(refined.ok()) << refined;
  ExpectSameSnapshot(*brief, *full);
}

TEST_P(FixtureTree, BriefScanWithPss_EqualsFullScanButForUidAndExe) {
  absl::StatusOr<Snapshot> brief = Scan({.root = root(), .pss = true, .read = ReadPlan::Brief()});
  absl::StatusOr<Snapshot> full = Scan({.root = root(), .pss = true});
  ASSERT_TRUE(brief.ok()) << brief.status();
  ASSERT_TRUE(full.ok()) << full.status();
  absl::Status refined =
      RefineInPlace(RefineNamespaces, {.root = root()}, AllPids(*brief), &*brief);
  ASSERT_TRUE(refined.ok()) << refined;
  ExpectSameSnapshot(*brief, *full);
}

TEST_P(FixtureTree, CliTextReport_EqualsFullScanReport) {
  absl::StatusOr<Report> cli = CliReport(root());
  absl::StatusOr<Report> full = FullReport(root());
  ASSERT_TRUE(cli.ok()) << cli.status();
  ASSERT_TRUE(full.ok()) << full.status();
  ExpectSameReport(*cli, *full);
}

TEST_P(FixtureTree, CliTextReport_WithSkewedStatRss_EqualsFullScanReport) {
  testing::TempTree tree;
  std::filesystem::copy(root(), tree.root(), std::filesystem::copy_options::recursive);
  SkewStatRss(tree);
  absl::StatusOr<Report> cli = CliReport(tree.root());
  absl::StatusOr<Report> full = FullReport(tree.root());
  ASSERT_TRUE(cli.ok()) << cli.status();
  ASSERT_TRUE(full.ok()) << full.status();
  ExpectSameReport(*cli, *full);
}

INSTANTIATE_TEST_SUITE_P(EveryTree, FixtureTree, ::testing::ValuesIn(testing::FixtureTrees()),
                         testing::FixtureTestName);

// What scan --json and export --prometheus read (ReadPlan::Lean()): every field of the reference
// reader's but RSS, which is stat's, and ns_pid, which is absent until refined; their analysis
// (AnalyzeRefined without the largest processes) equals the reference's.
TEST_P(FixtureTree, LeanScanRefined_EqualsReferenceScan_ButForStatRssAndNsPid) {
  const std::string root = testing::DataDir(GetParam());
  const ScanOptions options{.root = root, .threads = 3, .read = ReadPlan::Lean()};
  absl::StatusOr<Snapshot> lean = Scan(options);
  absl::StatusOr<Snapshot> ref = testing::ReferenceScan({.root = root});
  ASSERT_TRUE(lean.ok()) << lean.status();
  ASSERT_TRUE(ref.ok()) << ref.status();
  ASSERT_EQ(lean->processes().size(), ref->processes().size());
  for (const Process& r : ref->processes()) {
    const Process* l = lean->FindProcess(r.pid);
    ASSERT_NE(l, nullptr) << r.pid;
    SCOPED_TRACE(r.pid);
    EXPECT_EQ(l->uid, r.uid);  // a fixture's files belong to root: status is read
    EXPECT_EQ(l->exe, r.exe);
    EXPECT_EQ(l->argv, r.argv);
    EXPECT_EQ(l->cgroup, r.cgroup);
    EXPECT_EQ(l->container, r.container);
    EXPECT_EQ(l->rss_bytes.has_value(), r.rss_bytes.has_value());
  }
  absl::StatusOr<Analysis> analysis = AnalyzeRefined(options, nullptr, 0, &*lean);
  ASSERT_TRUE(analysis.ok()) << analysis.status();
  const Analysis expected = Analyze(*ref, nullptr);
  ASSERT_EQ(analysis->findings.size(), expected.findings.size());
  for (size_t i = 0; i < expected.findings.size(); ++i) {
    EXPECT_EQ(analysis->findings[i].message, expected.findings[i].message);
    EXPECT_EQ(analysis->findings[i].rss_bytes, expected.findings[i].rss_bytes);
    EXPECT_EQ(analysis->findings[i].pids, expected.findings[i].pids);
  }
}

TEST(BriefScanFixtures, CliReportTakesBothPaths) {
  // One tree with findings (analysed again after RefineRss), one without (analysis kept).
  for (const char* tree : {"incident", "lxc"}) {
    absl::StatusOr<Snapshot> s = Scan({.root = testing::DataDir(tree), .read = ReadPlan::Brief()});
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(Analyze(*s, nullptr).findings.empty(), std::string(tree) == "lxc") << tree;
  }
}

// 30 processes whose stat RSS is 20 to 40 pages below statm's, 100 pages apart: ranked alike by
// either, but only exact after RefineRss.
TEST(BriefScan, CliTextReport_WithInexactStatRss_EqualsFullScanReport) {
  testing::TempTree tree;
  testing::WriteHost(tree);
  testing::WriteProcess(tree, 1, 0, "init");
  for (int i = 0; i < 30; ++i) {
    const int pid = 100 + i;
    // Names of letters only, so that no two share a command signature (that is a finding).
    const std::string comm = {'q', static_cast<char>('a' + i % 26),
                              static_cast<char>('a' + i / 26)};
    const std::string dir = "proc/" + std::to_string(pid);
    const uint64_t resident = 1000 + 100 * i, stat_rss = resident - 20 - 10 * (i % 3);
    testing::WriteProcess(tree, pid, 1, comm);
    tree.Write(dir + "/stat", testing::StatLine(pid, comm, 'S', 1, 1000 + i, stat_rss));
    tree.Write(dir + "/statm", "9000 " + std::to_string(resident) + " 300 5 0 123 0\n");
  }
  absl::StatusOr<Report> cli = CliReport(tree.root());
  absl::StatusOr<Report> full = FullReport(tree.root());
  ASSERT_TRUE(cli.ok()) << cli.status();
  ASSERT_TRUE(full.ok()) << full.status();
  ExpectSameReport(*cli, *full);
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  for (int i = 0; i < 30; ++i) {
    const int pid = 100 + i;
    SCOPED_TRACE(pid);
    // The 20 largest (twice the table's 10) are exact, the rest keep stat's figure.
    const uint64_t resident = 1000 + 100 * i, stat_rss = resident - 20 - 10 * (i % 3);
    EXPECT_EQ(full->snapshot.FindProcess(pid)->rss_bytes, resident * page);
    EXPECT_EQ(cli->snapshot.FindProcess(pid)->rss_bytes, (i >= 10 ? resident : stat_rss) * page);
  }
}

}  // namespace
}  // namespace procleak
