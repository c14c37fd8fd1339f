// SPDX-License-Identifier: Apache-2.0
// Hostile files through the built binary (issue 17, items 1 to 3): a file larger than the limit
// for its kind, a FIFO or a device where a regular file is expected, and memory running out. Each
// must end within a deadline with one line naming the file and why, and exit status 2: no hang,
// no abort, no report of the sandbox instead of the cause.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "base/file_limits.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleakWithin, TempTree, CopyFixture, ...

// Long enough for a loaded machine, short against a run that blocks for ever.
constexpr int kDeadlineMs = 30'000;

// A fixture tree with Docker state files, copied so that a test can spoil it.
class HostileFiles : public ::testing::Test {
 protected:
  void SetUp() override { root_ = CopyFixture("docker-systemd", tmp_.Path("root")); }

  std::string Root(const std::string& relative) const { return root_ + "/" + relative; }

  // Replaces `path` with a FIFO that no one writes to.
  static void MakeFifo(const std::string& path) {
    unlink(path.c_str());
    ASSERT_EQ(mkfifo(path.c_str(), 0600), 0) << path << ": " << std::strerror(errno);
  }
  // Replaces `path` with a symbolic link to `target`.
  static void MakeLink(const std::string& path, const std::string& target) {
    unlink(path.c_str());
    ASSERT_EQ(symlink(target.c_str(), path.c_str()), 0) << path << ": " << std::strerror(errno);
  }
  // Writes `head`, then makes the file `size` bytes long (a sparse tail of zeros: no disk used).
  static void MakeLong(const std::string& path, const std::string& head, size_t size) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0) << path;
    ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
    ASSERT_EQ(ftruncate(fd, static_cast<off_t>(size)), 0);
    close(fd);
  }

  // Runs procleak and expects it to refuse: exit status 2 within the deadline, nothing on
  // standard output, and `line` alone on standard error.
  static void ExpectRefused(const std::vector<std::string>& args, const std::string& line) {
    RunResult r = RunProcleakWithin(args, kDeadlineMs);
    EXPECT_FALSE(r.timed_out) << "still running after " << kDeadlineMs << " ms: " << args[0];
    EXPECT_EQ(r.signal, 0) << r.err;
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.err, "procleak: " + line + "\n");
    EXPECT_EQ(r.out, "");
  }

  TempTree tmp_;
  std::string root_;
};

const char* kConfig =
    "var/lib/docker/containers/53e7d11aaecd6e2d91cfb99e02913ab29d938b9e7d0c730cec0394b98f90f606/"
    "config.v2.json";

TEST_F(HostileFiles, Scan_RefusesStatOverItsLimit_NamingFileAndLimit) {
  // A stat line the parser would take, followed by more than the limit allows.
  const std::string stat = Root("proc/1441/stat");
  std::string text = ReadAll(stat);
  ASSERT_FALSE(text.empty());
  text.resize(LimitOf(FileKind::kPidStat).max_bytes + 1, ' ');
  tmp_.Write("root/proc/1441/stat", text);
  const std::string line = stat + ": larger than 64 KiB (limit for /proc/PID/stat)";
  // The text report's reader and the full one (--json) alike.
  ExpectRefused({"scan", "--root", root_}, line);
  ExpectRefused({"scan", "--root", root_, "--json"}, line);
}

TEST_F(HostileFiles, Scan_RefusesDevicesAsProcessFiles) {
  const std::string stat = Root("proc/1441/stat");
  MakeLink(stat, "/dev/zero");
  ExpectRefused({"scan", "--root", root_}, stat + ": not a regular file (a character device)");
  ExpectRefused({"scan", "--root", root_, "--json"},
                stat + ": not a regular file (a character device)");
  tmp_.Remove("root/proc/1441");
  const std::string cmdline = Root("proc/650/cmdline");
  MakeLink(cmdline, "/dev/urandom");
  ExpectRefused({"scan", "--root", root_, "--json"},
                cmdline + ": not a regular file (a character device)");
}

TEST_F(HostileFiles, Scan_RefusesFifoCmdlineWithoutWaiting) {
  const std::string cmdline = Root("proc/1441/cmdline");
  MakeFifo(cmdline);
  ExpectRefused({"scan", "--root", root_}, cmdline + ": not a regular file (a FIFO)");
  ExpectRefused({"scan", "--root", root_, "--json"}, cmdline + ": not a regular file (a FIFO)");
  ExpectRefused({"export", "--prometheus", "--root", root_},
                cmdline + ": not a regular file (a FIFO)");
}

TEST_F(HostileFiles, Scan_RefusesFifoDockerConfigWithoutWaiting) {
  MakeFifo(Root(kConfig));
  ExpectRefused({"scan", "--root", root_}, Root(kConfig) + ": not a regular file (a FIFO)");
}

TEST_F(HostileFiles, Scan_RefusesDockerConfigOverItsLimit) {
  MakeLong(Root(kConfig), "{\"Name\": \"/web\", \"Config\": {\"Env\": [\"",
           LimitOf(FileKind::kDockerState).max_bytes + 1);
  ExpectRefused({"scan", "--root", root_},
                Root(kConfig) + ": larger than 16 MiB (limit for a Docker state file)");
}

