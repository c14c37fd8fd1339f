// SPDX-License-Identifier: Apache-2.0
// ListPids and ReadProcess over fixture trees, and over real /proc with forked children.
#include "procfs/process_reader.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "procfs/cgroup_file_parser.h"
#include "procfs/cmdline_parser.h"
#include "procfs/pid_listing.h"
#include "procfs/stat_parser.h"
#include "testing/reference_reader.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::TempTree;
using ::testing::UnorderedElementsAre;
using namespace std::string_literals;

// A real stat line (fields to 52) with pid, comm, state, ppid, flags and starttime substituted;
// the process leads its group in session 4003, on terminal 34817 (/dev/pts/1).
std::string StatLine(int pid, std::string_view comm, char state, int ppid, uint64_t flags,
                     uint64_t starttime) {
  return std::to_string(pid) + " (" + std::string(comm) + ") " + state + " " +
         std::to_string(ppid) + " " + std::to_string(pid) + " 4003 34817 -1 " +
         std::to_string(flags) + " 134 0 1 0 0 0 0 0 20 0 3 0 " + std::to_string(starttime) +
         " 3133440 381 18446744073709551615 93869367730176 93869367750057 140724598536800 0 0 0 "
         "0 0 0 0 0 0 17 1 0 0 0 0 0 93869367766064 93869367767680 93869819977728 "
         "140724598545037 140724598545057 140724598545057 140724598546411 0\n";
}

constexpr uint64_t kUserFlags = 0x400000;     // PF_RANDOMIZE
constexpr uint64_t kKthreadFlags = 0x208040;  // kthreadd's real flags

void WriteUserProcess(const TempTree& tree, int pid) {
  std::string dir = "proc/" + std::to_string(pid) + "/";
  tree.Write(dir + "stat", StatLine(pid, "a) b (c\nd", 'S', 1, kUserFlags, 283419));
  tree.Write(dir + "statm", "765 433 405 5 0 123 0\n");
  tree.Write(dir + "status",
             "Name:\ta) b (c\\nd\nState:\tS (sleeping)\nUid:\t1000\t1001\t1001\t1001\n"
             "NSpid:\t" +
                 std::to_string(pid) + "\t7\nVmRSS:\t    1732 kB\nThreads:\t3\n");
  tree.Write(dir + "cmdline", "/usr/bin/worker\0--queue\0jobs high\0"s);
  tree.Write(
      dir + "cgroup",
      "9:name=systemd:/\n4:memory:/docker/2403ccfe:x\n0::/system.slice/containerd.service\n");
}

