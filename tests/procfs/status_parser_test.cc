// SPDX-License-Identifier: Apache-2.0
// ParseStatus: keys by name, kB to bytes, keys that only some tasks or kernels print.
#include "procfs/status_parser.h"

#include <gtest/gtest.h>

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
