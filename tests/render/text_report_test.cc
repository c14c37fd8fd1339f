// SPDX-License-Identifier: Apache-2.0
#include "render/text_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "report_fixture.h"

namespace procleak {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(TextReport, FitsEightyColumns_AndHasNoEscapesWithoutColor) {
  TextOptions options;
  for (const std::string& text : {RenderScanText(testing::ReportSnapshot(), options),
                                  RenderTree(testing::ReportSnapshot(), options)}) {
    for (const std::string& line : Lines(text)) EXPECT_LE(line.size(), 80u) << line;
    EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  }
}

TEST(TextReport, UsesColor_OnlyWhenAsked) {
  TextOptions options;
  options.color = true;
  EXPECT_THAT(RenderScanText(testing::ReportSnapshot(), options), HasSubstr("\x1b[1m"));
}

// The docker cgroup uses 88% of its limit: coloured by the findings' memory thresholds.
TEST(TextReport, CgroupRowColour_FollowsTheMemoryThresholds) {
  const std::string row = "900.0 MiB     1.0 GiB    88      2  /docker/2403ccfe";
  TextOptions options;
  options.color = true;
  EXPECT_THAT(RenderScanText(testing::ReportSnapshot(), options), HasSubstr("\x1b[33m " + row));
  options.thresholds.critical_memory_limit = 0.85;
  EXPECT_THAT(RenderScanText(testing::ReportSnapshot(), options),
              HasSubstr("\x1b[31;1m " + row));
  options.thresholds = Thresholds();
  options.thresholds.near_memory_limit = 0.9;
  const std::string text = RenderScanText(testing::ReportSnapshot(), options);
  EXPECT_THAT(text, HasSubstr("\n " + row));
  EXPECT_THAT(text, Not(HasSubstr("m " + row)));
}

TEST(TextReport, ShowsHostMemoryCgroupsByMemoryAndLargestProcesses) {
  std::string text = RenderScanText(testing::ReportSnapshot(), TextOptions{});
  std::vector<std::string> lines = Lines(text);
  EXPECT_THAT(lines[0], HasSubstr("host web-1"));
  EXPECT_THAT(lines[0], HasSubstr("cgroup hybrid"));
  EXPECT_EQ(lines[1], "memory 4.0 GiB used of 24.0 GiB (17%), 20.0 GiB available");
  size_t root_row = text.find("unlimited");
  size_t docker_row = text.find("900.0 MiB     1.0 GiB    88      2  /docker/2403ccfe");
  ASSERT_NE(root_row, std::string::npos);
  ASSERT_NE(docker_row, std::string::npos) << text;
  EXPECT_LT(root_row, docker_row);  // 1 GiB before 900 MiB
  EXPECT_THAT(text, HasSubstr("    100        1   600.0 MiB  node aaaa"));
  EXPECT_THAT(text, HasSubstr("6 processes (3 kernel threads) in 12.5 ms; skipped 2 vanished, 1 "
                              "denied"));
}

TEST(TextReport, NotRoot_SaysOnceWhyFilesWereDenied) {
  const std::string hint = "not root: the denied files are other users'";
  TextOptions options;
  EXPECT_THAT(RenderScanText(testing::ReportSnapshot(), options), Not(HasSubstr(hint)));
  options.not_root = true;  // the report snapshot counts one denied file
  std::string text = RenderScanText(testing::ReportSnapshot(), options);
  size_t at = text.find(hint);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_EQ(text.find(hint, at + 1), std::string::npos);  // once, not per process
  for (const std::string& line : Lines(text)) EXPECT_LE(line.size(), 80u) << line;
}

TEST(TextReport, ProcessList_LimitedToSubtree) {
  TextOptions options;
  options.subtree_of = 101;
  std::string text = RenderScanText(testing::ReportSnapshot(), options);
  EXPECT_THAT(text, HasSubstr("sh -c node server.js"));
  EXPECT_THAT(text, Not(HasSubstr("/sbin/init")));
}

TEST(TextReport, Tree_ShowsSubtreeTotalsAndFoldsKernelThreads) {
  std::string text = RenderTree(testing::ReportSnapshot(), TextOptions{});
  EXPECT_THAT(text, HasSubstr("     3   610.0 MiB  1 /sbin/init"));
  EXPECT_THAT(text, HasSubstr("     2   602.0 MiB  `- 100 node aaa"));
  EXPECT_THAT(text, HasSubstr("     1     2.0 MiB     `- 101 sh -c node server.js"));
  EXPECT_THAT(text, HasSubstr("2 [kthreadd] (+2 kernel threads)"));
  EXPECT_THAT(text, Not(HasSubstr("kworker")));
}

TEST(TextReport, TreeFromKernelThread_ShowsItsChildren) {
  TextOptions options;
  options.subtree_of = 2;
  std::string text = RenderTree(testing::ReportSnapshot(), options);
  EXPECT_THAT(text, HasSubstr("|- 3 [kworker/0:0]"));
  EXPECT_THAT(text, HasSubstr("`- 4 [kworker/u8:2-writeback]"));
  EXPECT_THAT(text, Not(HasSubstr("init")));
}

TEST(TextReport, HostileComm_IsEscapedNotPrinted) {
  std::vector<Process> procs = {testing::MakeProcess(7, 0, "x\x1b[2Jy", {}, 4096, "/")};
  Snapshot s = Snapshot::Build(Host{}, std::move(procs), {}, ScanStats{});
  std::string text = RenderScanText(s, TextOptions{}) + RenderTree(s, TextOptions{});
  EXPECT_THAT(text, Not(HasSubstr("\x1b")));
  EXPECT_THAT(text, HasSubstr("[x\\x1b[2Jy]"));
}

TEST(TextReport, DeepChain_KeepsIndentBoundedAndShowsDepth) {
  std::vector<Process> procs;
  for (int pid = 1; pid <= 100; ++pid) {
    procs.push_back(testing::MakeProcess(pid, pid - 1, "sh", {"sh"}, 4096, "/"));
  }
  Snapshot s = Snapshot::Build(Host{}, std::move(procs), {}, ScanStats{});
  std::vector<std::string> lines = Lines(RenderTree(s, TextOptions{}));
  ASSERT_EQ(lines.size(), 101u);
  EXPECT_THAT(lines.back(), HasSubstr("[depth 99] 100 sh"));
  for (const std::string& line : lines) EXPECT_LE(line.size(), 80u);
}

}  // namespace
}  // namespace procleak
