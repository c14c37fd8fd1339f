// SPDX-License-Identifier: Apache-2.0
// Scan, Analyze and the text renderers over hostile or broken fixture trees written at test time:
// ARG_MAX cmdlines, a 10,000-deep chain, parent cycles, binary garbage, odd cgroup paths and
// truncated files. Each either works, leaves the broken file's fields absent, or fails with one
// line naming the file; none crashes, hangs or recurses.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "procleak/analysis.h"
#include "procleak/scan.h"
#include "render/text_report.h"
#include "testing/reference_scan.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

// The fast scan, or the plain reference reader.
absl::StatusOr<Snapshot> ScanOf(const std::string& root, bool reference) {
  return reference ? testing::ReferenceScan({.root = root}) : Scan({.root = root});
}

using ::testing::HasSubstr;
using std::string_view_literals::operator""sv;
using testing::TempTree;

constexpr uint64_t kPage = 4096;

std::string StatLine(int pid, std::string_view comm, int ppid) {
  // As in scan_test: fields 3..52 of a real stat line; flags 0x400100, 1 thread, rss 381 pages.
  return std::to_string(pid) + " (" + std::string(comm) + ") S " + std::to_string(ppid) + " " +
         std::to_string(pid) + " 0 0 -1 4194560 134 0 1 0 0 0 0 0 20 0 1 0 1000" +
         " 3133440 381 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 "
         "0 0 0\n";
}

std::string Nul(size_t n) { return std::string(n, '\0'); }

std::string Cmdline(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) out += arg + Nul(1);
  return out;
}

struct Fixture {
  int ppid = 0;
  std::string comm = "worker";
  std::string cmdline = Cmdline({"worker", "--flag"});
  std::string cgroup = "0::/app.slice\n";
  std::string status = "Name:\tworker\nUid:\t0\t0\t0\t0\nThreads:\t1\nVmRSS:\t1524 kB\n";
  bool statm = false;  // statm is read only when status has no VmRSS
};

void WriteProcess(const TempTree& tree, int pid, const Fixture& f) {
  const std::string dir = "proc/" + std::to_string(pid) + "/";
  tree.Write(dir + "stat", StatLine(pid, f.comm, f.ppid));
  tree.Write(dir + "status", f.status);
  if (f.statm) tree.Write(dir + "statm", "765 381 305 5 0 123 0\n");
  tree.Write(dir + "cmdline", f.cmdline);
  tree.Write(dir + "cgroup", f.cgroup);
}

const std::string kV2Mount =
    "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";

void WriteHost(const TempTree& tree, const std::string& mountinfo = kV2Mount) {
  tree.Write("proc/stat", "cpu  1 2 3 4\nbtime 1795387045\nprocesses 9\n");
  tree.Write("proc/meminfo", "MemTotal:       24684084 kB\nMemAvailable:   23290780 kB\n");
  tree.Write("proc/sys/kernel/hostname", "fixture\n");
  tree.Write("proc/sys/kernel/osrelease", "6.1.0-test\n");
  tree.Write("proc/self/mountinfo", mountinfo);
  tree.Write("sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
  tree.Write("sys/fs/cgroup/app.slice/memory.current", "4096000\n");
}

// A host with init (pid 1) and whatever the test adds.
void WriteHostWithInit(const TempTree& tree) {
  WriteHost(tree);
  WriteProcess(tree, 1, {.comm = "init", .cmdline = Cmdline({"/sbin/init"})});
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Runs `body` on a thread with a 256 KiB stack: a walk that recursed once per tree level would
// overflow it on a 10,000-deep chain and crash the test.
void OnSmallStack(std::function<void()> body) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t thread;
  auto run = [](void* arg) -> void* {
    (*static_cast<std::function<void()>*>(arg))();
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, run, &body), 0);
  pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
}