// Opens TREE/proc and closes it at the end of the test.
class ProcFixture {
 public:
  explicit ProcFixture(const TempTree& tree) {
    ctx.proc_path = tree.Path("proc");
    ctx.proc_fd = open(ctx.proc_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  ~ProcFixture() {
    if (ctx.proc_fd >= 0) close(ctx.proc_fd);
  }
  ProcessReadContext ctx;
};

// ReadProcess, then ReadProcessCgroup, as the scanner reads a process cgroup.procs did not place.
absl::StatusOr<ProcessRead> ReadWithCgroup(int pid, ProcessReadContext* ctx, Process* p) {
  absl::StatusOr<ProcessRead> read = ReadProcess(pid, ctx, p);
  if (!read.ok() || *read != ProcessRead::kRead) return read;
  return ReadProcessCgroup(*p, ctx, &p->cgroup_lines);
}

TEST(ProcessReader, Reads_EveryFieldOfFixtureProcess) {
  TempTree tree;
  WriteUserProcess(tree, 123);
  ProcFixture proc(tree);
  ASSERT_GE(proc.ctx.proc_fd, 0);
  Process p;
  absl::StatusOr<ProcessRead> read = ReadWithCgroup(123, &proc.ctx, &p);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(*read, ProcessRead::kRead);
  EXPECT_EQ(p.pid, 123);
  EXPECT_EQ(p.ppid, 1);
  EXPECT_EQ(p.pgid, 123);
  EXPECT_EQ(p.sid, 4003);
  EXPECT_EQ(p.tty_nr, 34817);
  EXPECT_EQ(p.ns_pid, 7);  // status's innermost NSpid
  EXPECT_EQ(p.state, 'S');
  EXPECT_EQ(p.starttime_ticks, 283419u);
  EXPECT_EQ(p.comm, "a) b (c\nd");
  EXPECT_THAT(p.argv, ElementsAre("/usr/bin/worker", "--queue", "jobs high"));
  EXPECT_EQ(p.uid, 1001u);  // the effective uid, from status: the fixture's files belong to root
  EXPECT_EQ(p.threads, 3);
  EXPECT_EQ(p.rss_bytes, 433u * 4096u);  // statm resident, not stat's approximate 381
  EXPECT_FALSE(p.kernel_thread);
  EXPECT_THAT(p.cgroup_lines,
              ElementsAre(CgroupMembership{9, "name=systemd", "/"},
                          CgroupMembership{4, "memory", "/docker/2403ccfe:x"},
                          CgroupMembership{0, "", "/system.slice/containerd.service"}));
  EXPECT_TRUE(p.cgroup.empty());  // left to the scanner
  EXPECT_EQ(proc.ctx.skips.vanished, 0);
  EXPECT_EQ(proc.ctx.skips.denied, 0);
}

TEST(ProcessReader, Uses_ContextPageSize) {
  TempTree tree;
  WriteUserProcess(tree, 123);
  ProcFixture proc(tree);
  ASSERT_EQ(chown(tree.Path("proc/123").c_str(), 4242, 4242), 0);  // statm, not status
  proc.ctx.page_size = 16384;
  Process p;
  ASSERT_EQ(ReadProcess(123, &proc.ctx, &p).value_or(ProcessRead::kVanished), ProcessRead::kRead);
  EXPECT_EQ(p.rss_bytes, 433u * 16384u);
}

TEST(ProcessReader, UidIsTheOwnerOfProcPidWhenThatIsNotRoot) {
  TempTree tree;
  WriteUserProcess(tree, 123);
  ASSERT_EQ(chown(tree.Path("proc/123").c_str(), 4242, 4242), 0);
  tree.Remove("proc/123/status");  // not needed: the owner is the effective uid
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadProcess(123, &proc.ctx, &p).value_or(ProcessRead::kVanished), ProcessRead::kRead);
  EXPECT_EQ(p.uid, 4242u);
  EXPECT_FALSE(p.ns_pid.has_value());  // status was not read (RefineNamespaces reads it)
  EXPECT_EQ(p.sid, 4003);              // stat's fields are there
  EXPECT_EQ(proc.ctx.skips.vanished + proc.ctx.skips.denied, 0);
}

TEST(ProcessReader, Reads_NsPidFromStatus_InTheFastAndTheReferenceReader) {
  TempTree tree;
  WriteUserProcess(tree, 123);
  tree.Write("proc/123/status",
             "Name:\tx\nUid:\t0\t0\t0\t0\nNStgid:\t123\t45\t1\nNSpid:\t123\t45\t1\n"
             "VmRSS:\t    1732 kB\nThreads:\t3\n");
  WriteUserProcess(tree, 124);
  tree.Write("proc/124/status", "Name:\tx\nUid:\t0\t0\t0\t0\nNSpid:\t124\nThreads:\t3\n");
  for (bool reference : {false, true}) {
    SCOPED_TRACE(reference ? "reference" : "fast");
    ProcFixture proc(tree);
    testing::ReferenceReader ref{.proc_path = proc.ctx.proc_path};
    auto read = [&](int pid, Process* p) {
      return reference ? testing::ReadReferenceProcess(pid, &ref, p)
                       : ReadProcess(pid, &proc.ctx, p);
    };
    Process nested, flat;
    ASSERT_EQ(read(123, &nested).value_or(ProcessRead::kVanished), ProcessRead::kRead);
    ASSERT_EQ(read(124, &flat).value_or(ProcessRead::kVanished), ProcessRead::kRead);
    EXPECT_EQ(nested.ns_pid, 1);  // the deepest namespace's init
    EXPECT_FALSE(flat.ns_pid.has_value());
  }
}

TEST(ProcessReader, LeavesTheLinesToReadProcessCgroup) {
  TempTree tree;
  WriteUserProcess(tree, 123);
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadProcess(123, &proc.ctx, &p).value_or(ProcessRead::kVanished), ProcessRead::kRead);
  EXPECT_THAT(p.cgroup_lines, IsEmpty());
  std::vector<CgroupMembership> lines;
  ASSERT_EQ(ReadProcessCgroup(p, &proc.ctx, &lines).value_or(ProcessRead::kVanished),
            ProcessRead::kRead);
  EXPECT_EQ(lines.size(), 3u);
  Process gone = p;
  gone.pid = 999;
  EXPECT_EQ(ReadProcessCgroup(gone, &proc.ctx, &lines).value_or(ProcessRead::kRead),
            ProcessRead::kVanished);
  EXPECT_EQ(proc.ctx.skips.vanished, 1);
  // The same pid with another starttime is another process: its cgroup is not p's.
  Process reused = p;
  ++reused.starttime_ticks;
  lines.clear();
  EXPECT_EQ(ReadProcessCgroup(reused, &proc.ctx, &lines).value_or(ProcessRead::kRead),
            ProcessRead::kVanished);
  EXPECT_THAT(lines, IsEmpty());
  EXPECT_EQ(proc.ctx.skips.vanished, 2);
}

