// SPDX-License-Identifier: Apache-2.0
#include "testing/run_procleak.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "testing/temp_tree.h"

extern char** environ;

namespace procleak::testing {

std::string ProcleakBin() {
  const char* bin = std::getenv("PROCLEAK_BIN");
  if (bin == nullptr || *bin == '\0') {
    ADD_FAILURE() << "PROCLEAK_BIN is not set (meson test sets it to the built procleak)";
    return "";
  }
  return bin;
}

namespace {

// `args`, as execve takes them (pointing into *storage); empty when `args` is.
std::vector<char*> Argv(const std::vector<std::string>& args, std::vector<std::string>* storage) {
  *storage = args;
  std::vector<char*> argv;
  for (std::string& arg : *storage) argv.push_back(arg.data());
  if (!argv.empty()) argv.push_back(nullptr);
  return argv;
}

// $PROCLEAK_BIN and `args`; empty after a test failure when PROCLEAK_BIN is not set.
std::vector<std::string> WithProcleak(const std::vector<std::string>& args) {
  const std::string bin = ProcleakBin();
  if (bin.empty()) return {};
  std::vector<std::string> argv = {bin};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// How the child ended (its wait status), and what it wrote to `io`'s stdout and stderr.
void Collect(int status, const TempTree& io, RunResult* result) {
  if (WIFEXITED(status)) result->exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result->signal = WTERMSIG(status);
  result->out = ReadAll(io.Path("stdout"));
  result->err = ReadAll(io.Path("stderr"));
}

}  // namespace

RunResult RunProcleak(const std::vector<std::string>& args) {
  const std::vector<std::string> argv = WithProcleak(args);
  return argv.empty() ? RunResult() : RunCommand(argv);
}

RunResult RunCommand(const std::vector<std::string>& args) {
  RunResult result;
  std::vector<std::string> storage;
  std::vector<char*> argv = Argv(args, &storage);
  if (argv.empty()) return result;
  TempTree io;
  const std::string out_path = io.Path("stdout");
  const std::string err_path = io.Path("stderr");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << std::strerror(rc);
    return result;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Collect(status, io, &result);
  return result;
}

RunResult RunProcleakWithin(const std::vector<std::string>& args, int timeout_ms,
                            size_t address_space) {
  RunResult result;
  std::vector<std::string> storage;
  std::vector<char*> argv = Argv(WithProcleak(args), &storage);
  if (argv.empty()) return result;
  TempTree io;
  // Everything the child needs is made before fork: after it, only async-signal-safe calls.
  const int in = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int out = open(io.Path("stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err = open(io.Path("stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const rlimit limit{.rlim_cur = address_space, .rlim_max = address_space};
  const pid_t pid = in >= 0 && out >= 0 && err >= 0 ? fork() : -1;
  if (pid == 0) {
    if ((address_space == 0 || setrlimit(RLIMIT_AS, &limit) == 0) && dup2(in, STDIN_FILENO) >= 0 &&
        dup2(out, STDOUT_FILENO) >= 0 && dup2(err, STDERR_FILENO) >= 0) {
      execve(argv[0], argv.data(), environ);
    }
    _exit(127);
  }
  for (int fd : {in, out, err}) {
    if (fd >= 0) close(fd);
  }
  if (pid < 0) {
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << std::strerror(errno);
    return result;
  }
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      ADD_FAILURE() << "waitpid: " << std::strerror(errno);
      return result;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    usleep(5000);
  }
  Collect(status, io, &result);
  return result;
}

std::string ReadAll(const std::string& path) {
  // istream::read, not istreambuf_iterator: a read error (ESRCH from /proc/PID/... of a process
  // that just exited) then ends the text instead of throwing out of libstdc++'s filebuf.
  std::ifstream in(path, std::ios::binary);
  std::string text;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) text.append(buffer, in.gcount());
  return text;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace procleak::testing
