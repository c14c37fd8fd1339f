// SPDX-License-Identifier: Apache-2.0
#pragma once
// Live processes for the tests of `procleak reap`: a spawner of the test's own that leaks copies
// of `sh -c SCRIPT` (a duplicate_chain), what became of them, and reap run in-process with a hook
// between planning and acting. Everything started here leads or joins the spawner's process group,
// which is killed in teardown, also when the test fails.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak::testing {

struct Identity {
  int ppid = 0;
  char state = '?';
  uint64_t starttime = 0;
};

// "" once the process is gone (ReadAll stops at the read error).
inline std::string ReadProcFile(int pid, const char* name) {
  return ReadAll("/proc/" + std::to_string(pid) + "/" + name);
}

inline std::optional<Identity> ReadIdentity(int pid) {
  const std::string text = ReadProcFile(pid, "stat");
  size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 2));
  Identity id;
  std::string skip;
  rest >> id.state >> id.ppid;
  for (int field = 5; field < 22 && rest >> skip; ++field) {
  }
  rest >> id.starttime;
  return id;
}

inline bool Alive(int pid) {
  std::optional<Identity> id = ReadIdentity(pid);
  return id && id->state != 'Z' && id->state != 'X';
}

inline std::vector<int> AllPids() {
  std::vector<int> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") == std::string::npos) out.push_back(std::stoi(name));
  }
  return out;
}

inline std::vector<int> ChildrenOf(int parent) {
  std::vector<int> out;
  for (int pid : AllPids()) {
    std::optional<Identity> id = ReadIdentity(pid);
    if (id && id->ppid == parent && id->state != 'Z') out.push_back(pid);
  }
  return out;
}

