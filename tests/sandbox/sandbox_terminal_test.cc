// SPDX-License-Identifier: Apache-2.0
// The filter's additions for watch's live view (InstallSandbox with `terminal`): the terminal's
// size on standard output, its mode on standard input and ppoll, nothing wider; and the exit
// hook that restores the terminal before a forbidden call ends the process.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "sandbox/sandbox.h"

namespace procleak {
namespace {

struct Outcome {
  int status = -1;  // the exit status, -1 when killed by a signal
  std::string err;
};

// Runs `call` in a forked child under the filter (with `terminal`); the child exits with 0 when
// the call came back, kSandboxViolationExit when the filter stopped it.
Outcome Sandboxed(bool terminal, const std::function<void()>& call, void (*hook)() = nullptr) {
  Outcome out;
  int err[2];
  if (pipe(err) != 0) return out;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(err[1], STDERR_FILENO);
    close(err[0]);
    SetSandboxExitHook(hook);
    if (!InstallSandbox({1, 2}, terminal).ok()) _exit(99);
    call();
    _exit(0);
  }
  close(err[1]);
  char buf[512];
  for (ssize_t n; (n = read(err[0], buf, sizeof(buf))) > 0;) out.err.append(buf, n);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

void Size(int fd) {
  winsize size;
  ioctl(fd, TIOCGWINSZ, &size);  // ENOTTY off a terminal: it came back all the same
}

void SetMode(int fd) {
  termios mode = {};
  ioctl(fd, TCSETS, &mode);
}

TEST(SandboxTerminal, WithoutTerminal_ForbidsTheTerminalCalls) {
  for (const auto& call : std::vector<std::function<void()>>{
           [] { Size(STDOUT_FILENO); }, [] { SetMode(STDIN_FILENO); },
           [] { ppoll(nullptr, 0, nullptr, nullptr); }}) {
    const Outcome out = Sandboxed(false, call);
    EXPECT_EQ(out.status, kSandboxViolationExit) << out.err;
  }
}

TEST(SandboxTerminal, WithTerminal_AllowsSizeOnStdoutModeOnStdinAndPpoll) {
  const timespec zero = {};
  for (const auto& call : std::vector<std::function<void()>>{
           [] { Size(STDOUT_FILENO); }, [] { SetMode(STDIN_FILENO); },
           [&zero] { ppoll(nullptr, 0, &zero, nullptr); }}) {
    const Outcome out = Sandboxed(true, call);
    EXPECT_EQ(out.status, 0) << out.err;
  }
}

TEST(SandboxTerminal, WithTerminal_ForbidsOtherDescriptorsAndRequests) {
  for (const auto& call : std::vector<std::function<void()>>{
           [] { Size(STDIN_FILENO); }, [] { Size(STDERR_FILENO); }, [] { SetMode(STDOUT_FILENO); },
           [] {
             int n;
             ioctl(STDIN_FILENO, FIONREAD, &n);
           }}) {
    const Outcome out = Sandboxed(true, call);
    EXPECT_EQ(out.status, kSandboxViolationExit) << out.err;
    EXPECT_NE(out.err.find("(ioctl)"), std::string::npos) << out.err;
  }
}

void WriteHook() {
  if (write(STDERR_FILENO, "restored\n", 9) < 0) _exit(98);
}

TEST(SandboxTerminal, ExitHook_RunsBeforeTheForbiddenCallIsReported) {
  const Outcome out = Sandboxed(
      false, [] { Size(STDOUT_FILENO); }, &WriteHook);
  EXPECT_EQ(out.status, kSandboxViolationExit);
  EXPECT_EQ(out.err.rfind("restored\nprocleak: sandbox: forbidden system call ", 0), 0u) << out.err;
}

}  // namespace
}  // namespace procleak
