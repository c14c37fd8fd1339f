// SPDX-License-Identifier: Apache-2.0
// ParseStat against real /proc/PID/stat lines and the comm shapes that break naive splitting.
#include "procfs/stat_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

namespace procleak {
namespace {

// Fields 25..52 of a real user process's stat line (this machine, `cat`).
constexpr std::string_view kUserTail =
    "18446744073709551615 93869367730176 93869367750057 140724598536800 0 0 0 0 0 0 0 0 0 17 1 0 "
    "0 0 0 0 93869367766064 93869367767680 93869819977728 140724598545037 140724598545057 "
    "140724598545057 140724598546411 0\n";

// The real `cat` line from the reference, with `comm` substituted and extended to field 52.
std::string CatLine(std::string_view comm) {
  return "13350 (" + std::string(comm) +
         ") R 13348 13348 4003 0 -1 4194304 134 0 1 0 0 0 0 0 20 0 1 0 283419 3133440 381 " +
         std::string(kUserTail);
}

TEST(StatParser, Reads_RealUserProcessFields) {
  absl::StatusOr<Stat> stat = ParseStat(CatLine("cat"));
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->pid, 13350);
  EXPECT_EQ(stat->comm, "cat");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 13348);
  EXPECT_EQ(stat->pgrp, 13348);  // the shell's job
  EXPECT_EQ(stat->session, 4003);
  EXPECT_EQ(stat->tty_nr, 0);
  EXPECT_EQ(stat->flags, 0x400000u);  // PF_RANDOMIZE only
  EXPECT_EQ(stat->flags & kPfKthread, 0u);
  EXPECT_EQ(stat->num_threads, 1);
  EXPECT_EQ(stat->starttime, 283419u);
  EXPECT_EQ(stat->vsize, 3133440u);
  EXPECT_EQ(stat->rss_pages, 381u);
}

TEST(StatParser, Handles_CommWithParenSpaceAndNewline) {
  // Real: prctl(PR_SET_NAME, "a) b (c\nd") prints `12515 (a) b (c\nd) R 12512 ...`.
  std::string line =
      "12515 (a) b (c\nd) R 12512 12512 4003 0 -1 4194304 134 0 1 0 0 0 0 0 20 0 3 0 283419 "
      "3133440 381 " +
      std::string(kUserTail);
  absl::StatusOr<Stat> stat = ParseStat(line);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->pid, 12515);
  EXPECT_EQ(stat->comm, "a) b (c\nd");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 12512);
  EXPECT_EQ(stat->pgrp, 12512);
  EXPECT_EQ(stat->session, 4003);
  EXPECT_EQ(stat->num_threads, 3);
}

TEST(StatParser, Handles_CommWithParenSpaceParenAndFieldsAfterIt) {
  // A comm holding ") (" and digits must not shift pgrp, session and tty_nr.
  std::string line =
      "900 (x) (7 8 9) S 899 850 840 34817 850 4194560 134 0 1 0 0 0 0 0 20 0 1 0 500 4096 2 " +
      std::string(kUserTail);
  absl::StatusOr<Stat> stat = ParseStat(line);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->comm, "x) (7 8 9");
  EXPECT_EQ(stat->ppid, 899);
  EXPECT_EQ(stat->pgrp, 850);
  EXPECT_EQ(stat->session, 840);
  EXPECT_EQ(stat->tty_nr, 34817);  // /dev/pts/1: major 136, minor 1
}

TEST(StatParser, Reads_TerminalOfAnInteractiveShell) {
  // Real (bash on /dev/pts/0, leading its session; tpgid is the foreground job's group).
  absl::StatusOr<Stat> stat = ParseStat(
      "4003 (bash) S 4002 4003 4003 34816 13348 4194560 5210 36110 0 12 8 3 41 17 20 0 1 0 "
      "201100 9142272 1310 " +
      std::string(kUserTail));
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->pgrp, 4003);
  EXPECT_EQ(stat->session, 4003);
  EXPECT_EQ(stat->tty_nr, 34816);
}

