// SPDX-License-Identifier: Apache-2.0
#include "scan/accounting.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

CgroupLayout HybridLayout() {
  CgroupLayout layout;
  layout.mode = CgroupMode::kHybrid;
  layout.hierarchies.push_back({false, {"memory"}, "/", "/sys/fs/cgroup/memory"});
  layout.hierarchies.push_back({false, {"pids"}, "/", "/sys/fs/cgroup/pids"});
  layout.hierarchies.push_back({true, {"hugetlb"}, "/", "/sys/fs/cgroup/unified"});
  return layout;
}

CgroupLayout V2Layout() {
  CgroupLayout layout;
  layout.mode = CgroupMode::kV2;
  layout.hierarchies.push_back({true, {"cpu", "memory", "pids"}, "/", "/sys/fs/cgroup"});
  return layout;
}

const std::vector<CgroupMembership> kHybridLines = {
    {9, "name=systemd", "/"},
    {4, "memory", "/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d"},
    {0, "", "/system.slice/containerd.service"},
};

TEST(Accounting, UsesV1MemoryLine_OnHybridHostEvenWhenV2LineDiffers) {
  EXPECT_EQ(AccountingCgroupPath(kHybridLines, HybridLayout()),
            "/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d");
}

TEST(Accounting, UsesV2Line_OnUnifiedHost) {
  std::vector<CgroupMembership> lines = {{0, "", "/system.slice/docker-ab.scope"}};
  EXPECT_EQ(AccountingCgroupPath(lines, V2Layout()), "/system.slice/docker-ab.scope");
}

TEST(Accounting, FallsBackToMemoryLineThenV2_WithoutMountinfo) {
  EXPECT_EQ(AccountingCgroupPath(kHybridLines, CgroupLayout{}),
            "/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d");
  std::vector<CgroupMembership> v2_only = {{0, "", "/a:b/c"}};
  EXPECT_EQ(AccountingCgroupPath(v2_only, CgroupLayout{}), "/a:b/c");
  EXPECT_EQ(AccountingCgroupPath({}, CgroupLayout{}), "");
}

Process Proc(int pid, int ppid, char state, std::string cgroup) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = state;
  p.cgroup = std::move(cgroup);
  return p;
}

TEST(Accounting, V1ZombieInheritsNearestLiveAncestorsCgroup) {
  std::vector<Process> procs = {Proc(10, 1, 'S', "/docker/abc"), Proc(11, 10, 'Z', "/"),
                                Proc(12, 11, 'Z', "/"), Proc(13, 10, 'S', "/")};
  InheritZombieCgroups(HybridLayout(), procs);
  EXPECT_EQ(procs[1].cgroup, "/docker/abc");
  EXPECT_EQ(procs[2].cgroup, "/docker/abc");  // through a zombie parent
  EXPECT_EQ(procs[3].cgroup, "/");            // a live process in the root stays there
}

TEST(Accounting, V2ZombieKeepsItsOwnCgroup) {
  std::vector<Process> procs = {Proc(10, 1, 'S', "/a"), Proc(11, 10, 'Z', "/")};
  InheritZombieCgroups(V2Layout(), procs);
  EXPECT_EQ(procs[1].cgroup, "/");
}

TEST(Accounting, ZombieInheritanceTerminatesOnParentCycle) {
  std::vector<Process> procs = {Proc(5, 6, 'Z', "/"), Proc(6, 5, 'Z', "/")};
  InheritZombieCgroups(HybridLayout(), procs);
  EXPECT_EQ(procs[0].cgroup, "/");
}

}  // namespace
}  // namespace procleak