TEST_F(HostileFiles, Rules_RefusesFileOverItsLimitButReadsOneAtIt) {
  const std::string rules = tmp_.Path("big.rules");
  const size_t limit = LimitOf(FileKind::kRules).max_bytes;
  // Comment lines up to exactly the limit: read and accepted.
  std::string text;
  while (text.size() + 64 < limit) text += "# " + std::string(61, 'x') + "\n";
  text += std::string(limit - text.size() - 1, '#') + "\n";
  ASSERT_EQ(text.size(), limit);
  tmp_.Write("big.rules", text);
  RunResult at_limit = RunProcleakWithin({"scan", "--root", root_, "--rules", rules}, kDeadlineMs);
  EXPECT_NE(at_limit.exit_code, 2) << at_limit.err;
  EXPECT_EQ(at_limit.err, "");
  // One byte more: refused.
  tmp_.Write("big.rules", text + "\n");
  ExpectRefused({"scan", "--root", root_, "--rules", rules},
                rules + ": larger than 1 MiB (limit for a rules file)");
}

TEST_F(HostileFiles, Rules_RefusesDevicesAndFifos) {
  // Before, /dev/zero grew until std::bad_alloc aborted procleak (exit status 134).
  ExpectRefused({"scan", "--root", root_, "--rules", "/dev/zero"},
                "/dev/zero: not a regular file (a character device)");
  const std::string fifo = tmp_.Path("rules.fifo");
  MakeFifo(fifo);
  ExpectRefused({"scan", "--root", root_, "--rules", fifo}, fifo + ": not a regular file (a FIFO)");
}

TEST_F(HostileFiles, ReplayAndDiff_RefuseFifosWithoutWaiting) {
  const std::string fifo = tmp_.Path("record.fifo");
  MakeFifo(fifo);
  ExpectRefused({"replay", fifo}, fifo + ": not a regular file (a FIFO)");
  ExpectRefused({"replay", fifo, "--list"}, fifo + ": not a regular file (a FIFO)");
  ExpectRefused({"replay", "/dev/zero"}, "/dev/zero: not a regular file (a character device)");
  RunResult scan = RunProcleakWithin({"scan", "--root", root_, "--json"}, kDeadlineMs);
  ASSERT_NE(scan.out, "") << scan.err;
  tmp_.Write("scan.json", scan.out);
  const std::string json = tmp_.Path("scan.json");
  ExpectRefused({"diff", fifo, json}, fifo + ": not a regular file (a FIFO)");
  ExpectRefused({"diff", json, fifo}, fifo + ": not a regular file (a FIFO)");
  ExpectRefused({"diff", json, fifo + "@#0"}, fifo + ": not a regular file (a FIFO)");
}

TEST_F(HostileFiles, Record_RefusesFifoOutputWithoutWaiting) {
  const std::string fifo = tmp_.Path("out.fifo");
  MakeFifo(fifo);
  ExpectRefused({"record", "-o", fifo, "--interval", "0", "--count", "1", "--root", root_},
                fifo + ": not a regular file (a FIFO)");
}

TEST_F(HostileFiles, Diff_RefusesScanJsonOverItsLimit) {
  const std::string json = tmp_.Path("huge.json");
  MakeLong(json, "{\"schema\": \"procleak.scan/1\", \"processes\": [\"",
           LimitOf(FileKind::kScanJson).max_bytes + 1);
  ExpectRefused({"diff", json, json}, json + ": larger than 256 MiB (limit for a scan JSON file)");
}

// Under an address-space limit, an allocation fails wherever it falls: in the scan's reading
// threads, in the analysis, in rendering, inside the sandbox. Every limit from too small to start
// up to enough must end the same way: a report, or the one line of out-of-memory. Before, the
// abort() of an uncaught std::bad_alloc was reported as "forbidden system call 234 (tgkill)".
TEST(OutOfMemory, EveryLimitEndsInAReportOrOneLine) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space";
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space";
#endif
#endif
  int out_of_memory = 0;
  int reported = 0;
  for (size_t mib = 8; mib <= 512; mib += mib < 96 ? 1 : 32) {
    RunResult r = RunProcleakWithin({"scan", "--root", DataDir("incident"), "--json"}, kDeadlineMs,
                                    mib * kMiB);
    SCOPED_TRACE(::testing::Message() << "RLIMIT_AS " << mib << " MiB: " << r.err);
    ASSERT_FALSE(r.timed_out);
    EXPECT_EQ(r.signal, 0);
    if (r.exit_code == 127) continue;  // the dynamic loader could not map the program
    EXPECT_EQ(r.err.find("sandbox"), std::string::npos);
    if (r.exit_code == 2) {
      // Out of memory before the arguments are parsed, the command is not known yet.
      EXPECT_TRUE(r.err == "procleak: out of memory during scan\n" ||
                  r.err == "procleak: out of memory\n");
      ++out_of_memory;
    } else {
      EXPECT_EQ(r.exit_code, 1);  // the incident's findings
      EXPECT_EQ(r.err, "");
      EXPECT_EQ(r.out.back(), '\n');
      ++reported;
    }
  }
  EXPECT_GT(out_of_memory, 0);
  EXPECT_GT(reported, 0);
}

}  // namespace
}  // namespace procleak
