// SPDX-License-Identifier: Apache-2.0
// ReadProcessBrief and ReadExactRss: against ReadProcess on every fixture tree, on ad-hoc trees for
// the edge cases, and on real /proc with a forked child.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "procfs/pid_listing.h"
#include "procfs/process_reader.h"
#include "procfs/smaps_rollup_parser.h"
#include "procfs/stat_parser.h"
#include "testing/fake_proc.h"
#include "testing/fixture_trees.h"
#include "testing/paused_children.h"
#include "testing/print_process.h"
#include "testing/reference_reader.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::StatLine;
using testing::TempTree;
using testing::WriteProcess;
using namespace std::string_literals;

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A context reading DIR (a /proc directory), closed at the end of the test.
class ProcDir {
 public:
  explicit ProcDir(const std::string& dir, uint64_t page_size = 4096) {
    ctx.proc_path = dir;
    ctx.proc_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    ctx.page_size = page_size;
  }
  ~ProcDir() {
    if (ctx.proc_fd >= 0) close(ctx.proc_fd);
  }
  ProcessReadContext ctx;
};

// Reads `pid` with `read` (ReadProcess or ReadProcessBrief); a failure or kVanished fails the test.
template <typename ReadFn>
Process MustRead(ReadFn read, int pid, ProcessReadContext* ctx) {
  Process p;
  absl::StatusOr<ProcessRead> outcome = read(pid, ctx, &p);
  EXPECT_TRUE(outcome.ok()) << outcome.status();
  EXPECT_EQ(outcome.value_or(ProcessRead::kVanished), ProcessRead::kRead) << pid;
  return p;
}

// ReadProcess's record as the brief reader must give it: the same but for no uid, exe or cgroup
// lines, and RSS and PSS as the caller expects them.
Process AsBrief(Process p, std::optional<uint64_t> rss, std::optional<uint64_t> pss) {
  p.uid.reset();
  p.ns_pid.reset();  // from status, which the brief reader does not read
  p.exe.clear();
  p.cgroup_lines.clear();
  p.rss_bytes = rss;
  p.pss_bytes = pss;
  return p;
}

// ---- Every fixture tree ----

class FixtureTree : public ::testing::TestWithParam<std::string> {
 protected:
  std::string proc() const { return testing::DataDir(GetParam()) + "/proc"; }
  std::string File(int pid, const char* name) const {
    return proc() + "/" + std::to_string(pid) + "/" + name;
  }
  bool HasMm(const Process& p) const { return !p.kernel_thread && p.state != 'Z'; }
};

TEST_P(FixtureTree, Brief_EqualsReadProcessButForUidExeAndStatRss) {
  ProcDir full(proc()), brief(proc());
  ASSERT_GE(full.ctx.proc_fd, 0) << proc();
  absl::StatusOr<std::vector<int>> pids = ListPids(full.ctx.proc_fd, proc());
  ASSERT_TRUE(pids.ok()) << pids.status();
  ASSERT_FALSE(pids->empty());
  for (int pid : *pids) {
    const Process f = MustRead(ReadProcess, pid, &full.ctx);
    const Process b = MustRead(ReadProcessBrief, pid, &brief.ctx);
    absl::StatusOr<Stat> stat = ParseStat(ReadWhole(File(pid, "stat")));
    ASSERT_TRUE(stat.ok()) << stat.status();
    std::optional<uint64_t> rss = stat->rss_pages * 4096;
    if (!HasMm(f)) rss.reset();
    EXPECT_EQ(b, AsBrief(f, rss, std::nullopt));
  }
  EXPECT_EQ(brief.ctx.skips.vanished, full.ctx.skips.vanished);
  EXPECT_EQ(brief.ctx.skips.denied, 0);
}

