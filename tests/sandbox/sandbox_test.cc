// SPDX-License-Identifier: Apache-2.0
// The seccomp filter of src/sandbox: each forbidden call, made in a forked child after
// InstallSandbox(), ends that child with status 2 and one line on its standard error; the work a
// scan does (reading /proc, threads, writing to stdout) still succeeds.
#include "sandbox/sandbox.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace procleak {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct ChildResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string err;  // the child's standard error
};

// Forks; the child points its stderr at a pipe, installs the sandbox and exits with body()'s
// value. 99 means the sandbox could not be installed.
ChildResult RunSandboxed(const std::function<int()>& body) {
  ChildResult result;
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe2: " << strerror(errno);
    return result;
  }
  pid_t pid = fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << strerror(errno);
    return result;
  }
  if (pid == 0) {
    dup2(pipe_fds[1], STDERR_FILENO);
    close(pipe_fds[0]);
    close(pipe_fds[1]);
    absl::Status status = InstallSandbox();
    if (!status.ok()) {
      std::string line = std::string(status.message()) + "\n";
      if (write(STDERR_FILENO, line.data(), line.size()) < 0) _exit(98);
      _exit(99);
    }
    _exit(body());
  }
  close(pipe_fds[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(pipe_fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
    if (n > 0) result.err.append(buf, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

struct ForbiddenCase {
  const char* test_name;
  const char* syscall;  // as the message names it
  std::function<int()> body;
};

void PrintTo(const ForbiddenCase& c, std::ostream* os) { *os << c.test_name; }

class ForbiddenCall : public ::testing::TestWithParam<ForbiddenCase> {};

TEST_P(ForbiddenCall, Sandbox_StopsTheChildWithOneLineAndStatus2) {
  if (kSandboxRelaxedForSanitizer && std::string(GetParam().syscall) == "write") {
    GTEST_SKIP() << "AddressSanitizer builds allow writes to any descriptor (see sandbox.h)";
  }
  ChildResult child = RunSandboxed(GetParam().body);
  EXPECT_EQ(child.signal, 0);
  EXPECT_EQ(child.exit_code, kSandboxViolationExit) << child.err;
  EXPECT_THAT(child.err, StartsWith("procleak: sandbox: forbidden system call "));
  EXPECT_THAT(child.err, HasSubstr(std::string("(") + GetParam().syscall + ")"));
  EXPECT_THAT(child.err, EndsWith(", see --no-sandbox\n"));
  EXPECT_EQ(std::count(child.err.begin(), child.err.end(), '\n'), 1) << child.err;
}

std::string TempDir() {
  const char* dir = std::getenv("TMPDIR");
  return dir != nullptr && *dir != '\0' ? dir : "/tmp";
}

// Each call below returns only when the filter let it through, with 3 (0 would look like success).
int CallExecve() {
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  char* envp[] = {nullptr};
  execve("/bin/true", argv, envp);
  return 3;
}
int CallExecveat() {
  char* argv[] = {const_cast<char*>("/bin/true"), nullptr};
  char* envp[] = {nullptr};
  syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, 0);
  return 3;
}
int CallSocketInet() { return socket(AF_INET, SOCK_STREAM, 0), 3; }
int CallSocketUnix() { return socket(AF_UNIX, SOCK_STREAM, 0), 3; }
int CallKill() { return kill(getpid(), 0), 3; }  // signal 0 only checks, and still may not
int CallTgkill() { return syscall(SYS_tgkill, getpid(), gettid(), 0), 3; }
int CallPidfdSendSignal() { return syscall(SYS_pidfd_send_signal, 0, SIGTERM, nullptr, 0), 3; }
int CallPtrace() { return ptrace(PTRACE_TRACEME, 0, nullptr, nullptr), 3; }
int CallFork() {  // glibc's fork is clone without CLONE_THREAD
  if (fork() == 0) _exit(0);
  return 3;
}
int CallOpenatWriteCreate() {
  std::string path = TempDir() + "/procleak-sandbox-test-" + std::to_string(getpid());
  return openat(AT_FDCWD, path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600), 3;
}
int CallOpenatReadWrite() { return openat(AT_FDCWD, "/proc/self/comm", O_RDWR | O_CLOEXEC), 3; }
int CallOpenatAppend() {
  return openat(AT_FDCWD, "/proc/self/comm", O_RDONLY | O_APPEND | O_CLOEXEC), 3;
}
int CallWriteToAnotherFd() {  // open before the filter would be the same: not an output
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (write(fd, "x", 1) < 0) return 4;
  return 3;
}
int CallMmapExec() {
  return mmap(nullptr, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), 3;
}
int CallSignalSigsys() {  // the handler that prints the message cannot be replaced
  return signal(SIGSYS, SIG_IGN), 3;
}

INSTANTIATE_TEST_SUITE_P(
    Sandbox, ForbiddenCall,
    ::testing::Values(ForbiddenCase{"Execve", "execve", CallExecve},
                      ForbiddenCase{"Execveat", "execveat", CallExecveat},
                      ForbiddenCase{"SocketInet", "socket", CallSocketInet},
                      ForbiddenCase{"SocketUnix", "socket", CallSocketUnix},
                      ForbiddenCase{"Kill", "kill", CallKill},
                      ForbiddenCase{"Tgkill", "tgkill", CallTgkill},
                      ForbiddenCase{"PidfdSendSignal", "pidfd_send_signal", CallPidfdSendSignal},
                      ForbiddenCase{"Ptrace", "ptrace", CallPtrace},
                      ForbiddenCase{"Fork", "clone", CallFork},
                      ForbiddenCase{"OpenatWriteCreate", "openat", CallOpenatWriteCreate},
                      ForbiddenCase{"OpenatReadWrite", "openat", CallOpenatReadWrite},
                      ForbiddenCase{"OpenatAppend", "openat", CallOpenatAppend},
                      ForbiddenCase{"WriteToAnotherFd", "write", CallWriteToAnotherFd},
                      ForbiddenCase{"ExecutableMapping", "mmap", CallMmapExec},
                      ForbiddenCase{"CatchingSigsys", "rt_sigaction", CallSignalSigsys}),
    [](const ::testing::TestParamInfo<ForbiddenCase>& info) { return info.param.test_name; });

TEST(Sandbox, OpenatWriteCreate_LeavesNoFile) {
  const std::string path = TempDir() + "/procleak-sandbox-nofile-" + std::to_string(getpid());
  ChildResult child = RunSandboxed([&] {
    openat(AT_FDCWD, path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    return 3;
  });
  EXPECT_EQ(child.exit_code, kSandboxViolationExit) << child.err;
  struct stat st;
  EXPECT_NE(stat(path.c_str(), &st), 0) << path << " was created";
  unlink(path.c_str());
}

// Reads a whole file with the calls the scan uses; false on any error.
bool ReadsFile(const char* path) {
  int fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return false;
  char buf[4096];
  ssize_t n;
  size_t total = 0;
  while ((n = read(fd, buf, sizeof(buf))) > 0) total += static_cast<size_t>(n);
  close(fd);
  return n == 0 && total > 0;
}

TEST(Sandbox, ScanWork_StillSucceeds) {
  ChildResult child = RunSandboxed([] {
    if (!ReadsFile("/proc/self/stat")) return 10;
    char target[256];
    if (readlinkat(AT_FDCWD, "/proc/self/exe", target, sizeof(target)) <= 0) return 11;
    struct stat st;
    if (fstatat(AT_FDCWD, "/proc/self", &st, 0) != 0) return 12;
    // A std::thread (clone3 refused with ENOSYS, then clone with CLONE_THREAD) that reads too.
    bool thread_read = false;
    std::thread reader([&] { thread_read = ReadsFile("/proc/self/status"); });
    reader.join();
    if (!thread_read) return 13;
    // Memory a scan of many processes allocates and frees.
    std::string big(64 << 20, 'x');
    if (big.back() != 'x') return 14;
    (void)isatty(STDOUT_FILENO);
    const char line[] = "allowed\n";
    if (write(STDERR_FILENO, line, sizeof(line) - 1) != sizeof(line) - 1) return 15;
    return 0;
  });
  EXPECT_EQ(child.signal, 0);
  EXPECT_EQ(child.exit_code, 0) << child.err;
  EXPECT_EQ(child.err, "allowed\n");
}

TEST(Sandbox, ManyThreads_StillSucceed) {
  ChildResult child = RunSandboxed([] {
    std::vector<std::thread> threads;
    std::atomic<int> reads{0};
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&] {
        if (ReadsFile("/proc/self/stat")) ++reads;
      });
    }
    for (std::thread& t : threads) t.join();
    return reads == 8 ? 0 : 20;
  });
  EXPECT_EQ(child.exit_code, 0) << child.err;
}

}  // namespace
}  // namespace procleak
