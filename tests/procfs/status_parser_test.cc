// SPDX-License-Identifier: Apache-2.0
// ParseStatus: keys by name, kB to bytes, keys that only some tasks or kernels print.
#include "procfs/status_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace procleak {
namespace {

// The head of a real user process's status (6.18), abridged but in kernel order and spacing.
constexpr std::string_view kUserStatus =
    "Name:\tcat\n"
    "Umask:\t0022\n"
    "State:\tR (running)\n"
    "Tgid:\t13350\n"
    "Ngid:\t0\n"
    "Pid:\t13350\n"
    "PPid:\t13348\n"
    "TracerPid:\t0\n"
    "Uid:\t1000\t1001\t1002\t1003\n"
    "Gid:\t1000\t1000\t1000\t1000\n"
    "FDSize:\t256\n"
    "Groups:\t4 24 27 \n"
    "NStgid:\t13350\n"
    "NSpid:\t13350\n"
    "Kthread:\t0\n"
    "VmPeak:\t    3060 kB\n"
    "VmSize:\t    3060 kB\n"
    "VmHWM:\t    1732 kB\n"
    "VmRSS:\t    1732 kB\n"
    "RssAnon:\t       0 kB\n"
    "Threads:\t1\n"
    "SigQ:\t0/96202\n";

TEST(StatusParser, Reads_EffectiveUidThreadsRssAndKthread) {
  absl::StatusOr<ProcStatus> status = ParseStatus(kUserStatus);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->uid, 1001u);  // the effective uid (as ps shows), not real/saved/fs
  EXPECT_EQ(status->threads, 1u);
  EXPECT_EQ(status->vm_rss_bytes, 1732u * 1024u);
  EXPECT_EQ(status->kthread, 0u);
}

TEST(StatusParser, LeavesNsPidAbsent_InTheReadersOwnNamespace) {
  absl::StatusOr<ProcStatus> status = ParseStatus(kUserStatus);  // `NSpid:\t13350`
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_FALSE(status->ns_pid.has_value());
  absl::StatusOr<StatusBrief> brief = ParseStatusBrief(kUserStatus);
  ASSERT_TRUE(brief.ok()) << brief.status();
  EXPECT_FALSE(brief->ns_pid.has_value());
}

// A container's process seen from the host: NStgid, NSpid, NSpgid and NSsid with two values.
constexpr std::string_view kContainerStatus =
    "Name:\tnode\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t12345\nNgid:\t0\n"
    "Pid:\t12345\nPPid:\t12300\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
    "FDSize:\t64\nGroups:\t \nNStgid:\t12345\t7\nNSpid:\t12345\t7\nNSpgid:\t12300\t1\n"
    "NSsid:\t12300\t1\nVmPeak:\t 1100216 kB\nVmRSS:\t   65008 kB\nThreads:\t11\n";

TEST(StatusParser, Reads_InnermostNsPid_OfANestedNamespace) {
  absl::StatusOr<ProcStatus> status = ParseStatus(kContainerStatus);
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->ns_pid, 7);
  absl::StatusOr<StatusBrief> brief = ParseStatusBrief(kContainerStatus);
  ASSERT_TRUE(brief.ok()) << brief.status();
  EXPECT_EQ(brief->ns_pid, 7);
  EXPECT_EQ(brief->uid, 0u);
  EXPECT_EQ(brief->vm_rss_bytes, 65008u * 1024u);
}

TEST(StatusParser, Reads_TheDeepestOfThreeLevels) {
  // A process in `unshare --pid --fork` inside a container, read from the host: the innermost
  // namespace's init.
  absl::StatusOr<ProcStatus> status = ParseStatus("Uid:\t0\t0\t0\t0\nNSpid:\t12345\t7\t1\n");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->ns_pid, 1);
}

