// SPDX-License-Identifier: Apache-2.0
// The fast scan (one read(2) per file, several threads, cgroup membership from cgroup.procs, uid
// from the owner of /proc/PID) yields the same snapshot as the plain reference reader: on every
// fixture tree exactly, and on this machine for the processes both saw.
#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include <string>
#include <vector>

#include "procleak/scan.h"
#include "testing/fixture_trees.h"
#include "testing/paused_children.h"
#include "testing/reference_scan.h"

namespace procleak {
namespace {

// Fields that cannot change between two scans of a quiet process.
void ExpectSameIdentity(const Process& fast, const Process& ref) {
  SCOPED_TRACE(fast.pid);
  EXPECT_EQ(fast.ppid, ref.ppid);
  EXPECT_EQ(fast.starttime_ticks, ref.starttime_ticks);
  EXPECT_EQ(fast.started_at, ref.started_at);
  if (!ref.kernel_thread) {
    EXPECT_EQ(fast.comm, ref.comm);  // kworkers rename themselves
  }
  EXPECT_EQ(fast.argv, ref.argv);
  EXPECT_EQ(fast.uid, ref.uid);
  EXPECT_EQ(fast.exe, ref.exe);
  EXPECT_EQ(fast.kernel_thread, ref.kernel_thread);
  EXPECT_EQ(fast.cgroup_lines, ref.cgroup_lines);
  EXPECT_EQ(fast.cgroup, ref.cgroup);
  EXPECT_EQ(fast.container, ref.container);
}

void ExpectSameProcess(const Process& fast, const Process& ref) {
  ExpectSameIdentity(fast, ref);
  SCOPED_TRACE(fast.pid);
  EXPECT_EQ(fast.state, ref.state);
  EXPECT_EQ(fast.pgid, ref.pgid);
  EXPECT_EQ(fast.sid, ref.sid);
  EXPECT_EQ(fast.tty_nr, ref.tty_nr);
  EXPECT_EQ(fast.ns_pid, ref.ns_pid);  // a fixture tree's files belong to root: status is read
  EXPECT_EQ(fast.threads, ref.threads);
  EXPECT_EQ(fast.rss_bytes, ref.rss_bytes);
  EXPECT_EQ(fast.pss_bytes, ref.pss_bytes);
  EXPECT_EQ(fast.children, ref.children);
  EXPECT_EQ(fast.descendants, ref.descendants);
  EXPECT_EQ(fast.subtree_rss_bytes, ref.subtree_rss_bytes);
}

void ExpectSameCgroup(const Cgroup& fast, const Cgroup& ref) {
  SCOPED_TRACE(fast.path);
  EXPECT_EQ(fast.path, ref.path);
  EXPECT_EQ(fast.memory_bytes, ref.memory_bytes);
  EXPECT_EQ(fast.memory_limit, ref.memory_limit);
  EXPECT_EQ(fast.memory_peak_bytes, ref.memory_peak_bytes);
  EXPECT_EQ(fast.memory_stat, ref.memory_stat);
  EXPECT_EQ(fast.oom_kills, ref.oom_kills);
  EXPECT_EQ(fast.pids_current, ref.pids_current);
  EXPECT_EQ(fast.pids_max, ref.pids_max);
  EXPECT_EQ(fast.memory_pressure, ref.memory_pressure);
  EXPECT_EQ(fast.pids, ref.pids);
}

class FixtureTree : public ::testing::TestWithParam<std::string> {};

TEST_P(FixtureTree, FastScanEqualsReferenceScan) {
  const std::string root = testing::DataDir(GetParam());
  // Three threads even for small trees, so the parallel path is what is compared.
  absl::StatusOr<Snapshot> fast = Scan({.root = root, .pss = true, .threads = 3});
  absl::StatusOr<Snapshot> ref = testing::ReferenceScan({.root = root, .pss = true});
  ASSERT_TRUE(fast.ok()) << fast.status();
  ASSERT_TRUE(ref.ok()) << ref.status();
  ASSERT_EQ(fast->processes().size(), ref->processes().size());
  for (const Process& r : ref->processes()) {
    const Process* f = fast->FindProcess(r.pid);
    ASSERT_NE(f, nullptr) << r.pid;
    ExpectSameProcess(*f, r);
  }
  ASSERT_EQ(fast->cgroups().size(), ref->cgroups().size());
  for (const auto& [path, r] : ref->cgroups()) {
    const Cgroup* f = fast->FindCgroup(path);
    ASSERT_NE(f, nullptr) << path;
    ExpectSameCgroup(*f, r);
  }
  ASSERT_EQ(fast->containers().size(), ref->containers().size());
  for (size_t i = 0; i < ref->containers().size(); ++i) {
    EXPECT_EQ(fast->containers()[i].id, ref->containers()[i].id);
    EXPECT_EQ(fast->containers()[i].pids, ref->containers()[i].pids);
    EXPECT_EQ(fast->containers()[i].memory_bytes, ref->containers()[i].memory_bytes);
  }
  EXPECT_EQ(fast->stats().skipped_vanished, ref->stats().skipped_vanished);
  EXPECT_EQ(fast->stats().skipped_denied, ref->stats().skipped_denied);
}

INSTANTIATE_TEST_SUITE_P(EveryTree, FixtureTree, ::testing::ValuesIn(testing::FixtureTrees()),
                         testing::FixtureTestName);

// The identity fields of ExpectSameIdentity, compared without reporting.
bool SameIdentity(const Process& a, const Process& b) {
  return a.ppid == b.ppid && a.starttime_ticks == b.starttime_ticks && a.comm == b.comm &&
         a.argv == b.argv && a.uid == b.uid && a.exe == b.exe &&
         a.kernel_thread == b.kernel_thread && a.cgroup_lines == b.cgroup_lines &&
         a.cgroup == b.cgroup && a.container == b.container;
}

TEST(LiveMachine, FastScanEqualsReferenceScanForProcessesStableMeanwhile) {
  // Enough processes for the parallel path and for cgroup.procs to be cheaper than per-PID files.
  testing::PausedChildren sleepers(300);
  ASSERT_EQ(sleepers.pids().size(), 300u);
  // The fast scan between two reference scans: a process the two reference scans agree on did
  // not exec, move or get re-parented meanwhile (a busy host does all three: a compiler driver's
  // vforked child shows the driver's argv until it execs cc1plus, same pid and start time), so
  // the fast scan must agree with them.
  absl::StatusOr<Snapshot> before = testing::ReferenceScan({.root = "/"});
  absl::StatusOr<Snapshot> fast = Scan({.root = "/"});
  absl::StatusOr<Snapshot> ref = testing::ReferenceScan({.root = "/"});
  ASSERT_TRUE(before.ok()) << before.status();
  ASSERT_TRUE(fast.ok()) << fast.status();
  ASSERT_TRUE(ref.ok()) << ref.status();
  size_t both = 0;
  for (const Process& r : ref->processes()) {
    const Process* b = before->FindProcess(r.pid);
    const Process* f = fast->FindProcess(r.pid);
    if (b == nullptr || f == nullptr || !SameIdentity(*b, r)) continue;  // came, went or changed
    if (r.kernel_thread && f->comm != r.comm) continue;  // kworkers rename themselves
    ExpectSameIdentity(*f, r);
    ++both;
  }
  EXPECT_GE(both, 300u);
  for (pid_t pid : sleepers.pids()) {
    const Process* f = fast->FindProcess(pid);
    ASSERT_NE(f, nullptr) << pid;
    EXPECT_EQ(f->ppid, getpid());
    EXPECT_EQ(f->rss_bytes, ref->FindProcess(pid)->rss_bytes);  // a paused child does not change
  }
}

}  // namespace
}  // namespace procleak