TEST(StatParser, Reads_GroupAndSessionOfATaskBeingReaped) {
  // do_task_stat() starts with pgid and sid -1 and ppid 0, and keeps them when the task's signal
  // handlers are already gone (it is being reaped): seen live under churn.
  absl::StatusOr<Stat> stat =
      ParseStat("8341 (sh) Z 0 -1 -1 0 -1 4227084 95 0 0 0 0 1 0 0 20 0 1 0 5230 0 0 " +
                std::string(kUserTail));
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->ppid, 0);
  EXPECT_EQ(stat->pgrp, -1);
  EXPECT_EQ(stat->session, -1);
}

TEST(StatParser, Reads_TtyNrThatTheKernelPrintsNegative) {
  // tty_nr is printed with %d: a device number with bit 31 set (a minor of 2^19 or more) reads
  // negative.
  std::string line = CatLine("cat");
  line.replace(line.find(" 4003 0 -1 "), 11, " 4003 -2147450880 -1 ");
  absl::StatusOr<Stat> stat = ParseStat(line);
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->tty_nr, -2147450880);
  EXPECT_EQ(stat->session, 4003);
}

TEST(StatParser, Handles_CommThatLooksLikeFields) {
  absl::StatusOr<Stat> stat = ParseStat(CatLine(") Z 1 2 3 ("));
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->comm, ") Z 1 2 3 (");
  EXPECT_EQ(stat->state, 'R');
  EXPECT_EQ(stat->ppid, 13348);
}

TEST(StatParser, Handles_EmptyComm) {
  absl::StatusOr<Stat> stat = ParseStat(CatLine(""));
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->comm, "");
  EXPECT_EQ(stat->starttime, 283419u);
}

TEST(StatParser, Detects_KthreaddByFlags) {
  // Real: kthreadd, flags 2129984 = 0x208040, ppid 0; no group, session or terminal (fields 5-7
  // read 0) and tpgid (field 8, not read) -1.
  absl::StatusOr<Stat> stat = ParseStat(
      "2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 14 0 0 18446744073709551615 0 0 "
      "0 0 0 0 0 2147483647 0 1 0 0 0 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->comm, "kthreadd");
  EXPECT_EQ(stat->ppid, 0);
  EXPECT_EQ(stat->pgrp, 0);
  EXPECT_EQ(stat->session, 0);
  EXPECT_EQ(stat->tty_nr, 0);
  EXPECT_NE(stat->flags & kPfKthread, 0u);
  EXPECT_EQ(stat->starttime, 14u);
  EXPECT_EQ(stat->vsize, 0u);
  EXPECT_EQ(stat->rss_pages, 0u);
}

TEST(StatParser, Reads_LongWorkqueueCommWithSlashColonAndDash) {
  absl::StatusOr<Stat> stat = ParseStat(
      "35 (kworker/u8:2-writeback) I 2 0 0 0 -1 69238880 0 0 0 0 0 12 0 0 20 0 1 0 40 0 0 "
      "18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 17 2 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->comm, "kworker/u8:2-writeback");
  EXPECT_EQ(stat->state, 'I');
  EXPECT_EQ(stat->ppid, 2);
  EXPECT_NE(stat->flags & kPfKthread, 0u);
}

TEST(StatParser, Reads_ZombieState) {
  absl::StatusOr<Stat> stat = ParseStat(
      "4242 (defunct) Z 4200 4200 4003 0 -1 4227084 120 0 0 0 0 0 0 0 20 0 1 0 290000 0 0 "
      "18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->state, 'Z');
  EXPECT_EQ(stat->ppid, 4200);
  EXPECT_EQ(stat->pgrp, 4200);
  EXPECT_EQ(stat->session, 4003);
  EXPECT_EQ(stat->rss_pages, 0u);
}

TEST(StatParser, Accepts_LineWithoutTrailingNewlineAndOnlyTo24Fields) {
  absl::StatusOr<Stat> stat = ParseStat("7 (x) S 1 7 6 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 99 4096 1");
  ASSERT_TRUE(stat.ok()) << stat.status();
  EXPECT_EQ(stat->pgrp, 7);
  EXPECT_EQ(stat->session, 6);
  EXPECT_EQ(stat->num_threads, 2);
  EXPECT_EQ(stat->starttime, 99u);
  EXPECT_EQ(stat->vsize, 4096u);
  EXPECT_EQ(stat->rss_pages, 1u);
}

TEST(StatParser, Fails_WhenCommIsNotClosed) {
  absl::StatusOr<Stat> stat = ParseStat("5 (broken S 1 5 0");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(stat.status().message(), "no ')' after comm");
}

TEST(StatParser, Fails_WhenCommIsNotOpened) {
  absl::StatusOr<Stat> stat = ParseStat("5 broken) S 1 5 0");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "no '(' before comm");
}

TEST(StatParser, Fails_OnTruncatedLine_NamingTheFirstMissingField) {
  absl::StatusOr<Stat> stat = ParseStat("5 (x) S 1 5 0");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "too few fields: 4 after comm, no field 7 (tty_nr)");
  stat = ParseStat("5 (x) S 1 5\n");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "too few fields: 3 after comm, no field 6 (session)");
  stat = ParseStat("5 (a) (b) S 1");  // the comm's ") (" counts for nothing
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "too few fields: 2 after comm, no field 5 (pgrp)");
  stat = ParseStat("7 (x) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 2 0 99 4096");
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "too few fields: 21 after comm, no field 24 (rss)");
}

