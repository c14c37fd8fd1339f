// SPDX-License-Identifier: Apache-2.0
// Scans this machine while a real process tree (sh with sleep children) runs, and checks it.
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "testing/own_cgroup.h"
#include "procleak/scan.h"

namespace procleak {
namespace {

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}


// Starts `sh -c 'sleep 300 & sleep 300 & sleep 300 & wait'` in its own process group, with this
// test as child subreaper so the sleeps are ours to reap. The destructor kills and reaps all of
// them, also when an assertion failed.
class ShellTree {
 public:
  ShellTree() {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      execl("/bin/sh", "sh", "-c", "sleep 300 & sleep 300 & sleep 300 & wait", nullptr);
      _exit(127);
    }
    setpgid(pid_, pid_);
  }
  ~ShellTree() {
    kill(-pid_, SIGKILL);
    while (waitpid(-1, nullptr, 0) > 0) {
    }
    prctl(PR_SET_CHILD_SUBREAPER, 0);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_;
};

// Scans until the shell shows three exec'd sleep children that have settled: asleep, with the
// same RSS as in the scan before (fork, exec and the dynamic loader take a moment, longer on a
// busy machine or under a sanitizer).
absl::StatusOr<Snapshot> ScanWhenReady(pid_t shell) {
  absl::StatusOr<Snapshot> s;
  std::map<int, std::optional<uint64_t>> last_rss;
  for (int attempt = 0; attempt < 100; ++attempt) {
    s = Scan({.root = "/"});
    if (!s.ok()) return s;
    const Process* p = s->FindProcess(shell);
    int settled = 0;
    std::map<int, std::optional<uint64_t>> rss;
    if (p != nullptr) {
      for (int child : p->children) {
        const Process* c = s->FindProcess(child);
        if (c == nullptr || c->argv != std::vector<std::string>{"sleep", "300"}) continue;
        rss[child] = c->rss_bytes;
        auto before = last_rss.find(child);
        if (c->state == 'S' && before != last_rss.end() && before->second == c->rss_bytes) {
          ++settled;
        }
      }
    }
    if (settled == 3) return s;
    last_rss = std::move(rss);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return s;
}

TEST(ScanLive, SeesRealShellTreeWithArgvRssCgroupAndSubtreeCounts) {
  ShellTree tree;
  absl::StatusOr<Snapshot> s = ScanWhenReady(tree.pid());
  ASSERT_TRUE(s.ok()) << s.status();

  const Process* shell = s->FindProcess(tree.pid());
  ASSERT_NE(shell, nullptr);
  EXPECT_EQ(shell->ppid, getpid());
  EXPECT_EQ(shell->argv, (std::vector<std::string>{"sh", "-c",
                                                   "sleep 300 & sleep 300 & sleep 300 & wait"}));
  ASSERT_EQ(shell->children.size(), 3u);
  EXPECT_EQ(shell->descendants, 3);
  EXPECT_FALSE(shell->kernel_thread);
  EXPECT_EQ(shell->uid, getuid());

  const std::string cgroup = testing::OwnAccountingCgroup();
  const Cgroup* group = s->FindCgroup(cgroup);
  ASSERT_NE(group, nullptr) << cgroup;
  uint64_t subtree_rss = 0;
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  for (const Process* p : {shell, s->FindProcess(shell->children[0]),
                           s->FindProcess(shell->children[1]), s->FindProcess(shell->children[2])}) {
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->cgroup, cgroup);
    EXPECT_TRUE(std::binary_search(group->pids.begin(), group->pids.end(), p->pid));
    // A sleeping process's RSS does not move: it must equal statm's resident pages now.
    std::istringstream statm(ReadWhole("/proc/" + std::to_string(p->pid) + "/statm"));
    uint64_t size = 0, resident = 0;
    statm >> size >> resident;
    ASSERT_TRUE(p->rss_bytes.has_value());
    EXPECT_EQ(*p->rss_bytes, resident * page) << p->pid;
    subtree_rss += *p->rss_bytes;
    if (p != shell) {
      EXPECT_EQ(p->ppid, shell->pid);
      EXPECT_EQ(p->comm, "sleep");
    }
  }
  EXPECT_EQ(shell->subtree_rss_bytes, subtree_rss);

  const Process* self = s->FindProcess(getpid());
  ASSERT_NE(self, nullptr);
  EXPECT_GE(self->descendants, 4);
  EXPECT_GT(s->host().mem_total_bytes.value_or(0), 0u);
  EXPECT_NE(s->host().cgroup_mode, CgroupMode::kNone);
}

TEST(ScanLive, EveryScanSucceeds_WhileChildrenExit) {
  // Children that exit while we scan: some are listed and gone before their files are read.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  int vanished = 0;
  for (int round = 0; round < 20; ++round) {
    for (int i = 0; i < 20; ++i) {
      pid_t child = fork();
      if (child == 0) _exit(0);
    }
    absl::StatusOr<Snapshot> s = Scan({.root = "/"});
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    ASSERT_TRUE(s.ok()) << s.status();
    vanished += s->stats().skipped_vanished;
    for (const Process& p : s->processes()) EXPECT_GT(p.pid, 0);
  }
  while (waitpid(-1, nullptr, 0) > 0) {
  }
  prctl(PR_SET_CHILD_SUBREAPER, 0);
  // Not asserted > 0: whether a child exits inside the window is up to the scheduler.
  RecordProperty("vanished", vanished);
}

}  // namespace
}  // namespace procleak