TEST(ProcessReader, CgroupOfProcessThatBeganExitingSinceItWasRead_IsVanished) {
  // Read while sleeping; exiting (PF_EXITING) when its cgroup file is read: a v1 kernel may
  // already show the root cgroup, which is not where it ran.
  TempTree tree;
  WriteUserProcess(tree, 123);
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadProcess(123, &proc.ctx, &p).value_or(ProcessRead::kVanished), ProcessRead::kRead);
  tree.Write("proc/123/stat", StatLine(123, "a) b (c\nd", 'R', 1, kUserFlags | 0x4, 283419));
  std::vector<CgroupMembership> lines;
  EXPECT_EQ(ReadProcessCgroup(p, &proc.ctx, &lines).value_or(ProcessRead::kRead),
            ProcessRead::kVanished);
  EXPECT_EQ(proc.ctx.skips.vanished, 1);
  // A zombie when read stays a zombie: its cgroup is read (and inherited later if it is "/").
  tree.Write("proc/123/stat", StatLine(123, "a) b (c\nd", 'Z', 1, kUserFlags | 0x4, 283419));
  p.state = 'Z';
  EXPECT_EQ(ReadProcessCgroup(p, &proc.ctx, &lines).value_or(ProcessRead::kVanished),
            ProcessRead::kRead);
  EXPECT_EQ(lines.size(), 3u);
}

TEST(ProcessReader, Lists_OnlyNumericDirectories) {
  TempTree tree;
  WriteUserProcess(tree, 1);
  WriteUserProcess(tree, 123);
  tree.MakeDir("proc/self");
  tree.MakeDir("proc/12a");
  tree.MakeDir("proc/0");
  tree.Write("proc/77", "a file, not a process\n");
  tree.Write("proc/meminfo", "MemTotal: 1 kB\n");
  ProcFixture proc(tree);
  absl::StatusOr<std::vector<int>> pids = ListPids(proc.ctx.proc_fd, proc.ctx.proc_path);
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_THAT(*pids, UnorderedElementsAre(1, 123));
  // The listing has its own directory offset, so a second one sees the same entries.
  absl::StatusOr<std::vector<int>> again = ListPids(proc.ctx.proc_fd, proc.ctx.proc_path);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, *pids);
}

TEST(ProcessReader, Fails_ListingBadDirectoryFd) {
  absl::StatusOr<std::vector<int>> pids = ListPids(-1, "/nowhere/proc");
  ASSERT_FALSE(pids.ok());
  EXPECT_THAT(std::string(pids.status().message()), ::testing::StartsWith("/nowhere/proc: "));
}

