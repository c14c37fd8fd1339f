// SPDX-License-Identifier: Apache-2.0
#include "testing/paused_children.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace procleak::testing {
namespace {

// Field 3 of /proc/PID/stat, read without procleak's parser.
char StateOf(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::stringstream text;
  text << in.rdbuf();
  const std::string stat = text.str();
  const size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

}  // namespace

PausedChildren::PausedChildren(int n) {
  for (int i = 0; i < n; ++i) {
    const pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      while (true) pause();
    }
    if (pid > 0) pids_.push_back(pid);
  }
}

PausedChildren::~PausedChildren() { Reap(); }

bool PausedChildren::WaitUntilAsleep() const {
  for (pid_t pid : pids_) {
    int tries = 0;
    while (StateOf(pid) != 'S') {
      if (++tries == 500) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  return true;
}

void PausedChildren::Reap() {
  for (pid_t pid : pids_) kill(pid, SIGKILL);
  for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
  pids_.clear();
}

}  // namespace procleak::testing