// Analyzes and renders `s` (scan text with the analysis, and the tree) on a small stack; returns
// the tree. Every rendered line fits 80 columns. Nothing here is timed: a hang ends at the test's
// timeout, and cost per process is bench/scan_bench's to watch.
std::string AnalyzeAndRender(const Snapshot& s) {
  std::string tree;
  OnSmallStack([&] {
    Analysis analysis = Analyze(s, nullptr);
    TextOptions options;
    options.analysis = &analysis;
    std::string text = RenderScanText(s, options);
    tree = RenderTree(s, options);
    for (const std::string& line : Lines(text)) EXPECT_LE(line.size(), 80u) << line.substr(0, 100);
    for (const std::string& line : Lines(tree)) EXPECT_LE(line.size(), 80u) << line.substr(0, 100);
  });
  return tree;
}

// The one-line error Scan gives for a broken file.
void ExpectFileError(const absl::StatusOr<Snapshot>& s, const std::string& expected) {
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(std::string(s.status().message()), expected);
  EXPECT_EQ(std::string(s.status().message()).find('\n'), std::string::npos);
}

// --- (a) huge command lines ---------------------------------------------------------------

TEST(HostileInput, ReadsArgMaxCmdlineWhole_AndRendersItShortened) {
  TempTree tree;
  WriteHostWithInit(tree);
  constexpr size_t kArgMax = 2 * 1024 * 1024;
  const std::string huge(kArgMax - 5, 'x');  // "big\0" + huge + "\0" is exactly 2 MiB
  const std::string cmdline = Cmdline({"big", huge});
  ASSERT_EQ(cmdline.size(), kArgMax);
  WriteProcess(tree, 42, {.ppid = 1, .comm = "big", .cmdline = cmdline});
  for (bool reference : {false, true}) {
    SCOPED_TRACE(reference ? "reference reader" : "fast reader");
    absl::StatusOr<Snapshot> s = ScanOf(tree.root(), reference);
    ASSERT_TRUE(s.ok()) << s.status();
    const Process* p = s->FindProcess(42);
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(p->argv.size(), 2u);
    EXPECT_EQ(p->argv[0], "big");
    EXPECT_EQ(p->argv[1].size(), huge.size());
    EXPECT_EQ(p->argv[1], huge);
    std::string rendered = AnalyzeAndRender(*s);
    EXPECT_THAT(rendered, HasSubstr("42 big xxxx"));
  }
}

TEST(HostileInput, KeepsHundredThousandEmptyArgs) {
  TempTree tree;
  WriteHostWithInit(tree);
  // "prog", 100,000 empty arguments, "end": empty ones in the middle are arguments, not padding.
  WriteProcess(
      tree, 42,
      {.ppid = 1, .comm = "prog", .cmdline = "prog" + Nul(1) + Nul(100000) + "end" + Nul(1)});
  absl::StatusOr<Snapshot> s = Scan({.root = tree.root()});
  ASSERT_TRUE(s.ok()) << s.status();
  const Process* p = s->FindProcess(42);
  ASSERT_NE(p, nullptr);
  ASSERT_EQ(p->argv.size(), 100002u);
  EXPECT_EQ(p->argv.front(), "prog");
  EXPECT_EQ(p->argv.back(), "end");
  size_t empty = 0;
  for (const std::string& arg : p->argv) empty += arg.empty() ? 1 : 0;
  EXPECT_EQ(empty, 100000u);
  AnalyzeAndRender(*s);
}

// --- (b) a 10,000-deep chain --------------------------------------------------------------