TEST(ProcessReader, SkipsAndCounts_PidDirRemovedAfterListing) {
  TempTree tree;
  WriteUserProcess(tree, 77);
  ProcFixture proc(tree);
  absl::StatusOr<std::vector<int>> pids = ListPids(proc.ctx.proc_fd, proc.ctx.proc_path);
  ASSERT_TRUE(pids.ok());
  ASSERT_THAT(*pids, ElementsAre(77));
  tree.Remove("proc/77");
  Process p;
  p.comm = "untouched";
  absl::StatusOr<ProcessRead> read = ReadProcess(77, &proc.ctx, &p);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, ProcessRead::kVanished);
  EXPECT_EQ(proc.ctx.skips.vanished, 1);
  EXPECT_EQ(proc.ctx.skips.denied, 0);
  EXPECT_EQ(p.comm, "untouched");
}

TEST(ProcessReader, SkipsAndCounts_PidDirWithoutStat) {
  TempTree tree;
  tree.MakeDir("proc/78");
  ProcFixture proc(tree);
  Process p;
  EXPECT_EQ(ReadProcess(78, &proc.ctx, &p).value_or(ProcessRead::kRead), ProcessRead::kVanished);
  EXPECT_EQ(proc.ctx.skips.vanished, 1);
}

TEST(ProcessReader, Reads_KernelThreadWithoutRssOrArgv) {
  TempTree tree;
  tree.Write("proc/2/stat", StatLine(2, "kthreadd", 'S', 0, kKthreadFlags, 14));
  tree.Write("proc/2/statm", "0 0 0 0 0 0 0\n");
  tree.Write("proc/2/status", "Name:\tkthreadd\nUid:\t0\t0\t0\t0\nThreads:\t1\n");
  tree.Write("proc/2/cmdline", "");
  tree.Write("proc/2/cgroup", "0::/\n");
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadProcess(2, &proc.ctx, &p).value_or(ProcessRead::kVanished), ProcessRead::kRead);
  EXPECT_TRUE(p.kernel_thread);
  EXPECT_EQ(p.comm, "kthreadd");
  EXPECT_EQ(p.ppid, 0);
  EXPECT_THAT(p.argv, IsEmpty());
  EXPECT_FALSE(p.rss_bytes.has_value());
  EXPECT_EQ(p.uid, 0u);
}

TEST(ProcessReader, Reference_DetectsKernelThreadFromStatusKthreadLine) {
  // The fast reader trusts PF_KTHREAD in stat's flags, which every kernel sets for its threads;
  // the reference reader also honours status's Kthread line (6.x).
  TempTree tree;
  WriteUserProcess(tree, 35);
  tree.Write("proc/35/status", "Name:\tkworker\nUid:\t0\t0\t0\t0\nKthread:\t1\n");
  testing::ReferenceReader ref{.proc_path = tree.Path("proc")};
  Process p;
  ASSERT_EQ(testing::ReadReferenceProcess(35, &ref, &p).value_or(ProcessRead::kVanished),
            ProcessRead::kRead);
  EXPECT_TRUE(p.kernel_thread);
  EXPECT_FALSE(p.rss_bytes.has_value());
}

TEST(ProcessReader, Reads_ZombieWithoutRssOrArgv) {
  TempTree tree;
  tree.Write("proc/4242/stat", StatLine(4242, "defunct", 'Z', 4200, 0x40800c, 290000));
  tree.Write("proc/4242/statm", "0 0 0 0 0 0 0\n");
  tree.Write("proc/4242/status",
             "Name:\tdefunct\nState:\tZ (zombie)\nUid:\t1000\t1000\t1000\t1000\nThreads:\t1\n");
  tree.Write("proc/4242/cmdline", "");
  tree.Write("proc/4242/cgroup", "4:memory:/\n0::/app.slice (deleted)\n");
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadWithCgroup(4242, &proc.ctx, &p).value_or(ProcessRead::kVanished),
            ProcessRead::kRead);
  EXPECT_EQ(p.state, 'Z');
  EXPECT_FALSE(p.kernel_thread);
  EXPECT_FALSE(p.rss_bytes.has_value());
  EXPECT_THAT(p.argv, IsEmpty());
  EXPECT_EQ(p.uid, 1000u);
  EXPECT_THAT(p.cgroup_lines, ElementsAre(CgroupMembership{4, "memory", "/"},
                                          CgroupMembership{0, "", "/app.slice"}));
}

