// SPDX-License-Identifier: Apache-2.0
// Scanner: warm rescans re-read only what changes, and still see every process start and end.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "procleak/scan.h"
#include "testing/fake_proc.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::StatLine;
using testing::TempTree;
using testing::WriteHost;
using testing::WriteProcess;

class RescanTree : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteHost(tree_);
    WriteProcess(tree_, 1, 0, "init");
    WriteProcess(tree_, 40, 1, "parent");
    WriteProcess(tree_, 42, 40, "worker");
  }
  Snapshot Next(Scanner& scanner) {
    absl::StatusOr<Snapshot> s = scanner.Next();
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? *std::move(s) : Snapshot();
  }
  TempTree tree_;
};

TEST_F(RescanTree, Rescan_RereadsRssButNotCommandLine) {
  Scanner scanner({.root = tree_.root()});
  Snapshot first = Next(scanner);
  EXPECT_EQ(scanner.reused(), 0);
  tree_.Write("proc/42/statm", "765 500 305 5 0 123 0\n");
  tree_.Write("proc/42/cmdline", std::string("changed\0", 8));
  tree_.Write("sys/fs/cgroup/app.slice/memory.current", "8192000\n");
  Snapshot second = Next(scanner);
  EXPECT_EQ(scanner.reused(), 3);
  const Process* p = second.FindProcess(42);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->rss_bytes, 500u * 4096u);
  EXPECT_EQ(p->argv, (std::vector<std::string>{"worker", "--flag"}));  // not read again
  EXPECT_EQ(second.FindCgroup("/app.slice")->memory_bytes, 8192000u);  // cgroups are
  EXPECT_EQ(second.FindProcess(1)->descendants, 2);
}

TEST_F(RescanTree, Rescan_ReadsNewProcessesInFullAndDropsEndedOnes) {
  Scanner scanner({.root = tree_.root()});
  Next(scanner);
  WriteProcess(tree_, 50, 1, "newcomer");
  tree_.Remove("proc/42");
  Snapshot second = Next(scanner);
  EXPECT_EQ(second.FindProcess(42), nullptr);
  const Process* p = second.FindProcess(50);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->argv, (std::vector<std::string>{"newcomer", "--flag"}));
  EXPECT_EQ(p->cgroup, "/app.slice");
  EXPECT_EQ(second.FindCgroup("/app.slice")->pids, (std::vector<int>{1, 40, 50}));
  EXPECT_EQ(scanner.reused(), 2);
}

TEST_F(RescanTree, Rescan_ReadsReusedPidAsAnotherProcess) {
  Scanner scanner({.root = tree_.root()});
  Next(scanner);
  // Process 42 ended and a new one got its pid: another directory, a later starttime.
  tree_.Remove("proc/42");
  WriteProcess(tree_, 42, 1, "impostor", 5000);
  Snapshot second = Next(scanner);
  const Process* p = second.FindProcess(42);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->starttime_ticks, 5000u);
  EXPECT_EQ(p->comm, "impostor");
  EXPECT_EQ(p->argv, (std::vector<std::string>{"impostor", "--flag"}));
  EXPECT_EQ(p->ppid, 1);
}

TEST_F(RescanTree, Rescan_SeesZombieWhenMemoryMapIsGone) {
  Scanner scanner({.root = tree_.root()});
  Next(scanner);
  tree_.Write("proc/42/stat", StatLine(42, "worker", 'Z', 40, 1000));
  tree_.Write("proc/42/statm", "0 0 0 0 0 0 0\n");
  Snapshot second = Next(scanner);
  const Process* p = second.FindProcess(42);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->state, 'Z');
  EXPECT_FALSE(p->rss_bytes.has_value());
}

TEST_F(RescanTree, Rescan_RereadsParentOfOrphanedChild) {
  Scanner scanner({.root = tree_.root()});
  Next(scanner);
  tree_.Remove("proc/40");
  tree_.Write("proc/42/stat", StatLine(42, "worker", 'S', 1, 1000));
  Snapshot second = Next(scanner);
  const Process* p = second.FindProcess(42);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->ppid, 1);
  EXPECT_EQ(second.FindProcess(1)->children, (std::vector<int>{42}));
}