// Where to write a tree of tens of thousands of files: a tmpfs when one has room (on a slow disk
// creating and removing them takes most of a minute), else $TMPDIR.
std::string ManyFilesParent() {
  struct statvfs fs;
  if (statvfs("/dev/shm", &fs) == 0 && access("/dev/shm", W_OK) == 0 &&
      static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize >= (256ull << 20)) {
    return "/dev/shm";
  }
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

TEST(HostileInput, TenThousandDeepChain_ScansAnalyzesAndRendersWithoutRecursion) {
  constexpr int kDepth = 10000;
  TempTree tree(ManyFilesParent());
  WriteHost(tree);
  // Every link a shell wrapping the next: also the worst case for spawn-chain building. Only
  // stat and cmdline per process (RSS then comes from stat); membership from one cgroup.procs.
  std::string procs;
  for (int pid = 1; pid <= kDepth; ++pid) {
    const std::string dir = "proc/" + std::to_string(pid) + "/";
    tree.Write(dir + "stat", StatLine(pid, "sh", pid - 1));
    tree.Write(dir + "cmdline", Cmdline({"sh", "-c", "next"}));
    procs += std::to_string(pid) + "\n";
  }
  tree.Write("proc/1/cgroup", "0::/app.slice\n");
  tree.Write("sys/fs/cgroup/app.slice/cgroup.procs", procs);
  absl::StatusOr<Snapshot> s = Scan({.root = tree.root()});
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->processes().size(), static_cast<size_t>(kDepth));
  EXPECT_THAT(s->roots(), ::testing::ElementsAre(1));
  EXPECT_EQ(s->FindProcess(1)->descendants, kDepth - 1);
  EXPECT_EQ(s->FindProcess(1)->subtree_rss_bytes, kDepth * 381 * kPage);
  EXPECT_EQ(s->FindProcess(kDepth)->descendants, 0);
  EXPECT_EQ(s->FindProcess(kDepth / 2)->cgroup, "/app.slice");
  const Cgroup* cgroup = s->FindCgroup("/app.slice");
  ASSERT_NE(cgroup, nullptr);
  EXPECT_EQ(cgroup->pids.size(), static_cast<size_t>(kDepth));

  std::vector<std::string> lines = Lines(AnalyzeAndRender(*s));
  ASSERT_EQ(lines.size(), static_cast<size_t>(kDepth) + 1);  // header + one line per process
  EXPECT_THAT(lines[1], HasSubstr("10000"));
  EXPECT_THAT(lines.back(), HasSubstr("`- [depth 9999] 10000 sh -"));
}

// --- (c) parent cycles ----------------------------------------------------------------------

TEST(HostileInput, ParentCyclesAndSelfParent_NoHang_AllProcessesReported) {
  TempTree tree;
  WriteHostWithInit(tree);
  WriteProcess(tree, 10, {.ppid = 11, .comm = "a", .cmdline = Cmdline({"a"})});  // 10 -> 11
  WriteProcess(tree, 11, {.ppid = 10, .comm = "b", .cmdline = Cmdline({"b"})});  // 11 -> 10
  WriteProcess(tree, 12, {.ppid = 11, .comm = "c", .cmdline = Cmdline({"c"})});  // hangs off it
  WriteProcess(tree, 20, {.ppid = 20, .comm = "self", .cmdline = Cmdline({"self"})});
  absl::StatusOr<Snapshot> s = Scan({.root = tree.root()});
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->processes().size(), 5u);
  for (int pid : {1, 10, 11, 12, 20}) EXPECT_NE(s->FindProcess(pid), nullptr) << pid;
  EXPECT_THAT(s->roots(), ::testing::ElementsAre(1, 20));
  // The cycle is walked once from its lowest pid.
  EXPECT_EQ(s->FindProcess(10)->descendants, 2);
  EXPECT_EQ(s->FindProcess(11)->descendants, 1);
  EXPECT_EQ(s->FindProcess(20)->descendants, 0);

  std::string rendered = AnalyzeAndRender(*s);
  // Every process is in the tree, once: the cycle from its lowest pid, after the real roots.
  std::vector<std::string> lines = Lines(rendered);
  ASSERT_EQ(lines.size(), 6u) << rendered;
  EXPECT_THAT(lines[1], HasSubstr(" 1 /sbin/init"));
  EXPECT_THAT(lines[2], HasSubstr(" 20 self"));
  EXPECT_THAT(lines[3], HasSubstr(" 10 a"));
  EXPECT_THAT(lines[4], HasSubstr("`- 11 b"));
  EXPECT_THAT(lines[5], HasSubstr("`- 12 c"));
}

// --- (d) binary garbage ---------------------------------------------------------------------

