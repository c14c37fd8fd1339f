// SPDX-License-Identifier: Apache-2.0
// RefineNamespaces(): status's innermost NSpid for chosen processes of a brief scan, identity
// checked; on every fixture tree it gives what a full scan reads, and live, a process started by
// `unshare --pid --fork` is its namespace's pid 1.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "integration/live_processes.h"
#include "procleak/scan.h"
#include "testing/fake_proc.h"
#include "testing/fixture_trees.h"
#include "testing/reference_scan.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::RefineInPlace;

using testing::StatLine;
using testing::TempTree;
using testing::WriteProcess;

std::vector<int> PidsOf(const Snapshot& snapshot) {
  std::vector<int> pids;
  for (const Process& p : snapshot.processes()) pids.push_back(p.pid);
  return pids;
}

class FixtureTree : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureTree, BriefScanRefined_HasTheNsPidsOfAFullScan) {
  const std::string root = testing::DataDir(GetParam());
  absl::StatusOr<Snapshot> full = Scan({.root = root});
  absl::StatusOr<Snapshot> brief = Scan({.root = root, .read = ReadPlan::Brief()});
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_TRUE(brief.ok()) << brief.status();
  for (const Process& p : brief->processes()) EXPECT_FALSE(p.ns_pid.has_value()) << p.pid;
  ASSERT_TRUE(RefineInPlace(RefineNamespaces, {.root = root}, PidsOf(*brief), &*brief).ok());
  int nested = 0;
  for (const Process& p : full->processes()) {
    const Process* b = brief->FindProcess(p.pid);
    ASSERT_NE(b, nullptr) << p.pid;
    EXPECT_EQ(b->ns_pid, p.ns_pid) << p.pid;
    nested += p.ns_pid.has_value();
  }
  // Every tree but hybrid runs containers, whose processes' status have two NSpid values.
  if (GetParam() != "hybrid") {
    EXPECT_GT(nested, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTree, FixtureTree, ::testing::ValuesIn(testing::FixtureTrees()),
                         testing::FixtureTestName);

TEST(RefineNamespacesIncident, NamesTheContainerSidePids) {
  const std::string root = testing::DataDir("incident");
  absl::StatusOr<Snapshot> brief = Scan({.root = root, .read = ReadPlan::Brief()});
  ASSERT_TRUE(brief.ok()) << brief.status();
  ASSERT_TRUE(
      RefineInPlace(RefineNamespaces, {.root = root}, {2000, 2010, 1, 2, 99999}, &*brief).ok());
  EXPECT_EQ(brief->FindProcess(2000)->ns_pid, 1);   // tini, the container's init
  EXPECT_EQ(brief->FindProcess(2010)->ns_pid, 31);  // the gateway's second instance
  EXPECT_EQ(brief->FindProcess(1)->ns_pid, std::nullopt);
  EXPECT_EQ(brief->FindProcess(2)->ns_pid, std::nullopt);
  EXPECT_EQ(brief->FindProcess(3000)->ns_pid, std::nullopt);  // not chosen
}

// init (1) and 42, which is pid 7 of a nested namespace.
class RefineNamespacesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteHost(tree_);
    WriteProcess(tree_, 1, 0, "init");
    WriteProcess(tree_, 42, 1, "a", 2000);
    tree_.Write("proc/42/status", "Name:\ta\nUid:\t0\t0\t0\t0\nNSpid:\t42\t7\nThreads:\t1\n");
    absl::StatusOr<Snapshot> s = Scan(options_);
    ASSERT_TRUE(s.ok()) << s.status();
    snapshot_ = *std::move(s);
  }
  std::optional<int> NsPid(int pid) const { return snapshot_.FindProcess(pid)->ns_pid; }

  TempTree tree_;
  ScanOptions options_{.root = tree_.root(), .read = ReadPlan::Brief()};
  Snapshot snapshot_;
};

TEST_F(RefineNamespacesTest, SetsTheChosenProcessesNsPid) {
  EXPECT_EQ(NsPid(42), std::nullopt);
  ASSERT_TRUE(RefineInPlace(RefineNamespaces, options_, {1, 42}, &snapshot_).ok());
  EXPECT_EQ(NsPid(42), 7);
  EXPECT_EQ(NsPid(1), std::nullopt);
}

