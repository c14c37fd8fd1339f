// SPDX-License-Identifier: Apache-2.0
// RefineRss(): statm's exact RSS for chosen processes of a brief scan, identity checked, subtree
// sums recomputed.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "procleak/scan.h"
#include "testing/fake_proc.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::StatLine;
using testing::TempTree;
using testing::WriteProcess;

// init (1) with children 42 and 43 and a zombie 44; stat says 381 pages for each live one, statm
// 500 for 42 and 600 for 43.
class RefineRssTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteHost(tree_);
    WriteProcess(tree_, 1, 0, "init");
    WriteProcess(tree_, 42, 1, "a", 2000);
    tree_.Write("proc/42/statm", "900 500 300 5 0 123 0\n");
    WriteProcess(tree_, 43, 1, "b", 3000);
    tree_.Write("proc/43/statm", "900 600 300 5 0 123 0\n");
    tree_.Write("proc/44/stat", StatLine(44, "z", 'Z', 1, 4000));
    absl::StatusOr<Snapshot> s = Scan(options_);
    ASSERT_TRUE(s.ok()) << s.status();
    snapshot_ = *std::move(s);
  }
  std::optional<uint64_t> Rss(int pid) const { return snapshot_.FindProcess(pid)->rss_bytes; }
  uint64_t Subtree(int pid) const { return snapshot_.FindProcess(pid)->subtree_rss_bytes; }
  void Refine(const std::vector<int>& pids) {
    absl::StatusOr<Snapshot> refined = RefineRss(options_, snapshot_, pids);
    ASSERT_TRUE(refined.ok()) << refined.status();
    snapshot_ = *std::move(refined);
  }

  const uint64_t page_ = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  TempTree tree_;
  ScanOptions options_{.root = tree_.root(), .read = ReadPlan::Brief()};
  Snapshot snapshot_;
};

TEST_F(RefineRssTest, BriefScan_TakesRssFromStat) {
  EXPECT_EQ(Rss(42), 381 * page_);
  EXPECT_EQ(Rss(43), 381 * page_);
  EXPECT_EQ(Rss(44), std::nullopt);
  EXPECT_EQ(Subtree(1), 3 * 381 * page_);
}

TEST_F(RefineRssTest, MakesChosenProcessesExact_AndSumsSubtreesAgain) {
  Refine({42});
  EXPECT_EQ(Rss(42), 500 * page_);
  EXPECT_EQ(Rss(43), 381 * page_);  // not chosen
  EXPECT_EQ(Subtree(42), 500 * page_);
  EXPECT_EQ(Subtree(1), (381 + 500 + 381) * page_);
  EXPECT_EQ(snapshot_.FindProcess(1)->descendants, 3);
  Refine({1, 43, 42});
  EXPECT_EQ(Rss(43), 600 * page_);
  EXPECT_EQ(Subtree(1), (381 + 500 + 600) * page_);
  EXPECT_EQ(snapshot_.FindProcess(1)->descendants, 3);  // not counted twice
}

TEST_F(RefineRssTest, KeepsScanFigure_WhenProcessEndedOrPidNamesAnother) {
  tree_.Remove("proc/42");
  tree_.Write("proc/43/stat", StatLine(43, "b", 'S', 1, 3001));  // pid reused
  Refine({42, 43});
  EXPECT_EQ(Rss(42), 381 * page_);
  EXPECT_EQ(Rss(43), 381 * page_);
  EXPECT_EQ(Subtree(1), 3 * 381 * page_);
}

TEST_F(RefineRssTest, LeavesTheSnapshotItWasGivenUnchanged) {
  const Snapshot before = snapshot_;
  absl::StatusOr<Snapshot> refined = RefineRss(options_, before, {42, 43});
  ASSERT_TRUE(refined.ok()) << refined.status();
  EXPECT_EQ(before.FindProcess(42)->rss_bytes, 381 * page_);
  EXPECT_EQ(refined->FindProcess(42)->rss_bytes, 500 * page_);
  EXPECT_EQ(refined->FindProcess(1)->subtree_rss_bytes, (381 + 500 + 600) * page_);
}

TEST_F(RefineRssTest, IgnoresUnknownPidsAndProcessesWithoutRss) {
  tree_.Write("proc/44/statm", "900 700 300 5 0 123 0\n");
  Refine({44, 999, -1});
  EXPECT_EQ(Rss(44), std::nullopt);
  EXPECT_EQ(snapshot_.FindProcess(999), nullptr);
  EXPECT_EQ(Subtree(1), 3 * 381 * page_);
}

TEST_F(RefineRssTest, Fails_NamingMalformedStatm) {
  tree_.Write("proc/43/statm", "1 2\n");
  absl::StatusOr<Snapshot> refined = RefineRss(options_, snapshot_, {43});
  ASSERT_FALSE(refined.ok());
  EXPECT_EQ(refined.status().message(),
            tree_.Path("proc/43/statm") + ": too few fields: 2, need at least 3");
}

}  // namespace
}  // namespace procleak