TEST_F(RescanTree, Rescan_UpdatesGroupSessionAndTerminal_WhenItRereadsStat_AndKeepsNsPid) {
  tree_.Write("proc/42/status", "Name:\tworker\nUid:\t0\t0\t0\t0\nNSpid:\t42\t3\nThreads:\t1\n");
  Scanner scanner({.root = tree_.root()});
  const Snapshot first = Next(scanner);
  ASSERT_NE(first.FindProcess(42), nullptr);
  EXPECT_EQ(first.FindProcess(42)->pgid, 42);
  EXPECT_EQ(first.FindProcess(42)->ns_pid, 3);
  // Its parent ended (so stat is read again), and it had moved to another group and session.
  tree_.Remove("proc/40");
  std::string stat = StatLine(42, "worker", 'S', 1, 1000);
  stat.replace(stat.find(" 1 42 0 0 -1 "), 13, " 1 77 70 34816 -1 ");
  tree_.Write("proc/42/stat", stat);
  tree_.Write("proc/42/status", "Name:\tworker\nUid:\t0\t0\t0\t0\nNSpid:\t42\nThreads:\t1\n");
  const Snapshot second = Next(scanner);
  EXPECT_EQ(scanner.reused(), 2);
  const Process* p = second.FindProcess(42);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->ppid, 1);
  EXPECT_EQ(p->pgid, 77);
  EXPECT_EQ(p->sid, 70);
  EXPECT_EQ(p->tty_nr, 34816);
  EXPECT_EQ(p->ns_pid, 3);  // status is not read again: a process never changes namespace
}

TEST_F(RescanTree, Rescan_FailsNamingMalformedStatm) {
  Scanner scanner({.root = tree_.root()});
  Next(scanner);
  tree_.Write("proc/42/statm", "garbage\n");
  absl::StatusOr<Snapshot> second = scanner.Next();
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(std::string(second.status().message()).rfind(tree_.Path("proc/42/statm") + ": ", 0), 0u)
      << second.status();
}

// Live: children forked between two rescans appear, those killed disappear, and the warm
// snapshot agrees with a full scan taken right after it on every process both hold.
TEST(RescanLive, Rescan_AgreesWithFullScanAfterChildrenStartAndEnd) {
  std::vector<pid_t> children;
  auto fork_child = [&]() {
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (;;) pause();
    }
    ASSERT_GT(pid, 0);
    children.push_back(pid);
  };
  struct Reaper {
    std::vector<pid_t>* pids;
    ~Reaper() {
      for (pid_t pid : *pids) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
  } reaper{&children};
  for (int i = 0; i < 5; ++i) fork_child();
  Scanner scanner({});
  absl::StatusOr<Snapshot> first = scanner.Next();
  ASSERT_TRUE(first.ok()) << first.status();
  for (int i = 0; i < 5; ++i) ASSERT_NE(first->FindProcess(children[i]), nullptr);

  const pid_t ended = children[0];
  kill(ended, SIGKILL);
  waitpid(ended, nullptr, 0);
  children.erase(children.begin());
  // Another one exits but is not reaped yet: a zombie, whose kept statm reads all zeros.
  const pid_t zombie = children[0];
  kill(zombie, SIGKILL);
  siginfo_t info{};
  ASSERT_EQ(waitid(P_PID, static_cast<id_t>(zombie), &info, WEXITED | WNOWAIT), 0);
  for (int i = 0; i < 5; ++i) fork_child();

  absl::StatusOr<Snapshot> warm = scanner.Next();
  ASSERT_TRUE(warm.ok()) << warm.status();
  absl::StatusOr<Snapshot> full = Scan({});
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_GT(scanner.reused(), 0);
  EXPECT_EQ(warm->FindProcess(ended), nullptr);
  const Process* z = warm->FindProcess(zombie);
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->state, 'Z');
  EXPECT_FALSE(z->rss_bytes.has_value());
  for (pid_t pid : children) {
    if (pid == zombie) continue;
    const Process* w = warm->FindProcess(pid);
    const Process* f = full->FindProcess(pid);
    ASSERT_NE(w, nullptr) << pid;
    ASSERT_NE(f, nullptr) << pid;
    EXPECT_EQ(w->ppid, getpid());
    EXPECT_EQ(w->starttime_ticks, f->starttime_ticks);
    EXPECT_EQ(w->argv, f->argv);
    EXPECT_EQ(w->cgroup, f->cgroup);
    EXPECT_EQ(w->rss_bytes.has_value(), f->rss_bytes.has_value());
  }
  // Processes of this test that both snapshots hold have the same identity and parent.
  const Process* self_warm = warm->FindProcess(getpid());
  ASSERT_NE(self_warm, nullptr);
  EXPECT_EQ(self_warm->children.size(), children.size());
}

}  // namespace
}  // namespace procleak
