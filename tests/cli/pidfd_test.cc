// SPDX-License-Identifier: Apache-2.0
// PidfdSystem against this machine: its clock in ticks agrees with the start times the kernel
// gives processes in /proc/PID/stat, which is what tells reap which processes started after a
// freeze (reap_strays.h).
#include "cli/pidfd.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>

namespace procleak {
namespace {

TEST(PidfdSystem, NowTicks_BracketsTheStarttimeOfAProcessForkedBetween) {
  PidfdSystem system(1);
  const uint64_t before = system.NowTicks();
  const pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  ASSERT_GT(child, 0);
  const std::optional<Stat> stat = system.ReadStat(child);
  const uint64_t after = system.NowTicks();
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  ASSERT_TRUE(stat.has_value());
  EXPECT_LE(before, stat->starttime);
  EXPECT_LE(stat->starttime, after);
  const std::optional<Stat> self = system.ReadStat(getpid());
  ASSERT_TRUE(self.has_value());
  EXPECT_LE(self->starttime, before);
}

}  // namespace
}  // namespace procleak
