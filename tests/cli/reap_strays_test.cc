// SPDX-License-Identifier: Apache-2.0
// SelectStrays() on listings written out by hand: the parts of the rule that StopChains' tests
// (reap_stopper_test.cc) do not reach: process groups and sessions led outside the pid namespace,
// zombies, and which chain a process is counted under.
#include "cli/reap_strays.h"

#include <gtest/gtest.h>

#include <vector>

namespace procleak {
namespace {

Stat Proc(int pid, int ppid, int pgrp, int session, uint64_t starttime, char state = 'S') {
  Stat s;
  s.pid = pid;
  s.ppid = ppid;
  s.pgrp = pgrp;
  s.session = session;
  s.starttime = starttime;
  s.state = state;
  return s;
}

std::vector<int> Pids(const std::vector<Stray>& strays) {
  std::vector<int> out;
  for (const Stray& s : strays) out.push_back(s.stat->pid);
  return out;
}

const auto kNone = [](const Stat&) { return false; };

TEST(ReapStrays, GroupAndSessionLedOutsideThePidNamespace_AreNoEvidence) {
  StrayScope scope;
  scope.freeze_ticks = 100;
  scope.group_exits[0] = {{150, 0}};
  scope.session_exits[0] = {{150, 0}};
  // Group and session read as 0: led by a process of an outer pid namespace.
  const std::vector<Stat> all = {Proc(1, 0, 1, 1, 1), Proc(40, 1, 0, 0, 120)};
  EXPECT_TRUE(SelectStrays(all, scope, kNone).empty());
}

TEST(ReapStrays, Zombie_IsNotSelected) {
  StrayScope scope;
  scope.freeze_ticks = 100;
  scope.group_exits[30] = {{150, 0}};
  const std::vector<Stat> all = {Proc(1, 0, 1, 1, 1), Proc(30, 1, 30, 30, 10),
                                 Proc(40, 1, 30, 30, 120, 'Z'), Proc(41, 1, 30, 30, 120)};
  EXPECT_EQ(Pids(SelectStrays(all, scope, kNone)), std::vector<int>({41}));
}

TEST(ReapStrays, Skipped_IsNotSelected) {
  StrayScope scope;
  scope.freeze_ticks = 100;
  scope.group_exits[30] = {{150, 0}};
  const std::vector<Stat> all = {Proc(1, 0, 1, 1, 1), Proc(40, 1, 30, 30, 120),
                                 Proc(41, 1, 30, 30, 120)};
  EXPECT_EQ(Pids(SelectStrays(all, scope, [](const Stat& s) { return s.pid == 40; })),
            std::vector<int>({41}));
}

TEST(ReapStrays, Chain_IsThatOfTheFirstExitAfterItStarted) {
  StrayScope scope;
  scope.freeze_ticks = 100;
  scope.group_exits[30] = {{110, 0}, {130, 1}, {140, 2}};
  const std::vector<Stat> all = {Proc(1, 0, 1, 1, 1), Proc(40, 1, 30, 30, 105),
                                 Proc(41, 1, 30, 30, 125), Proc(42, 1, 30, 30, 141)};
  const std::vector<Stray> strays = SelectStrays(all, scope, kNone);
  ASSERT_EQ(Pids(strays), std::vector<int>({40, 41}));  // 42 started after the last exit
  EXPECT_EQ(strays[0].chain, 0);
  EXPECT_EQ(strays[1].chain, 1);
  EXPECT_EQ(strays[1].by, ReapFoundBy::kProcessGroup);
  EXPECT_EQ(strays[1].id, 30);
}

}  // namespace
}  // namespace procleak
