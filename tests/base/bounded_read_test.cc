// SPDX-License-Identifier: Apache-2.0
// ReadFileAt and OpenFileAt on hostile files: read up to each kind's limit and refused one byte
// past it with a buffer that never grows with the file, FIFOs refused without blocking, devices
// and directories refused; the files of /proc and the cgroup file systems still read. And the
// limits table against man/procleak.1, which documents it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

#include "base/file_limits.h"
#include "base/read_file.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::TempTree;

std::string Message(const absl::Status& status) {
  return std::string(status.message().data(), status.message().size());
}

class BoundedRead : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = open(tmp_.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ASSERT_GE(dir_, 0);
  }
  void TearDown() override { close(dir_); }

  // Reads tmp_/name as `kind`, with both ways of knowing the end.
  absl::StatusOr<ReadOutcome> Read(const char* name, FileKind kind, ReadUntil until) {
    return ReadFileAt(dir_, tmp_.root(), name, kind, &text_, until);
  }

  TempTree tmp_;
  int dir_ = -1;
  std::string text_;
};

TEST_F(BoundedRead, ReadFileAt_Reads_FileOfExactlyItsLimit) {
  for (FileKind kind : {FileKind::kPidStat, FileKind::kPidStatm, FileKind::kRules}) {
    const size_t limit = LimitOf(kind).max_bytes;
    tmp_.Write("f", std::string(limit, 'x'));
    for (ReadUntil until : {ReadUntil::kEof, ReadUntil::kShortRead}) {
      absl::StatusOr<ReadOutcome> read = Read("f", kind, until);
      ASSERT_TRUE(read.ok()) << LimitOf(kind).what << ": " << read.status();
      EXPECT_EQ(*read, ReadOutcome::kRead);
      EXPECT_EQ(text_.size(), limit);
    }
  }
}

TEST_F(BoundedRead, ReadFileAt_Refuses_FileOneBytePastItsLimit_NamingFileAndLimit) {
  tmp_.Write("stat", std::string(64 * 1024 + 1, '1'));
  for (ReadUntil until : {ReadUntil::kEof, ReadUntil::kShortRead}) {
    absl::StatusOr<ReadOutcome> read = Read("stat", FileKind::kPidStat, until);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.status().code(), absl::StatusCode::kResourceExhausted);
    EXPECT_EQ(Message(read.status()),
              tmp_.Path("stat") + ": larger than 64 KiB (limit for /proc/PID/stat)");
    EXPECT_EQ(text_, "");  // nothing of a partial read is left to parse
  }
  tmp_.Write("statm", std::string(4097, '1'));
  absl::StatusOr<ReadOutcome> read = Read("statm", FileKind::kPidStatm, ReadUntil::kEof);
  EXPECT_EQ(Message(read.status()),
            tmp_.Path("statm") + ": larger than 4 KiB (limit for /proc/PID/statm)");
}

TEST_F(BoundedRead, ReadFromStart_GrowsBufferWithLimitNotWithFile) {
  // 32 MiB offered where 64 KiB are allowed, read as a /proc file would be (its size unknown):
  // the buffer stays near the limit.
  const std::string path = tmp_.Path("huge");
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "x", 1), 1);
  ASSERT_EQ(ftruncate(fd, 32 << 20), 0);
  close(fd);
  fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  std::string fresh;
  absl::StatusOr<ReadOutcome> read =
      ReadFromStart(fd, tmp_.root(), "huge", FileKind::kPidStat, &fresh);
  close(fd);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(Message(read.status()), path + ": larger than 64 KiB (limit for /proc/PID/stat)");
  // std::string may double its capacity on growth; never more than that past the limit.
  EXPECT_LE(fresh.capacity(), 2 * (64 * 1024 + 1));
  // ReadFileAt knows a regular file's size: refused before anything is read.
  std::string unread;
  read = ReadFileAt(dir_, tmp_.root(), "huge", FileKind::kPidStat, &unread);
  EXPECT_EQ(Message(read.status()), path + ": larger than 64 KiB (limit for /proc/PID/stat)");
  EXPECT_EQ(unread.capacity(), std::string().capacity());
}

TEST_F(BoundedRead, ReadFileAt_Refuses_DevicesDirectoriesAndLinksToThem) {
  for (const char* device : {"/dev/zero", "/dev/urandom", "/dev/null"}) {
    absl::StatusOr<ReadOutcome> read = ReadFileAt(AT_FDCWD, "", device, FileKind::kRules, &text_);
    ASSERT_FALSE(read.ok()) << device;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_EQ(Message(read.status()),
              std::string(device) + ": not a regular file (a character device)");
  }
  ASSERT_EQ(symlink("/dev/zero", tmp_.Path("stat").c_str()), 0);
  EXPECT_EQ(Message(Read("stat", FileKind::kPidStat, ReadUntil::kShortRead).status()),
            tmp_.Path("stat") + ": not a regular file (a character device)");
  tmp_.MakeDir("dir");
  EXPECT_EQ(Message(Read("dir", FileKind::kPidStat, ReadUntil::kEof).status()),
            tmp_.Path("dir") + ": not a regular file (a directory)");
}

