// SPDX-License-Identifier: Apache-2.0
// `procleak scan` under its seccomp filter: every output mode works on the incident fixture and on
// the live host (with enough processes for the parallel reader's threads), the JSON host section
// says whether the filter was on, and --no-sandbox turns it off.
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, ...

constexpr const char* kForbidden = "forbidden system call";

// Runs `args` (a scan), expects exit 0 and an empty stderr, returns the parsed document when
// --json is among them.
Json ScanOk(const std::vector<std::string>& args) {
  RunResult run = RunProcleak(args);
  EXPECT_EQ(run.exit_code, 0) << "stderr: " << run.err;
  EXPECT_EQ(run.err.find(kForbidden), std::string::npos) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_FALSE(run.out.empty());
  for (const std::string& arg : args) {
    if (arg == "--json") return ParseJson(run.out);
  }
  return Json();
}

std::vector<std::string> Incident(std::vector<std::string> more) {
  std::vector<std::string> args = {"scan", "--root", DataDir("incident"), "--fail-on", "never"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(SandboxCli, Json_ReportsSeccomp) {
  Json doc = ScanOk(Incident({"--json"}));
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(Field(Field(doc, "host"), "sandbox"), "seccomp");
}

TEST(SandboxCli, NoSandbox_ReportsOff) {
  Json doc = ScanOk(Incident({"--json", "--no-sandbox"}));
  ASSERT_FALSE(doc.is_discarded());
  EXPECT_EQ(Field(Field(doc, "host"), "sandbox"), "off");
}

TEST(SandboxCli, NoSandbox_TakesNoValue) {
  RunResult run = RunProcleak(Incident({"--no-sandbox=yes"}));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "procleak: scan: --no-sandbox takes no value (see 'procleak scan --help')\n");
}

TEST(SandboxCli, Findings_StillExit1) {
  RunResult run = RunProcleak({"scan", "--root", DataDir("incident")});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.err, "");
}

TEST(SandboxCli, EveryOutputMode_WorksInside) {
  ScanOk(Incident({}));
  ScanOk(Incident({"--pss"}));
  ScanOk(Incident({"--tree"}));
  ScanOk(Incident({"--tree", "--pid", "2000"}));
  ScanOk(Incident({"--json", "--pss"}));
}

// Processes that only wait, so a live scan sees at least kParallelFrom (256) of them and reads
// /proc on several threads; killed and reaped in the destructor.
class Sleepers {
 public:
  explicit Sleepers(int count) {
    for (int i = 0; i < count; ++i) {
      pid_t pid = fork();
      if (pid < 0) break;
      if (pid == 0) {
        pause();
        _exit(0);
      }
      pids_.push_back(pid);
    }
  }
  ~Sleepers() {
    for (pid_t pid : pids_) kill(pid, SIGKILL);
    for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
  }
  size_t size() const { return pids_.size(); }

 private:
  std::vector<pid_t> pids_;
};

TEST(SandboxCli, LiveScan_WithThreads_WorksInside) {
  Sleepers sleepers(300);
  ASSERT_EQ(sleepers.size(), 300u);
  for (const std::vector<std::string>& mode :
       {std::vector<std::string>{"--json"}, {"--json", "--pss"}, {"--tree"}, {}}) {
    std::vector<std::string> args = {"scan", "--fail-on", "never"};
    args.insert(args.end(), mode.begin(), mode.end());
    Json doc = ScanOk(args);
    if (mode.empty() || mode[0] != "--json") continue;
    ASSERT_FALSE(doc.is_discarded());
    EXPECT_EQ(Field(Field(doc, "host"), "sandbox"), "seccomp");
    EXPECT_GE(Field(Field(doc, "host"), "processes").get<int>(), 300);
  }
}

// Runs `procleak scan --fail-on never` as user 65534 (nobody) in a forked child and returns
// its exit status and standard output; nullopt when nobody may not run the built binary (a build
// directory other users cannot enter), in which case the test is skipped.
std::optional<std::pair<int, std::string>> ScanAsNobody(const char* extra = nullptr) {
  const char* bin = std::getenv("PROCLEAK_BIN");
  if (bin == nullptr) return std::nullopt;
  int out[2];
  if (pipe(out) != 0) return std::nullopt;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    if (setgroups(0, nullptr) != 0 || setresgid(65534, 65534, 65534) != 0 ||
        setresuid(65534, 65534, 65534) != 0) {
      _exit(126);
    }
    if (extra != nullptr) {
      execl(bin, bin, "scan", "--fail-on", "never", "--pid", extra, static_cast<char*>(nullptr));
    }
    execl(bin, bin, "scan", "--fail-on", "never", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(out[0], buf, sizeof(buf))) > 0;)
    text.append(buf, static_cast<size_t>(n));
  close(out[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) >= 126) return std::nullopt;
  return std::make_pair(WEXITSTATUS(status), text);
}

TEST(SandboxCli, NotRoot_ScanWorksInsideAndSaysOnceWhatItCouldNotRead) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to another user";
  // --pid makes it a full read (exe links, status), which root's processes deny to others.
  std::optional<std::pair<int, std::string>> run = ScanAsNobody("1");
  if (!run) GTEST_SKIP() << "user 65534 cannot run " << std::getenv("PROCLEAK_BIN");
  EXPECT_EQ(run->first, 0) << run->second;
  const std::string hint = "not root: the denied files are other users'";
  size_t at = run->second.find(hint);
  ASSERT_NE(at, std::string::npos) << run->second;  // root's processes' exe links are denied
  EXPECT_EQ(run->second.find(hint, at + 1), std::string::npos);
}

TEST(SandboxCli, NotRoot_BriefScanReadsOnlyWhatAnyoneMay) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to switch to another user";
  // The plain report reads stat and cmdline, which every user may read (without hidepid).
  std::optional<std::pair<int, std::string>> run = ScanAsNobody();
  if (!run) GTEST_SKIP() << "user 65534 cannot run " << std::getenv("PROCLEAK_BIN");
  EXPECT_EQ(run->first, 0) << run->second;
  EXPECT_NE(run->second.find(" vanished, 0 denied"), std::string::npos) << run->second;
  EXPECT_EQ(run->second.find("not root: the denied files"), std::string::npos) << run->second;
}

}  // namespace
}  // namespace procleak
