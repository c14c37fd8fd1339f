// SPDX-License-Identifier: Apache-2.0
// Scan() over small ad-hoc trees: error paths and the vanished-process policy.
#include <gtest/gtest.h>

#include <string>

#include "procleak/scan.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::TempTree;

std::string StatLine(int pid, std::string_view comm, char state, int ppid, uint64_t starttime) {
  // Fields 3..52 of a real stat line; flags 0x400100, 1 thread, rss 381 pages.
  return std::to_string(pid) + " (" + std::string(comm) + ") " + state + " " +
         std::to_string(ppid) + " " + std::to_string(pid) +
         " 0 0 -1 4194560 134 0 1 0 0 0 0 0 20 0 1 0 " + std::to_string(starttime) +
         " 3133440 381 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 "
         "0 0 0\n";
}

void WriteProcess(const TempTree& tree, int pid, int ppid, std::string_view comm) {
  std::string dir = "proc/" + std::to_string(pid) + "/";
  tree.Write(dir + "stat", StatLine(pid, comm, 'S', ppid, 1000));
  tree.Write(dir + "statm", "765 381 305 5 0 123 0\n");
  tree.Write(dir + "status", "Name:\t" + std::string(comm) + "\nUid:\t0\t0\t0\t0\nThreads:\t1\n");
  tree.Write(dir + "cmdline", std::string(comm) + std::string("\0--flag\0", 8));
  tree.Write(dir + "cgroup", "0::/app.slice\n");
}

void WriteHost(const TempTree& tree) {
  tree.Write("proc/stat", "cpu  1 2 3 4\nbtime 1795387045\nprocesses 9\n");
  tree.Write("proc/meminfo", "MemTotal:       24684084 kB\nMemAvailable:   23290780 kB\n");
  tree.Write("proc/sys/kernel/hostname", "fixture\n");
  tree.Write("proc/sys/kernel/osrelease", "6.1.0-test\n");
  tree.Write("proc/self/mountinfo",
             "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
  tree.Write("sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
  tree.Write("sys/fs/cgroup/app.slice/memory.current", "4096000\n");
  tree.Write("sys/fs/cgroup/app.slice/memory.max", "max\n");
}

TEST(Scan, Fails_WithOneLineNamingMissingProc) {
  TempTree tree;
  absl::StatusOr<Snapshot> s = Scan({.root = tree.Path("nothing-here")});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.status().message()),
            tree.Path("nothing-here") + "/proc: No such file or directory");
}

TEST(Scan, SkipsAndCounts_ProcessListedButGoneBeforeRead) {
  TempTree tree;
  WriteHost(tree);
  WriteProcess(tree, 1, 0, "init");
  WriteProcess(tree, 42, 1, "worker");
  // Listed by readdir, but its files are gone: what a process exiting mid-scan looks like.
  tree.MakeDir("proc/77");
  absl::StatusOr<Snapshot> s = Scan({.root = tree.root()});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->stats().skipped_vanished, 1);
  EXPECT_EQ(s->processes().size(), 2u);
  EXPECT_EQ(s->FindProcess(77), nullptr);
  ASSERT_NE(s->FindProcess(42), nullptr);
  EXPECT_EQ(s->FindProcess(1)->descendants, 1);
}

TEST(Scan, Reads_HostProcessesAndTheirCgroup) {
  TempTree tree;
  WriteHost(tree);
  WriteProcess(tree, 1, 0, "init");
  WriteProcess(tree, 42, 1, "a) b");
  absl::StatusOr<Snapshot> s = Scan({.root = tree.root()});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->host().hostname, "fixture");
  EXPECT_EQ(s->host().cgroup_mode, CgroupMode::kV2);
  EXPECT_EQ(s->host().boot_time, absl::FromUnixSeconds(1795387045));
  const Process* p = s->FindProcess(42);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->comm, "a) b");
  EXPECT_EQ(p->argv, (std::vector<std::string>{"a) b", "--flag"}));
  EXPECT_EQ(p->started_at, absl::FromUnixSeconds(1795387045) + absl::Seconds(10));  // 1000 ticks
  EXPECT_EQ(p->rss_bytes, 381u * 4096u);
  EXPECT_EQ(p->cgroup, "/app.slice");
  const Cgroup* c = s->FindCgroup("/app.slice");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->memory_bytes, 4096000u);
  EXPECT_EQ(c->memory_limit, Limit::Unlimited());
  EXPECT_EQ(c->pids, (std::vector<int>{1, 42}));
}

TEST(Scan, Fails_NamingMalformedStatFile) {
  TempTree tree;
  WriteHost(tree);
  tree.Write("proc/5/stat", "5 (broken S 1 5 0");
  absl::StatusOr<Snapshot> s = Scan({.root = tree.root()});
  ASSERT_FALSE(s.ok());
  std::string message(s.status().message());
  EXPECT_EQ(message.rfind(tree.Path("proc/5/stat") + ": ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace procleak