TEST(ProcessReader, FallsBackToStatRss_WhenStatmIsAbsent) {
  TempTree tree;
  WriteUserProcess(tree, 123);
  tree.Remove("proc/123/statm");
  ASSERT_EQ(chown(tree.Path("proc/123").c_str(), 4242, 4242), 0);  // status is not read
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadProcess(123, &proc.ctx, &p).value_or(ProcessRead::kVanished), ProcessRead::kRead);
  EXPECT_EQ(p.rss_bytes, 381u * 4096u);
}

TEST(ProcessReader, RootOwnedProcess_TakesRssFromStatusVmRss) {
  // status is read anyway for its uid, and VmRSS is the same exact counter as statm's resident.
  TempTree tree;
  WriteUserProcess(tree, 123);
  tree.Remove("proc/123/statm");
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadProcess(123, &proc.ctx, &p).value_or(ProcessRead::kVanished), ProcessRead::kRead);
  EXPECT_EQ(p.rss_bytes, 1732u * 1024u);
  EXPECT_EQ(p.uid, 1001u);
  EXPECT_EQ(proc.ctx.skips.vanished, 0);
}

TEST(ProcessReader, LeavesFieldsEmpty_WhenOptionalFilesAreAbsent) {
  // The process is still there (stat reads), so a missing file is absent, not a vanished process.
  TempTree tree;
  WriteUserProcess(tree, 123);
  tree.Remove("proc/123/status");
  tree.Remove("proc/123/cmdline");
  tree.Remove("proc/123/cgroup");
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadWithCgroup(123, &proc.ctx, &p).value_or(ProcessRead::kVanished),
            ProcessRead::kRead);
  EXPECT_FALSE(p.uid.has_value());
  EXPECT_THAT(p.argv, IsEmpty());
  EXPECT_THAT(p.cgroup_lines, IsEmpty());
  EXPECT_EQ(p.comm, "a) b (c\nd");
  EXPECT_EQ(p.rss_bytes, 433u * 4096u);
  EXPECT_EQ(proc.ctx.skips.vanished, 0);
  EXPECT_EQ(proc.ctx.skips.denied, 0);
}

TEST(ProcessReader, CountsDenied_WhenStatusIsUnreadable) {
  TempTree tree;
  WriteUserProcess(tree, 123);
  std::string status = tree.Path("proc/123/status");
  ASSERT_EQ(chmod(status.c_str(), 0), 0);
  int probe = open(status.c_str(), O_RDONLY);
  if (probe >= 0) {
    close(probe);
    GTEST_SKIP() << "file permissions do not apply (CAP_DAC_OVERRIDE)";
  }
  ProcFixture proc(tree);
  Process p;
  ASSERT_EQ(ReadProcess(123, &proc.ctx, &p).value_or(ProcessRead::kVanished), ProcessRead::kRead);
  EXPECT_FALSE(p.uid.has_value());
  EXPECT_EQ(p.threads, 3);
  EXPECT_EQ(proc.ctx.skips.denied, 1);
  EXPECT_EQ(proc.ctx.skips.vanished, 0);
}