TEST_F(RefineNamespacesTest, LeavesUnchanged_WhenProcessEndedOrPidNamesAnother) {
  tree_.Write("proc/42/stat", StatLine(42, "a", 'S', 1, 2001));  // pid reused
  ASSERT_TRUE(RefineInPlace(RefineNamespaces, options_, {42}, &snapshot_).ok());
  EXPECT_EQ(NsPid(42), std::nullopt);
  tree_.Remove("proc/42");
  ASSERT_TRUE(RefineInPlace(RefineNamespaces, options_, {42}, &snapshot_).ok());
  EXPECT_EQ(NsPid(42), std::nullopt);
  EXPECT_EQ(snapshot_.stats().skipped_vanished, 0);
}

TEST_F(RefineNamespacesTest, Fails_NamingMalformedStatus) {
  tree_.Write("proc/42/status", "Name:\ta\nUid:\t0\t0\t0\t0\nNSpid:\t42\t7x\n");
  absl::Status refined = RefineInPlace(RefineNamespaces, options_, {42}, &snapshot_);
  ASSERT_FALSE(refined.ok());
  EXPECT_EQ(refined.message(), tree_.Path("proc/42/status") + ": line 3: bad value for NSpid");
}

TEST_F(RefineNamespacesTest, Fails_NamingAMissingProc) {
  absl::Status refined =
      RefineInPlace(RefineNamespaces, {.root = tree_.Path("nowhere")}, {42}, &snapshot_);
  ASSERT_FALSE(refined.ok());
  EXPECT_NE(std::string(refined.message()).find(tree_.Path("nowhere/proc")), std::string::npos)
      << refined;
}

// Live: `unshare --pid --fork` forks the command into a new pid namespace, where it is pid 1.
TEST(RefineNamespacesLive, ChildOfUnshare_IsPidOneOfItsNamespace) {
  if (geteuid() != 0) GTEST_SKIP() << "unshare --pid needs root";
  testing::LiveProcesses live;
  testing::SpawnSpec spec;
  spec.argv = {"unshare", "--pid", "--fork", "--kill-child", "sleep", "600"};
  std::optional<pid_t> unshare = live.Start(spec);
  ASSERT_TRUE(unshare.has_value());
  std::optional<pid_t> child;
  ASSERT_TRUE(testing::PollUntil(
      [&] {
        for (const testing::LiveProcess& p : testing::ReadAllLiveProcesses()) {
          if (p.ppid == *unshare && !p.argv.empty() && p.argv[0] == "sleep") child = p.pid;
        }
        return child.has_value();
      },
      std::chrono::seconds(10)))
      << "unshare started no sleep";
  absl::StatusOr<Snapshot> brief = Scan({.root = "/", .read = ReadPlan::Brief()});
  ASSERT_TRUE(brief.ok()) << brief.status();
  ASSERT_NE(brief->FindProcess(*child), nullptr);
  EXPECT_EQ(brief->FindProcess(*child)->ns_pid, std::nullopt);
  ASSERT_TRUE(
      RefineInPlace(RefineNamespaces, {.root = "/"}, {*unshare, *child, getpid()}, &*brief).ok());
  EXPECT_EQ(brief->FindProcess(*child)->ns_pid, 1);
  EXPECT_EQ(brief->FindProcess(*unshare)->ns_pid, std::nullopt);  // still in ours
  EXPECT_EQ(brief->FindProcess(getpid())->ns_pid, std::nullopt);
  // The child stays in unshare's process group and session.
  EXPECT_EQ(brief->FindProcess(*child)->pgid, *unshare);
  EXPECT_EQ(brief->FindProcess(*child)->sid, brief->FindProcess(*unshare)->sid);
  // A full scan reads the same from status.
  absl::StatusOr<Snapshot> full = Scan({.root = "/"});
  ASSERT_TRUE(full.ok()) << full.status();
  ASSERT_NE(full->FindProcess(*child), nullptr);
  EXPECT_EQ(full->FindProcess(*child)->ns_pid, 1);
  EXPECT_TRUE(live.KillAll().empty());
}

}  // namespace
}  // namespace procleak