TEST_P(FixtureTree, BriefWithPss_TakesRssAndPssFromSmapsRollup) {
  ProcDir full(proc()), brief(proc());
  full.ctx.pss = brief.ctx.pss = true;
  absl::StatusOr<std::vector<int>> pids = ListPids(full.ctx.proc_fd, proc());
  ASSERT_TRUE(pids.ok()) << pids.status();
  for (int pid : *pids) {
    const Process f = MustRead(ReadProcess, pid, &full.ctx);
    const Process b = MustRead(ReadProcessBrief, pid, &brief.ctx);
    std::optional<uint64_t> rss = ParseStat(ReadWhole(File(pid, "stat")))->rss_pages * 4096;
    absl::StatusOr<SmapsRollup> rollup = ParseSmapsRollup(ReadWhole(File(pid, "smaps_rollup")));
    if (HasMm(f) && rollup.ok() && rollup->rss) rss = rollup->rss;
    if (!HasMm(f)) rss.reset();
    EXPECT_EQ(b, AsBrief(f, rss, f.pss_bytes));
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTree, FixtureTree, ::testing::ValuesIn(testing::FixtureTrees()),
                         testing::FixtureTestName);

TEST(BriefFixtures, IncidentTree_GivesPssToCompare) {
  // Guards the test above against comparing nothing but absent figures.
  ProcDir brief(testing::DataDir("incident") + "/proc");
  brief.ctx.pss = true;
  const Process p = MustRead(ReadProcessBrief, 3000, &brief.ctx);
  ASSERT_TRUE(p.pss_bytes.has_value());
  EXPECT_LT(*p.pss_bytes, p.rss_bytes.value_or(0));
}

// ---- Ad-hoc trees ----

TEST(BriefReader, SkipsAndCounts_PidWithoutStat) {
  TempTree tree;
  tree.MakeDir("proc/78");
  tree.Write("proc/79/cmdline", "orphan file\0"s);
  ProcDir proc(tree.Path("proc"));
  Process p;
  p.comm = "untouched";
  EXPECT_EQ(ReadProcessBrief(78, &proc.ctx, &p).value_or(ProcessRead::kRead),
            ProcessRead::kVanished);
  EXPECT_EQ(ReadProcessBrief(79, &proc.ctx, &p).value_or(ProcessRead::kRead),
            ProcessRead::kVanished);
  EXPECT_EQ(ReadProcessBrief(80, &proc.ctx, &p).value_or(ProcessRead::kRead),
            ProcessRead::kVanished);
  EXPECT_EQ(proc.ctx.skips.vanished, 3);
  EXPECT_EQ(proc.ctx.skips.denied, 0);
  EXPECT_EQ(p.comm, "untouched");
}

TEST(BriefReader, Fails_NamingMalformedStat) {
  TempTree tree;
  WriteProcess(tree, 5, 1, "w");
  tree.Write("proc/5/stat", "5 (broken S 1 5 0");
  for (const std::string& dir : {tree.Path("proc"), tree.Path("proc") + "/"}) {
    ProcDir proc(dir);
    Process p;
    absl::StatusOr<ProcessRead> read = ReadProcessBrief(5, &proc.ctx, &p);
    ASSERT_FALSE(read.ok()) << dir;
    EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(read.status().message(), tree.Path("proc/5/stat") + ": no ')' after comm");
  }
}

TEST(BriefReader, Fails_NamingMalformedSmapsRollup_OnlyWithPss) {
  TempTree tree;
  WriteProcess(tree, 5, 1, "w");
  tree.Write("proc/5/smaps_rollup", "Rss:    many kB\n");
  ProcDir proc(tree.Path("proc"));
  Process p;
  EXPECT_TRUE(ReadProcessBrief(5, &proc.ctx, &p).ok());
  proc.ctx.pss = true;
  absl::StatusOr<ProcessRead> read = ReadProcessBrief(5, &proc.ctx, &p);
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(std::string(read.status().message()),
              ::testing::StartsWith(tree.Path("proc/5/smaps_rollup") + ": "));
}

TEST(BriefReader, Reads_ProcessWithoutCmdline) {
  TempTree tree;
  WriteProcess(tree, 9, 1, "w");
  tree.Remove("proc/9/cmdline");
  ProcDir proc(tree.Path("proc"));
  const Process p = MustRead(ReadProcessBrief, 9, &proc.ctx);
  EXPECT_THAT(p.argv, IsEmpty());
  EXPECT_EQ(p.comm, "w");
  EXPECT_EQ(p.rss_bytes, 381u * 4096u);
  EXPECT_EQ(proc.ctx.skips.vanished + proc.ctx.skips.denied, 0);
}

TEST(BriefReader, Reads_CommWithSpacesAndParens) {
  TempTree tree;
  WriteProcess(tree, 42, 7, "a) b (c) d", 283419);
  ProcDir proc(tree.Path("proc"));
  const Process p = MustRead(ReadProcessBrief, 42, &proc.ctx);
  EXPECT_EQ(p.comm, "a) b (c) d");
  EXPECT_EQ(p.pid, 42);
  EXPECT_EQ(p.ppid, 7);
  EXPECT_EQ(p.state, 'S');
  EXPECT_EQ(p.starttime_ticks, 283419u);
  EXPECT_THAT(p.argv, ElementsAre("a) b (c) d", "--flag"));
}

TEST(BriefReader, TakesRssFromStat_NotStatmOrStatus) {
  TempTree tree;
  WriteProcess(tree, 42, 1, "w");
  tree.Write("proc/42/statm", "765 500 305 5 0 123 0\n");
  ProcDir proc(tree.Path("proc"), 16384);
  const Process p = MustRead(ReadProcessBrief, 42, &proc.ctx);
  EXPECT_EQ(p.rss_bytes, 381u * 16384u);
  EXPECT_FALSE(p.uid.has_value());  // status says uid 0: not read
}

TEST(BriefReader, WithPss_KeepsStatRssWhenRollupHasNoRss) {
  TempTree tree;
  WriteProcess(tree, 42, 1, "w");
  tree.Write("proc/42/smaps_rollup", "Pss:    1000 kB\n");
  WriteProcess(tree, 43, 1, "w");  // no smaps_rollup at all
  ProcDir proc(tree.Path("proc"));
  proc.ctx.pss = true;
  const Process with = MustRead(ReadProcessBrief, 42, &proc.ctx);
  EXPECT_EQ(with.rss_bytes, 381u * 4096u);
  EXPECT_EQ(with.pss_bytes, 1000u * 1024u);
  const Process without = MustRead(ReadProcessBrief, 43, &proc.ctx);
  EXPECT_EQ(without.rss_bytes, 381u * 4096u);
  EXPECT_FALSE(without.pss_bytes.has_value());
}

TEST(BriefReader, ZombieHasNoRssEvenWithRollup) {
  TempTree tree;
  tree.Write("proc/50/stat", StatLine(50, "defunct", 'Z', 1, 900));
  tree.Write("proc/50/smaps_rollup", "Rss:    4 kB\nPss:    4 kB\n");
  ProcDir proc(tree.Path("proc"));
  proc.ctx.pss = true;
  const Process p = MustRead(ReadProcessBrief, 50, &proc.ctx);
  EXPECT_EQ(p.state, 'Z');
  EXPECT_FALSE(p.rss_bytes.has_value());
  EXPECT_FALSE(p.pss_bytes.has_value());
}

TEST(BriefReader, ReferenceReader_TakesUidFromStatusAndRssFromStatm) {
  TempTree tree;
  WriteProcess(tree, 42, 1, "w");
  tree.Write("proc/42/statm", "765 500 305 5 0 123 0\n");
  testing::ReferenceReader ref{.proc_path = tree.Path("proc")};
  Process p;
  ASSERT_EQ(testing::ReadReferenceProcess(42, &ref, &p).value_or(ProcessRead::kVanished),
            ProcessRead::kRead);
  EXPECT_EQ(p.uid, 0u);
  EXPECT_EQ(p.rss_bytes, 500u * 4096u);
}

// ---- ReadExactRss ----

class ExactRss : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteProcess(tree_, 42, 1, "w", 1000);
    tree_.Write("proc/42/statm", "765 500 305 5 0 123 0\n");
    proc_.emplace(tree_.Path("proc"));
    read_ = MustRead(ReadProcessBrief, 42, &proc_->ctx);
  }
  absl::StatusOr<std::optional<uint64_t>> Read() { return ReadExactRss(read_, &proc_->ctx); }
  std::optional<uint64_t> Exact() {
    absl::StatusOr<std::optional<uint64_t>> rss = Read();
    EXPECT_TRUE(rss.ok()) << rss.status();
    return rss.value_or(std::nullopt);
  }
  TempTree tree_;
  std::optional<ProcDir> proc_;
  Process read_;
};