TEST(ProcessReader, Fails_NamingMalformedFile) {
  struct Case {
    const char* file;
    std::string content;
    std::string message;
  };
  const Case cases[] = {
      {"stat", "5 (broken S 1 5 0", "stat: no ')' after comm"},
      {"statm", "1 2\n", "statm: too few fields: 2, need at least 3"},
      {"status", "Uid:\tnobody\n", "status: line 1: bad value for Uid"},
      {"cgroup", "0::/\nmemory:/a\n", "cgroup: line 2: no ':' after controllers"},
  };
  for (const Case& c : cases) {
    for (bool reference : {false, true}) {
      SCOPED_TRACE(reference ? "reference" : "fast");
      TempTree tree;
      WriteUserProcess(tree, 5);
      tree.Write("proc/5/"s + c.file, c.content);
      // The reference reader reads every file; the fast one reads statm only where it does not
      // read status (for the uid of a root-owned /proc/PID), whose VmRSS is the same figure.
      if (!reference && c.file == "statm"s) {
        ASSERT_EQ(chown(tree.Path("proc/5").c_str(), 4242, 4242), 0);
      }
      ProcFixture proc(tree);
      testing::ReferenceReader ref{.proc_path = proc.ctx.proc_path};
      Process p;
      absl::StatusOr<ProcessRead> read =
          reference ? testing::ReadReferenceProcess(5, &ref, &p) : ReadWithCgroup(5, &proc.ctx, &p);
      ASSERT_FALSE(read.ok()) << c.file;
      EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_EQ(std::string(read.status().message()), tree.Path("proc/5/") + c.message);
    }
  }
}

TEST(ProcessReader, Reads_HugeCmdlineThenSmallOneThroughSameBuffer) {
  TempTree tree;
  WriteUserProcess(tree, 10);
  WriteUserProcess(tree, 11);
  std::string big(size_t{2} * 1024 * 1024, 'y');
  tree.Write("proc/10/cmdline", "java\0"s + big + '\0');
  tree.Write("proc/11/cmdline", "sh\0"s);
  ProcFixture proc(tree);
  Process first, second;
  ASSERT_EQ(ReadProcess(10, &proc.ctx, &first).value_or(ProcessRead::kVanished),
            ProcessRead::kRead);
  ASSERT_EQ(ReadProcess(11, &proc.ctx, &second).value_or(ProcessRead::kVanished),
            ProcessRead::kRead);
  ASSERT_EQ(first.argv.size(), 2u);
  EXPECT_EQ(first.argv[1], big);
  EXPECT_THAT(second.argv, ElementsAre("sh"));
  EXPECT_EQ(second.comm, "a) b (c\nd");
}

