// SPDX-License-Identifier: Apache-2.0
// Scan() over small ad-hoc trees: error paths and the vanished-process policy.
#include "procleak/scan.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/fake_proc.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::TempTree;
using testing::WriteHost;
using testing::WriteProcess;

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