TEST_F(ExactRss, IsStatmResident_ForTheSameProcess) { EXPECT_EQ(Exact(), 500u * 4096u); }

TEST_F(ExactRss, IsNone_WhenThePidNamesAnotherProcess) {
  tree_.Write("proc/42/stat", StatLine(42, "w", 'S', 1, 1001));
  EXPECT_EQ(Exact(), std::nullopt);
}

TEST_F(ExactRss, IsNone_WhenStatIsGone) {
  tree_.Remove("proc/42/stat");
  EXPECT_EQ(Exact(), std::nullopt);
  tree_.Remove("proc/42");
  EXPECT_EQ(Exact(), std::nullopt);
}

TEST_F(ExactRss, IsNone_ForZombieOrEmptyMap) {
  tree_.Write("proc/42/statm", "0 0 0 0 0 0 0\n");
  EXPECT_EQ(Exact(), std::nullopt);
  tree_.Write("proc/42/statm", "765 500 305 5 0 123 0\n");
  tree_.Write("proc/42/stat", StatLine(42, "w", 'Z', 1, 1000));
  EXPECT_EQ(Exact(), std::nullopt);
}

TEST_F(ExactRss, Fails_NamingMalformedStatm) {
  tree_.Write("proc/42/statm", "1 2\n");
  absl::StatusOr<std::optional<uint64_t>> rss = Read();
  ASSERT_FALSE(rss.ok());
  EXPECT_THAT(std::string(rss.status().message()),
              ::testing::StartsWith(tree_.Path("proc/42/statm") + ": "));
}