TEST(HostileInput, GarbageStat_FailsWithOneLineNamingTheFile) {
  const std::string stat_path = "proc/42/stat";
  struct Case {
    std::string content;
    std::string message;
  };
  std::string tokens;
  for (int i = 0; i < 21; ++i) tokens += " 1";
  const std::vector<Case> cases = {
      {std::string("\x7f"
                   "ELF\x02\x01\x01\0\xff\xfe(\x1b[2J\n"sv),
       "no ')' after comm"},
      {std::string("\xff\xfe\0\x01\x02\x03"sv), "no '(' before comm"},
      {std::string("\x01\x02 (x) "sv) + tokens, "field 1 (pid) is not a number"},
      {"42 (x) \x80\x81" + tokens, "field 3 (state) is not a single character"},
      {"42 (x) S\x80 1", "too few fields: 2 after comm, no field 5 (pgrp)"},
  };
  for (const Case& c : cases) {
    TempTree tree;
    WriteHostWithInit(tree);
    WriteProcess(tree, 42, {.ppid = 1});
    tree.Write(stat_path, c.content);
    for (bool reference : {false, true}) {
      ExpectFileError(ScanOf(tree.root(), reference), tree.Path(stat_path) + ": " + c.message);
    }
  }
  // Random bytes (a fixed seed): whatever the parser trips on, one line naming the file.
  std::string noise(4096, '\0');
  uint32_t x = 12345;
  for (char& ch : noise) {
    x = x * 1103515245 + 12345;
    ch = static_cast<char>(x >> 16);
  }
  TempTree tree;
  WriteHostWithInit(tree);
  WriteProcess(tree, 42, {.ppid = 1});
  tree.Write(stat_path, noise);
  absl::StatusOr<Snapshot> s = Scan({.root = tree.root()});
  ASSERT_FALSE(s.ok());
  std::string message(s.status().message());
  EXPECT_EQ(message.rfind(tree.Path(stat_path) + ": ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(HostileInput, GarbageMountinfo_FailsWithOneLineNamingTheFile) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {std::string("\xff\xfe\0garbage\x01\n"sv), "line 1: too few fields"},
      {kV2Mount + "\x01 \x02 \x03 \x04 \x05 \x06 \x07\n", "line 2: no ' - ' separator"},
      {"\x80 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n", "line 1: bad mount id"},
      {"30 23 0:26 / /x rw - \xff\xfe\n", "line 1: too few fields after ' - '"},
  };
  for (const auto& [content, message] : cases) {
    TempTree tree;
    WriteHost(tree, content);
    WriteProcess(tree, 1, {.comm = "init"});
    ExpectFileError(Scan({.root = tree.root()}), tree.Path("proc/self/mountinfo") + ": " + message);
  }
}

TEST(HostileInput, GarbageStatus_LeavesItsFieldsAbsent_OrFailsNamingTheFile) {
  {
    // No key procleak knows: uid absent, RSS from statm instead of VmRSS.
    TempTree tree;
    WriteHostWithInit(tree);
    WriteProcess(tree, 42,
                 {.ppid = 1,
                  .status = std::string("\xff\xfe\0\x01Name\x80\n\x1b[2J\t\t\n"sv),
                  .statm = true});
    absl::StatusOr<Snapshot> s = testing::ReferenceScan({.root = tree.root()});
    ASSERT_TRUE(s.ok()) << s.status();
    const Process* p = s->FindProcess(42);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->uid, std::nullopt);
    EXPECT_EQ(p->rss_bytes, 381 * kPage);
    EXPECT_EQ(p->threads, 1);  // from stat
  }
  {
    // A known key with a garbage value is malformed, not absent.
    TempTree tree;
    WriteHostWithInit(tree);
    WriteProcess(tree, 42, {.ppid = 1, .status = "Name:\tw\nUid:\t\xff\xfe\x01\n"});
    ExpectFileError(testing::ReferenceScan({.root = tree.root()}),
                    tree.Path("proc/42/status") + ": line 2: bad value for Uid");
  }
}

TEST(HostileInput, GarbageCgroupFile_FailsWithOneLineNamingTheFile) {
  TempTree tree;
  WriteHostWithInit(tree);
  WriteProcess(tree, 42, {.ppid = 1, .cgroup = std::string("\xff\xfe\0\x01garbage\n"sv)});
  for (bool reference : {false, true}) {
    ExpectFileError(ScanOf(tree.root(), reference),
                    tree.Path("proc/42/cgroup") + ": line 1: no ':' after hierarchy ID");
  }
}