// ---- Real /proc ----

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Field 3 of /proc/PID/stat, read independently of ParseStat.
char LiveState(pid_t pid) {
  std::string stat = ReadWhole("/proc/" + std::to_string(pid) + "/stat");
  size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

// Forks a child that pauses (or exits at once, to become a zombie), and kills and reaps it when
// destroyed, also when an assertion failed.
class Child {
 public:
  enum Kind { kPausing, kExiting };
  explicit Child(Kind kind) {
    pid_ = fork();
    if (pid_ == 0) {
      if (kind == kPausing) pause();
      _exit(0);
    }
  }
  ~Child() { Reap(); }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  pid_t pid() const { return pid_; }
  // Waits until the child's state is `state`, for up to 5 s.
  bool WaitForState(char state) const {
    for (int i = 0; i < 500; ++i) {
      if (LiveState(pid_) == state) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  void Reap() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

class LiveProc {
 public:
  LiveProc() {
    ctx.proc_path = "/proc";
    ctx.proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ctx.page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  }
  ~LiveProc() { close(ctx.proc_fd); }
  ProcessReadContext ctx;
};

TEST(ProcessReaderLive, Reads_ForkedChildThenCountsItVanishedAfterReaping) {
  Child child(Child::kPausing);
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(child.WaitForState('S'));
  LiveProc proc;
  ASSERT_GE(proc.ctx.proc_fd, 0);

  absl::StatusOr<std::vector<int>> pids = ListPids(proc.ctx.proc_fd, "/proc");
  ASSERT_TRUE(pids.ok()) << pids.status();
  EXPECT_NE(std::find(pids->begin(), pids->end(), child.pid()), pids->end());
  EXPECT_NE(std::find(pids->begin(), pids->end(), getpid()), pids->end());

  Process p;
  absl::StatusOr<ProcessRead> read = ReadWithCgroup(child.pid(), &proc.ctx, &p);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(*read, ProcessRead::kRead);
  std::string statm = ReadWhole("/proc/" + std::to_string(child.pid()) + "/statm");
  uint64_t size = 0, resident = 0;
  ASSERT_EQ(sscanf(statm.c_str(), "%lu %lu", &size, &resident), 2) << statm;

  EXPECT_EQ(p.pid, child.pid());
  EXPECT_EQ(p.ppid, getpid());
  // A forked child stays in its parent's process group and session, on its terminal.
  EXPECT_EQ(p.pgid, getpgrp());
  EXPECT_EQ(p.sid, getsid(0));
  absl::StatusOr<Stat> own_stat = ParseStat(ReadWhole("/proc/self/stat"));
  ASSERT_TRUE(own_stat.ok()) << own_stat.status();
  EXPECT_EQ(p.tty_nr, own_stat->tty_nr);
  EXPECT_FALSE(p.ns_pid.has_value());  // in the pid namespace of this /proc
  EXPECT_EQ(p.state, 'S');
  EXPECT_EQ(p.rss_bytes, resident * proc.ctx.page_size);
  EXPECT_GT(resident, 0u);
  EXPECT_EQ(p.uid, getuid());
  EXPECT_EQ(p.threads, 1);
  EXPECT_FALSE(p.kernel_thread);
  EXPECT_GT(p.starttime_ticks, 0u);
  // A forked child keeps its parent's comm, argv and cgroups.
  std::string comm = ReadWhole("/proc/self/comm");
  EXPECT_EQ(p.comm + "\n", comm);
  EXPECT_EQ(p.argv, ParseCmdline(ReadWhole("/proc/self/cmdline")));
  EXPECT_FALSE(p.argv.empty());
  absl::StatusOr<std::vector<CgroupMembership>> own =
      ParseProcCgroup(ReadWhole("/proc/self/cgroup"));
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(p.cgroup_lines, *own);
  EXPECT_EQ(proc.ctx.skips.vanished, 0);

  child.Reap();
  Process gone;
  read = ReadProcess(p.pid, &proc.ctx, &gone);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, ProcessRead::kVanished);
  EXPECT_EQ(proc.ctx.skips.vanished, 1);
}

TEST(ProcessReaderLive, Reads_RealZombie) {
  Child child(Child::kExiting);
  ASSERT_GT(child.pid(), 0);
  ASSERT_TRUE(child.WaitForState('Z'));
  LiveProc proc;
  Process p;
  absl::StatusOr<ProcessRead> read = ReadProcess(child.pid(), &proc.ctx, &p);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(*read, ProcessRead::kRead);
  EXPECT_EQ(p.state, 'Z');
  EXPECT_EQ(p.ppid, getpid());
  EXPECT_THAT(p.argv, IsEmpty());
  EXPECT_FALSE(p.rss_bytes.has_value());
  EXPECT_FALSE(p.kernel_thread);
}

TEST(ProcessReaderLive, Reads_RealKthreadd) {
  if (ReadWhole("/proc/2/comm") != "kthreadd\n") GTEST_SKIP() << "pid 2 is not kthreadd here";
  LiveProc proc;
  Process p;
  absl::StatusOr<ProcessRead> read = ReadProcess(2, &proc.ctx, &p);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(*read, ProcessRead::kRead);
  EXPECT_TRUE(p.kernel_thread);
  EXPECT_EQ(p.ppid, 0);
  EXPECT_EQ(p.pgid, 0);
  EXPECT_EQ(p.sid, 0);
  EXPECT_EQ(p.tty_nr, 0);
  EXPECT_FALSE(p.ns_pid.has_value());
  EXPECT_THAT(p.argv, IsEmpty());
  EXPECT_FALSE(p.rss_bytes.has_value());
}

}  // namespace
}  // namespace procleak
