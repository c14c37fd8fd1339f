// SPDX-License-Identifier: Apache-2.0
// ns_pid from the ns/pid link: ProcPidNamespace, and ReadProcessBrief and ReadProcess reading
// status only for processes whose link names another pid namespace, on ad-hoc trees whose ns/pid
// links are symlinks to "pid:[N]" as procfs shows them.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "procfs/process_reader.h"
#include "testing/fake_proc.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::TempTree;
using testing::WriteProcess;

// proc/PID of `comm` whose status says NSpid `nspid` and whose ns/pid link is `ns` (none if empty).
// Its directory belongs to uid 1000 where the test may give it away, so that the full reader
// takes the uid from the owner and does not read status for it.
void WriteNsProcess(const TempTree& tree, int pid, const std::string& ns,
                    const std::string& nspid) {
  WriteProcess(tree, pid, 1, "app");
  const std::string dir = "proc/" + std::to_string(pid);
  tree.Write(dir + "/status", "Name:\tapp\nUid:\t1000\t1000\t1000\t1000\nNSpid:\t" + nspid + "\n");
  if (!ns.empty()) {
    tree.MakeDir(dir + "/ns");
    std::filesystem::create_symlink(ns, tree.Path(dir + "/ns/pid"));
  }
  if (geteuid() == 0) {
    ASSERT_EQ(chown(tree.Path(dir).c_str(), 1000, 1000), 0);
  }
}

class PidNamespaceTree : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteProcess(tree_, 1, 0, "init");
    tree_.MakeDir("proc/1/ns");
    std::filesystem::create_symlink("pid:[4026531836]", tree_.Path("proc/1/ns/pid"));
    // Same namespace as pid 1: a status that claims otherwise must not be read.
    WriteNsProcess(tree_, 10, "pid:[4026531836]", "10\t4");
    WriteNsProcess(tree_, 20, "pid:[4026532500]", "20\t1");
    WriteNsProcess(tree_, 30, "", "30\t2");  // no link: nothing to compare
    proc_fd_ = open(tree_.Path("proc").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ctx_.proc_fd = proc_fd_;
    ctx_.proc_path = tree_.Path("proc");
    ctx_.ns_pid = true;
    ctx_.pid_ns = ProcPidNamespace(proc_fd_);
  }
  void TearDown() override { close(proc_fd_); }

  template <typename ReadFn>
  std::optional<int> NsPidOf(ReadFn read, int pid) {
    Process p;
    absl::StatusOr<ProcessRead> outcome = read(pid, &ctx_, &p);
    EXPECT_TRUE(outcome.ok()) << outcome.status();
    EXPECT_EQ(outcome.value_or(ProcessRead::kVanished), ProcessRead::kRead) << pid;
    return p.ns_pid;
  }

  TempTree tree_;
  int proc_fd_ = -1;
  ProcessReadContext ctx_;
};

TEST_F(PidNamespaceTree, ProcPidNamespace_IsPidOnesLink) {
  EXPECT_EQ(ctx_.pid_ns, "pid:[4026531836]");
}

TEST_F(PidNamespaceTree, ProcPidNamespace_IsEmpty_WithoutPidOnesLinkNorSelf) {
  tree_.Remove("proc/1/ns");
  EXPECT_EQ(ProcPidNamespace(proc_fd_), "");
}

TEST_F(PidNamespaceTree, Brief_ReadsStatusOnlyWhereTheLinkNamesAnotherNamespace) {
  ctx_.uid = ctx_.exe = true;
  ctx_.owner_is_uid = true;  // as on procfs of Linux 4.11 or later: no status for the uid
  EXPECT_EQ(NsPidOf(ReadProcessBrief, 10), std::nullopt);
  EXPECT_EQ(NsPidOf(ReadProcessBrief, 20), 1);
  EXPECT_EQ(NsPidOf(ReadProcessBrief, 30), std::nullopt);
}

TEST_F(PidNamespaceTree, Brief_TakesNoUidFromStatusReadForNsPid) {
  ctx_.owner_is_uid = true;  // uid not asked for
  Process p;
  ASSERT_TRUE(ReadProcessBrief(20, &ctx_, &p).ok());
  EXPECT_EQ(p.ns_pid, 1);
  EXPECT_EQ(p.uid, std::nullopt);
}

TEST_F(PidNamespaceTree, Brief_ReadsNoLinkWithoutNsPid) {
  ctx_.ns_pid = false;
  ctx_.owner_is_uid = true;
  EXPECT_EQ(NsPidOf(ReadProcessBrief, 20), std::nullopt);
}

TEST_F(PidNamespaceTree, Full_ReadsStatusOfAProcessNotOwnedByRoot_WhereTheLinkDiffers) {
  if (geteuid() != 0) GTEST_SKIP() << "needs to give the fixture's directories to another uid";
  EXPECT_EQ(NsPidOf(ReadProcess, 10), std::nullopt);
  EXPECT_EQ(NsPidOf(ReadProcess, 20), 1);
  EXPECT_EQ(NsPidOf(ReadProcess, 30), std::nullopt);
}

}  // namespace
}  // namespace procleak