// ---- ReadNsPid ----

class NsPid : public ExactRss {
 protected:
  void SetUp() override {
    ExactRss::SetUp();
    tree_.Write("proc/42/status", "Name:\tw\nUid:\t0\t0\t0\t0\nNSpid:\t42\t7\nThreads:\t1\n");
  }
  absl::StatusOr<std::optional<int>> ReadIt() { return ReadNsPid(read_, &proc_->ctx); }
  std::optional<int> Inner() {
    absl::StatusOr<std::optional<int>> ns_pid = ReadIt();
    EXPECT_TRUE(ns_pid.ok()) << ns_pid.status();
    return ns_pid.value_or(std::nullopt);
  }
};

TEST_F(NsPid, IsTheInnermostNsPid_ForTheSameProcess) {
  EXPECT_FALSE(read_.ns_pid.has_value());  // the brief read leaves status alone
  EXPECT_EQ(Inner(), 7);
  tree_.Write("proc/42/status", "Name:\tw\nUid:\t0\t0\t0\t0\nNSpid:\t42\nThreads:\t1\n");
  EXPECT_EQ(Inner(), std::nullopt);  // not in a nested namespace
}

TEST_F(NsPid, IsNone_WhenThePidNamesAnotherProcessOrIsGone) {
  tree_.Write("proc/42/stat", StatLine(42, "w", 'S', 1, 1001));
  EXPECT_EQ(Inner(), std::nullopt);
  tree_.Write("proc/42/stat", StatLine(42, "w", 'S', 1, 1000));
  tree_.Remove("proc/42/status");
  EXPECT_EQ(Inner(), std::nullopt);
  tree_.Remove("proc/42");
  EXPECT_EQ(Inner(), std::nullopt);
}

TEST_F(NsPid, IsRead_ForAZombie) {
  tree_.Write("proc/42/stat", StatLine(42, "w", 'Z', 1, 1000));
  EXPECT_EQ(Inner(), 7);
}