TEST(StatusParser, Fails_NamingTheLineOfAMalformedNsPid) {
  for (std::string_view bad : {"NSpid:\t12345\tx\n", "NSpid:\t\n", "NSpid:\t12345\t-1\n",
                               "NSpid:\t12345\t2147483648\n", "NSpid:\t1 2junk\n"}) {
    std::string text = "Name:\tx\nUid:\t0\t0\t0\t0\n" + std::string(bad);
    absl::StatusOr<ProcStatus> status = ParseStatus(text);
    ASSERT_FALSE(status.ok()) << bad;
    EXPECT_EQ(status.status().message(), "line 3: bad value for NSpid") << bad;
    absl::StatusOr<StatusBrief> brief = ParseStatusBrief(text);
    ASSERT_FALSE(brief.ok()) << bad;
    EXPECT_EQ(brief.status().message(), "line 3: bad value for NSpid") << bad;
  }
}

TEST(StatusParserBrief, StopsAfterVmRss_WhichTheKernelPrintsAfterNsPid) {
  // What follows VmRSS is never read: a malformed NSpid there (no kernel prints one) is no error.
  std::string text = std::string(kContainerStatus) + "NSpid:\tjunk\n";
  absl::StatusOr<StatusBrief> brief = ParseStatusBrief(text);
  ASSERT_TRUE(brief.ok()) << brief.status();
  EXPECT_EQ(brief->ns_pid, 7);
}

TEST(StatusParserBrief, ReadsNsPid_OfAProcessWithoutMm) {
  // A kernel thread or zombie has no VmRSS line: the whole file is read.
  absl::StatusOr<StatusBrief> brief = ParseStatusBrief(
      "Name:\tsh\nState:\tZ (zombie)\nUid:\t0\t0\t0\t0\nNSpid:\t4242\t19\nThreads:\t1\n");
  ASSERT_TRUE(brief.ok()) << brief.status();
  EXPECT_EQ(brief->ns_pid, 19);
  EXPECT_FALSE(brief->vm_rss_bytes.has_value());
}

TEST(StatusParser, LeavesRssAbsent_ForZombieWithoutMm) {
  absl::StatusOr<ProcStatus> status = ParseStatus(
      "Name:\tdefunct\nState:\tZ (zombie)\nTgid:\t4242\nPid:\t4242\nPPid:\t4200\n"
      "Uid:\t0\t0\t0\t0\nThreads:\t1\n");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->uid, 0u);
  EXPECT_EQ(status->threads, 1u);
  EXPECT_FALSE(status->vm_rss_bytes.has_value());
  EXPECT_FALSE(status->kthread.has_value());  // older kernels do not print Kthread
}

TEST(StatusParser, Reads_KernelThreadKthreadFlag) {
  absl::StatusOr<ProcStatus> status = ParseStatus(
      "Name:\tkthreadd\nState:\tS (sleeping)\nUid:\t0\t0\t0\t0\nKthread:\t1\nThreads:\t1\n");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->kthread, 1u);
  EXPECT_FALSE(status->vm_rss_bytes.has_value());
}

TEST(StatusParser, Ignores_NameThatLooksLikeAKey) {
  // The kernel escapes comm in status (`a) b (c\nd` shows as `a) b (c\\nd`), so a name cannot
  // start a line of its own; its value must not be mistaken for a key either.
  absl::StatusOr<ProcStatus> status =
      ParseStatus("Name:\tUid: 7 (c\\nd\nUid:\t33\t33\t33\t33\nThreads:\t4\n");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->uid, 33u);
  EXPECT_EQ(status->threads, 4u);
}

TEST(StatusParser, Fails_NamingLineOfBadValue) {
  absl::StatusOr<ProcStatus> status = ParseStatus("Name:\tx\nThreads:\tmany\n");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.status().message(), "line 2: bad value for Threads");
}

TEST(StatusParser, Gives_AllAbsent_ForEmptyFile) {
  absl::StatusOr<ProcStatus> status = ParseStatus("");
  ASSERT_TRUE(status.ok());
  EXPECT_FALSE(status->uid.has_value());
  EXPECT_FALSE(status->threads.has_value());
}

TEST(StatusParser, UidWithOneValue_IsAnError) {
  absl::StatusOr<ProcStatus> status = ParseStatus("Name:\tx\nUid:\t1000\nThreads:\t1\n");
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.status().message().find("Uid"), std::string_view::npos);
}

}  // namespace
}  // namespace procleak