inline bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A forked copy of the test that leads its own process group and starts `SHELL -c SCRIPT` four
// times (SHELL is /bin/sh unless given): once, then, 2.1 s later (a separate start cycle, which
// makes the copies a leak), three more 0.2 s apart. Copy i has PROCLEAK_REAP_TEST_COPY=SPAWNER-i in
// its environment, which everything it starts inherits. The spawner reaps its children (SIGCHLD
// ignored), records the catchable signals it gets, and waits to be killed.
class Spawner {
 public:
  // Ready when each copy has exec'd `shell` and has `children` children.
  explicit Spawner(const std::string& script, size_t children = 1,
                   const std::string& shell = "sh") {
    int fds[2];
    int sigs[2];
    // The shells must not hold the write ends.
    if (pipe2(fds, O_CLOEXEC) != 0 || pipe2(sigs, O_CLOEXEC | O_NONBLOCK) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      close(sigs[0]);
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      signal(SIGCHLD, SIG_IGN);
      signal_fd_ = sigs[1];
      for (int sig : {SIGTERM, SIGCONT, SIGHUP, SIGINT, SIGUSR1, SIGUSR2}) {
        struct sigaction sa {};
        sa.sa_handler = [](int s) {
          const char c = static_cast<char>(s);
          if (write(signal_fd_, &c, 1) != 1) _exit(3);
        };
        sa.sa_flags = SA_RESTART;
        sigaction(sig, &sa, nullptr);
      }
      const std::string copy = "PROCLEAK_REAP_TEST_COPY=" + std::to_string(getpid()) + "-";
      for (int i = 0; i < 4; ++i) {
        usleep(i == 1 ? 2100000 : i > 1 ? 200000 : 0);
        pid_t child = fork();
        if (child == 0) {
          for (int sig : {SIGCHLD, SIGTERM, SIGCONT, SIGHUP, SIGINT, SIGUSR1, SIGUSR2}) {
            signal(sig, SIG_DFL);
          }
          prctl(PR_SET_PDEATHSIG, SIGKILL);
          putenv(strdup((copy + std::to_string(i)).c_str()));
          execl(("/bin/" + shell).c_str(), shell.c_str(), "-c", script.c_str(),
                static_cast<char*>(nullptr));
          _exit(127);
        }
        int pid = child;
        if (write(fds[1], &pid, sizeof pid) != sizeof pid) _exit(1);
      }
      close(fds[1]);
      for (;;) pause();
    }
    close(fds[1]);
    close(sigs[1]);
    signals_ = sigs[0];
    int pid = 0;
    while (read(fds[0], &pid, sizeof pid) == sizeof pid) roots_.push_back(pid);
    close(fds[0]);
    for (int root : roots_) {
      WaitFor(
          [&] {
            return ReadProcFile(root, "cmdline").rfind(shell + '\0', 0) == 0 &&
                   ChildrenOf(root).size() == children;
          },
          std::chrono::seconds(5));
      for (int leaf : ChildrenOf(root)) leaves_.push_back(leaf);
    }
  }
  ~Spawner() {
    if (signals_ >= 0) close(signals_);
    if (pid_ <= 0) return;
    kill(-pid_, SIGKILL);  // the group: spawner, every sh and sleep it started
    for (int leaf : leaves_) kill(leaf, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  const std::vector<int>& roots() const { return roots_; }    // oldest first
  const std::vector<int>& leaves() const { return leaves_; }  // with children == 1: one per root

  // The processes alive with copy i's environment: its sh and whatever it started since.
  std::vector<int> AliveOfCopy(int i) const {
    const std::string mark =
        "PROCLEAK_REAP_TEST_COPY=" + std::to_string(pid_) + "-" + std::to_string(i) + '\0';
    std::vector<int> out;
    for (int pid : AllPids()) {
      if (Alive(pid) &&
          ('\0' + ReadProcFile(pid, "environ")).find('\0' + mark) != std::string::npos) {
        out.push_back(pid);
      }
    }
    return out;
  }
  // The catchable signals the spawner has received (SIGCHLD aside).
  std::vector<int> Signals() const {
    std::vector<int> out;
    char c = 0;
    while (read(signals_, &c, 1) == 1) out.push_back(c);
    return out;
  }

 private:
  static inline int signal_fd_ = -1;  // in the spawner: its end of the signal pipe
  pid_t pid_ = -1;
  int signals_ = -1;
  std::vector<int> roots_;
  std::vector<int> leaves_;
};

inline std::string Token() {
  return "procleak-reap-test-" + std::to_string(getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

inline std::vector<int> StopRoots(const Json& doc) {
  std::vector<int> out;
  for (const Json& g : Field(doc, "groups")) {
    for (const Json& c : Field(g, "stop")) out.push_back(Field(c, "root_pid").get<int>());
  }
  return out;
}

// pid -> result of every process in the document.
inline std::map<int, std::string> Results(const Json& doc) {
  std::map<int, std::string> out;
  for (const Json& g : Field(doc, "groups")) {
    for (const Json& c : Field(g, "stop")) {
      for (const Json& p : Field(c, "processes")) {
        out[Field(p, "pid").get<int>()] = Field(p, "result").get<std::string>();
      }
    }
  }
  return out;
}

// `procleak reap --json --apply ARGS` run in this process (RunReapStages), with `between` run after
// planning and before signalling.
struct PausedReap {
  int exit_code = -1;
  Json doc;
};
inline PausedReap RunReapPaused(const std::vector<std::string>& args,
                                const std::function<void()>& between) {
  std::vector<std::string> all = {"reap", "--json", "--apply"};
  all.insert(all.end(), args.begin(), args.end());
  PausedReap result;
  absl::StatusOr<CliArgs> parsed = ParseArgs(all);
  if (!parsed.ok()) {
    ADD_FAILURE() << parsed.status();
    return result;
  }
  bool paused = false;
  std::string report;
  result.exit_code = RunReapStages(
      *parsed,
      [&] {
        paused = true;
        between();
      },
      &report);
  EXPECT_TRUE(paused) << "reap did not reach the point between planning and acting";
  result.doc = ParseJson(report);
  return result;
}

}  // namespace procleak::testing