TEST_F(BoundedRead, ReadFileAt_NamesRelativePathAsGiven) {
  // Without a directory, the path is named as given, not made absolute.
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", "no/such.rules", FileKind::kRules, &text_);
  EXPECT_EQ(*read, ReadOutcome::kGone);
  ASSERT_EQ(mkfifo(tmp_.Path("rel.fifo").c_str(), 0600), 0);
  const int dir = open(tmp_.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(dir, 0);
  EXPECT_EQ(Message(ReadFileAt(dir, "", "rel.fifo", FileKind::kRules, &text_).status()),
            "rel.fifo: not a regular file (a FIFO)");
  close(dir);
}

// Runs `body` in a child process that must exit within `seconds`; a child still running then is
// killed. Returns its exit status, or -1 when it was killed or did not exit normally.
int ExitStatusWithin(int seconds, int (*body)(const char*), const char* arg) {
  const pid_t pid = fork();
  if (pid == 0) _exit(body(arg));
  if (pid < 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  int status = 0;
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// 0 when `path` (a FIFO no one writes to) is refused as one; 1 otherwise.
int OpenRefusesFifo(const char* path) {
  int fd = -1;
  absl::StatusOr<ReadOutcome> opened = OpenFileAt(AT_FDCWD, "", path, &fd);
  return !opened.ok() &&
                 Message(opened.status()) == std::string(path) + ": not a regular file (a FIFO)"
             ? 0
             : 1;
}

TEST_F(BoundedRead, OpenFileAt_RefusesFifoWithoutWaitingForAWriter) {
  const std::string fifo = tmp_.Path("cmdline");
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(ExitStatusWithin(30, &OpenRefusesFifo, fifo.c_str()), 0);
}

TEST(KernelFiles, ReadFileAt_Reads_ProcAndCgroupFilesAsRegularFiles) {
  std::string text;
  struct Case {
    const char* name;
    FileKind kind;
  };
  for (const Case& c :
       {Case{"stat", FileKind::kPidStat}, Case{"status", FileKind::kPidStatus},
        Case{"cmdline", FileKind::kPidCmdline}, Case{"statm", FileKind::kPidStatm},
        Case{"cgroup", FileKind::kPidCgroup}, Case{"mountinfo", FileKind::kMountinfo}}) {
    const std::string path = std::string("/proc/self/") + c.name;
    absl::StatusOr<ReadOutcome> read =
        ReadFileAt(AT_FDCWD, "", path.c_str(), c.kind, &text, ReadUntil::kEof);
    ASSERT_TRUE(read.ok()) << c.name << ": " << read.status();
    EXPECT_EQ(*read, ReadOutcome::kRead) << c.name;
    EXPECT_FALSE(text.empty()) << c.name;
  }
  // The cgroup.procs of every cgroup hierarchy mounted here, at its mount point.
  std::ifstream mounts("/proc/self/mountinfo");
  int hierarchies = 0;
  for (std::string line; std::getline(mounts, line);) {
    // cgroup and cgroup2 (after " - ", the type); the fifth field is the mount point.
    const size_t dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 6, "cgroup") != 0) continue;
    size_t at = 0;
    for (int field = 0; field < 4; ++field) at = line.find(' ', at) + 1;
    const std::string mount_point = line.substr(at, line.find(' ', at) - at);
    const std::string path = mount_point + "/cgroup.procs";
    absl::StatusOr<ReadOutcome> read =
        ReadFileAt(AT_FDCWD, "", path.c_str(), FileKind::kCgroupProcs, &text, ReadUntil::kEof);
    ASSERT_TRUE(read.ok()) << mount_point << ": " << read.status();
    ++hierarchies;
  }
  if (hierarchies == 0) GTEST_SKIP() << "no cgroup file system mounted here";
}

TEST(KernelFiles, TypeCheckFor_SkipsTheCheckOnProcfsOnly) {
  const int proc = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(proc, 0);
  EXPECT_EQ(TypeCheckFor(proc), TypeCheck::kNone);
  close(proc);
  TempTree tmp;
  const int fixture = open(tmp.root().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  ASSERT_GE(fixture, 0);
  EXPECT_EQ(TypeCheckFor(fixture), TypeCheck::kRegular);
  close(fixture);
}

TEST(FileLimits, SizeText_NamesWholeUnits) {
  EXPECT_EQ(SizeText(64 * kKiB), "64 KiB");
  EXPECT_EQ(SizeText(16 * kMiB), "16 MiB");
  EXPECT_EQ(SizeText(1000), "1000 bytes");
  EXPECT_EQ(SizeText(kMiB + kKiB), "1025 KiB");
}

// man/procleak.1 (NOTES, Input files) lists every kind with its limit: the label on one line
// (after .I, if a file name) and the limit at the start of the next.
TEST(FileLimits, ManPage_ListsEveryLimitOfTheTable) {
  const char* man = std::getenv("PROCLEAK_MAN1");
  ASSERT_NE(man, nullptr) << "PROCLEAK_MAN1 is not set (meson test sets it)";
  std::ifstream in(man);
  std::string page((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t from = page.find("\n.SS Input files\n");
  ASSERT_NE(from, std::string::npos);
  const std::string section = page.substr(from, page.find("\n.SS ", from + 1) - from);
  for (const FileLimit& limit : kFileLimits) {
    const std::string size = SizeText(limit.max_bytes);
    const std::string what = limit.what;
    const bool listed = section.find("\n.TP\n.I " + what + "\n" + size) != std::string::npos ||
                        section.find("\n.TP 24\n.I " + what + "\n" + size) != std::string::npos ||
                        section.find("\n.TP\n" + what + "\n" + size) != std::string::npos;
    EXPECT_TRUE(listed) << what << " " << size << " is not in man/procleak.1, Input files";
  }
}

}  // namespace
}  // namespace procleak