TEST_F(NsPid, Fails_NamingMalformedStatus) {
  tree_.Write("proc/42/status", "Name:\tw\nNSpid:\t42\tseven\n");
  absl::StatusOr<std::optional<int>> ns_pid = ReadIt();
  ASSERT_FALSE(ns_pid.ok());
  EXPECT_EQ(std::string(ns_pid.status().message()),
            tree_.Path("proc/42/status") + ": line 2: bad value for NSpid");
}

// ---- Real /proc ----

TEST(BriefReaderLive, ForkedChild_ReadsAsReadProcessDoes) {
  testing::PausedChildren child(1);
  ASSERT_EQ(child.pids().size(), 1u);
  ASSERT_TRUE(child.WaitUntilAsleep());
  const int pid = child.pids()[0];
  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  ProcDir proc("/proc", page);
  ASSERT_GE(proc.ctx.proc_fd, 0);
  const Process f = MustRead(ReadProcess, pid, &proc.ctx);
  const Process b = MustRead(ReadProcessBrief, pid, &proc.ctx);
  EXPECT_EQ(b, AsBrief(f, b.rss_bytes, std::nullopt));  // stat's RSS may be a few pages off
  EXPECT_EQ(b.ppid, getpid());
  EXPECT_EQ(b.state, 'S');
  EXPECT_FALSE(b.argv.empty());
  ASSERT_TRUE(b.rss_bytes.has_value());
  EXPECT_GT(*b.rss_bytes, 0u);
  EXPECT_EQ(*b.rss_bytes % page, 0u);

  absl::StatusOr<std::optional<uint64_t>> exact = ReadExactRss(b, &proc.ctx);
  ASSERT_TRUE(exact.ok()) << exact.status();
  EXPECT_EQ(*exact, f.rss_bytes);  // a paused child's statm does not change

  Process other = b;
  ++other.starttime_ticks;
  EXPECT_EQ(ReadExactRss(other, &proc.ctx).value_or(1), std::nullopt);
  child.Reap();
  EXPECT_EQ(ReadExactRss(b, &proc.ctx).value_or(1), std::nullopt);
  Process gone;
  EXPECT_EQ(ReadProcessBrief(pid, &proc.ctx, &gone).value_or(ProcessRead::kRead),
            ProcessRead::kVanished);
  EXPECT_EQ(proc.ctx.skips.vanished, 1);
}

// `sleep 300 0 0 ...` (sleep sums its arguments) with a command line longer than one page,
// killed and reaped at the end of the test.
class LongSleep {
 public:
  explicit LongSleep(int zeros) {
    std::vector<std::string> args = {"sleep", "300"};
    args.resize(2 + static_cast<size_t>(zeros), "0");
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      execv("/bin/sleep", argv.data());
      _exit(127);
    }
  }
  ~LongSleep() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  bool WaitForExec() const {  // up to 5 s
    for (int i = 0; i < 500; ++i) {
      if (ReadWhole("/proc/" + std::to_string(pid_) + "/comm") == "sleep\n") return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }

 private:
  pid_t pid_ = -1;
};

TEST(BriefReaderLive, ReadsCommandLineLongerThanOnePage) {
  LongSleep sleep(3000);
  ASSERT_GT(sleep.pid(), 0);
  ASSERT_TRUE(sleep.WaitForExec());
  ProcDir proc("/proc", static_cast<uint64_t>(sysconf(_SC_PAGESIZE)));
  const Process b = MustRead(ReadProcessBrief, sleep.pid(), &proc.ctx);
  const Process f = MustRead(ReadProcess, sleep.pid(), &proc.ctx);
  EXPECT_EQ(b, AsBrief(f, b.rss_bytes, std::nullopt));
  ASSERT_EQ(b.argv.size(), 3002u);
  EXPECT_EQ(b.argv[1], "300");
  EXPECT_EQ(b.argv.back(), "0");
}

}  // namespace
}  // namespace procleak