// --- (e) cgroup paths with ':', spaces and (escaped) newlines -------------------------------

TEST(HostileInput, CgroupPathsWithColonSpaceAndEscapedNewline_ArePreserved) {
  TempTree tree;
  // The cgroup2 mount point holds a space and a newline, escaped in mountinfo as \040 and \012.
  WriteHost(tree, "30 23 0:26 / /sys/fs/cg\\040r\\012oup rw,nosuid - cgroup2 cgroup2 rw\n");
  const std::string mount = "sys/fs/cg r\noup";
  tree.Write(mount + "/cgroup.controllers", "memory pids\n");
  const std::string odd = "/pod:a b/c::d e";
  tree.Write(mount + odd + "/memory.current", "8192\n");
  tree.Write(mount + odd + "/pids.current", "2\n");
  WriteProcess(tree, 1, {.comm = "init", .cgroup = "0::/\n"});
  WriteProcess(tree, 42, {.ppid = 1, .cgroup = "0::" + odd + "\n"});
  WriteProcess(tree, 43, {.ppid = 42, .cgroup = "0::" + odd + "\n"});
  for (bool reference : {false, true}) {
    SCOPED_TRACE(reference ? "reference reader" : "fast reader");
    absl::StatusOr<Snapshot> s = ScanOf(tree.root(), reference);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->host().cgroup_mode, CgroupMode::kV2);
    const Process* p = s->FindProcess(42);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->cgroup, odd);
    ASSERT_EQ(p->cgroup_lines.size(), 1u);
    EXPECT_EQ(p->cgroup_lines[0].path, odd);
    const Cgroup* c = s->FindCgroup(odd);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->memory_bytes, 8192u);  // read through the decoded mount point
    EXPECT_EQ(c->pids_current, 2u);
    EXPECT_EQ(c->pids, (std::vector<int>{42, 43}));
    AnalyzeAndRender(*s);
  }
}

// --- (f) truncated files --------------------------------------------------------------------

TEST(HostileInput, TruncatedStat_FailsNamingTheFile) {
  const std::string full = StatLine(42, "worker", 1);
  // Cut inside the comm, right after it, and one field short of starttime.
  const std::vector<std::pair<size_t, std::string>> cuts = {
      {6, "no ')' after comm"},
      {full.find(')') + 1, "too few fields: 0 after comm, no field 3 (state)"},
      {full.find(" 1000 "), "too few fields: 19 after comm, no field 22 (starttime)"},
  };
  for (const auto& [length, message] : cuts) {
    TempTree tree;
    WriteHostWithInit(tree);
    WriteProcess(tree, 42, {.ppid = 1});
    tree.Write("proc/42/stat", full.substr(0, length));
    for (bool reference : {false, true}) {
      ExpectFileError(ScanOf(tree.root(), reference), tree.Path("proc/42/stat") + ": " + message);
    }
  }
}

TEST(HostileInput, TruncatedStatus_LeavesCutFieldsAbsent_OrFailsNamingTheFile) {
  {
    // Cut before Uid and VmRSS: both absent, RSS from statm.
    TempTree tree;
    WriteHostWithInit(tree);
    WriteProcess(tree, 42, {.ppid = 1, .status = "Name:\twor", .statm = true});
    for (bool reference : {false, true}) {
      absl::StatusOr<Snapshot> s = ScanOf(tree.root(), reference);
      ASSERT_TRUE(s.ok()) << s.status();
      const Process* p = s->FindProcess(42);
      ASSERT_NE(p, nullptr);
      if (reference || getuid() == 0) {
        EXPECT_EQ(p->uid, std::nullopt);
      }
      EXPECT_EQ(p->rss_bytes, 381 * kPage);
    }
  }
  {
    // Cut inside the Uid line, before the effective uid: malformed.
    TempTree tree;
    WriteHostWithInit(tree);
    WriteProcess(tree, 42, {.ppid = 1, .status = "Name:\tworker\nUid:\t100"});
    ExpectFileError(testing::ReferenceScan({.root = tree.root()}),
                    tree.Path("proc/42/status") + ": line 2: bad value for Uid");
  }
}

}  // namespace
}  // namespace procleak