TEST(StatParser, Fails_NamingTheFieldOfABadGroupSessionOrTerminal) {
  const std::pair<const char*, const char*> cases[] = {
      {"5 (x) S 1 5- 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0", "field 5 (pgrp) is not a number"},
      {"5 (x) S 1 --5 5 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0", "field 5 (pgrp) is not a number"},
      {"5 (x) S 1 5 s 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0", "field 6 (session) is not a number"},
      {"5 (x) S 1 5 5 2147483648 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0",
       "field 7 (tty_nr) is not a number"},
      {"5 (x) S 1 5 5 - -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0", "field 7 (tty_nr) is not a number"},
      {"5 (x) S 1 5 5 -2147483649 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 9 0 0",
       "field 7 (tty_nr) is not a number"},
  };
  for (const auto& [line, message] : cases) {
    absl::StatusOr<Stat> stat = ParseStat(line);
    ASSERT_FALSE(stat.ok()) << line;
    EXPECT_EQ(stat.status().message(), message);
  }
}

TEST(StatParser, Fails_OnEmptyInput) { EXPECT_FALSE(ParseStat("").ok()); }

TEST(StatParser, Fails_NamingTheNonNumericField) {
  std::string line = CatLine("cat");
  line.replace(line.find("283419"), 6, "28x419");
  absl::StatusOr<Stat> stat = ParseStat(line);
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "field 22 (starttime) is not a number");
}

TEST(StatParser, Fails_OnNegativePpid) {
  std::string line = CatLine("cat");
  line.replace(line.find("13348"), 5, "-1");
  absl::StatusOr<Stat> stat = ParseStat(line);
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "field 4 (ppid) is not a number");
}

TEST(StatParser, Fails_OnNonNumericPid) {
  absl::StatusOr<Stat> stat = ParseStat("x" + CatLine("cat"));
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "field 1 (pid) is not a number");
}

TEST(StatParser, Fails_OnMultiCharacterState) {
  std::string line = CatLine("cat");
  line.replace(line.find(") R "), 4, ") RS ");
  absl::StatusOr<Stat> stat = ParseStat(line);
  ASSERT_FALSE(stat.ok());
  EXPECT_EQ(stat.status().message(), "field 3 (state) is not a single character");
}

}  // namespace
}  // namespace procleak
