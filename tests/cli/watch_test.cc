// SPDX-License-Identifier: Apache-2.0
// procleak watch, live: processes this test starts between two samples show up in the next
// sample's changes (and those it ends as ended), rescans after the first are warm, and SIGINT
// ends watch cleanly with status 0.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "testing/json_expect.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: ParseJson, Field

// Children of this test: forked, idle, killed and reaped by the destructor (also on failure).
class Children {
 public:
  ~Children() {
    for (pid_t pid : pids_) Reap(pid);
  }
  pid_t Start() {
    pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      for (;;) pause();
    }
    if (pid > 0) pids_.push_back(pid);
    return pid;
  }
  void End(pid_t pid) {
    Reap(pid);
    std::erase(pids_, pid);
  }

 private:
  static void Reap(pid_t pid) {
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
  }
  std::vector<pid_t> pids_;
};

// procleak watch with its standard output on a pipe, read line by line.
class Watch {
 public:
  explicit Watch(const std::vector<std::string>& args) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      const char* bin = std::getenv("PROCLEAK_BIN");
      argv.push_back(const_cast<char*>(bin != nullptr ? bin : "procleak"));
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fdopen(fds[0], "r");
  }
  ~Watch() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ != nullptr) fclose(out_);
  }
  std::string Line() {
    std::string line;
    for (int c; out_ != nullptr && (c = fgetc(out_)) != EOF && c != '\n';) line += char(c);
    return line;
  }
  void Signal(int sig) { kill(pid_, sig); }
  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  FILE* out_ = nullptr;
};

bool HasPid(const Json& refs, pid_t pid) {
  for (const Json& r : refs) {
    if (r["pid"] == pid) return true;
  }
  return false;
}

TEST(Watch, Json_ShowsProcessesStartedAndEndedBetweenSamples) {
  Children children;
  Watch watch({"watch", "--json", "--interval", "1", "--count", "3"});
  Json first = ParseJson(watch.Line());
  ASSERT_TRUE(first.is_object());
  EXPECT_EQ(Field(first, "schema"), "procleak.scan/1");
  EXPECT_EQ(Field(Field(first, "changes"), "sample"), 1);
  EXPECT_EQ(Field(Field(first, "host"), "reused_processes"), 0);
  EXPECT_EQ(Field(Field(first, "host"), "sandbox"), "seccomp");

  std::vector<pid_t> started;
  for (int i = 0; i < 3; ++i) started.push_back(children.Start());
  Json second = ParseJson(watch.Line());
  ASSERT_TRUE(second.is_object());
  const Json& since_last = Field(Field(second, "changes"), "since_last");
  for (pid_t pid : started) EXPECT_TRUE(HasPid(Field(since_last, "processes_started"), pid)) << pid;
  EXPECT_GT(Field(Field(second, "host"), "reused_processes"), 0);
  EXPECT_GT(Field(Field(second, "host"), "scan_ms"), 0.0);

  children.End(started[0]);
  Json third = ParseJson(watch.Line());
  ASSERT_TRUE(third.is_object());
  const Json& changes = Field(third, "changes");
  EXPECT_TRUE(HasPid(Field(Field(changes, "since_last"), "processes_ended"), started[0]));
  EXPECT_TRUE(HasPid(Field(Field(changes, "since_start"), "processes_started"), started[1]));
  EXPECT_FALSE(HasPid(Field(Field(changes, "since_start"), "processes_started"), started[0]));
  EXPECT_EQ(watch.Wait(), 0);
}

TEST(Watch, Sigint_ExitsCleanly) {
  Watch watch({"watch", "--interval", "60"});
  std::string line = watch.Line();
  EXPECT_NE(line.find("procleak watch"), std::string::npos) << line;
  // Let it finish the first screen and go to sleep before it is interrupted.
  for (int i = 0; i < 200 && !watch.Line().empty(); ++i) {
  }
  watch.Signal(SIGINT);
  EXPECT_EQ(watch.Wait(), 0);
}

}  // namespace
}  // namespace procleak
