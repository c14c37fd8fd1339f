// SPDX-License-Identifier: Apache-2.0
// procleak reap, live: a spawner of this test's own starts four identical `sh -c` chains in two
// cycles; the dry run lists the three oldest and signals nothing, --apply stops exactly those,
// a chain that ended after planning is reported gone, one that ignores SIGTERM gets SIGKILL.
// Every run selects by a token unique to the test, so nothing else on the machine is selected;
// the spawner's process group (everything the test started) is killed in teardown.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, ParseJson, Field

struct Identity {
  int ppid = 0;
  char state = '?';
  uint64_t starttime = 0;
};

std::optional<Identity> ReadIdentity(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
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

bool Alive(int pid) {
  std::optional<Identity> id = ReadIdentity(pid);
  return id && id->state != 'Z' && id->state != 'X';
}

std::vector<int> ChildrenOf(int parent) {
  std::vector<int> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::optional<Identity> id = ReadIdentity(std::stoi(name));
    if (id && id->ppid == parent && id->state != 'Z') out.push_back(std::stoi(name));
  }
  return out;
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// A forked copy of the test that leads its own process group and starts `sh -c SCRIPT` four
// times: once, then, 2.1 s later (a separate start cycle, which makes the copies a leak), three
// more 0.2 s apart. It reaps its children (SIGCHLD ignored) and then waits to be killed.
class Spawner {
 public:
  explicit Spawner(const std::string& script) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;  // the shells must not hold the write end
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      setpgid(0, 0);
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      signal(SIGCHLD, SIG_IGN);
      for (int i = 0; i < 4; ++i) {
        usleep(i == 1 ? 2100000 : i > 1 ? 200000 : 0);
        pid_t child = fork();
        if (child == 0) {
          signal(SIGCHLD, SIG_DFL);
          prctl(PR_SET_PDEATHSIG, SIGKILL);
          execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
          _exit(127);
        }
        int pid = child;
        if (write(fds[1], &pid, sizeof pid) != sizeof pid) _exit(1);
      }
      close(fds[1]);
      for (;;) pause();
    }
    close(fds[1]);
    int pid = 0;
    while (read(fds[0], &pid, sizeof pid) == sizeof pid) roots_.push_back(pid);
    close(fds[0]);
    // Each chain is ready when its sh has started its sleep.
    for (int root : roots_) {
      WaitFor([&] { return ChildrenOf(root).size() == 1; }, std::chrono::seconds(5));
      for (int leaf : ChildrenOf(root)) leaves_.push_back(leaf);
    }
  }
  ~Spawner() {
    if (pid_ <= 0) return;
    kill(-pid_, SIGKILL);  // the group: spawner, every sh and sleep it started
    for (int leaf : leaves_) kill(leaf, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  pid_t pid() const { return pid_; }
  const std::vector<int>& roots() const { return roots_; }    // oldest first
  const std::vector<int>& leaves() const { return leaves_; }  // leaves()[i] under roots()[i]

 private:
  pid_t pid_ = -1;
  std::vector<int> roots_;
  std::vector<int> leaves_;
};

std::string Token() {
  return "procleak-reap-test-" + std::to_string(getpid()) + "-" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name();
}

std::string Script(const std::string& token, bool ignore_term = false) {
  return std::string(ignore_term ? "trap '' TERM; " : "") + ": " + token + "; sleep 120; true";
}

std::vector<int> StopRoots(const Json& doc) {
  std::vector<int> out;
  for (const Json& g : Field(doc, "groups")) {
    for (const Json& c : Field(g, "stop")) out.push_back(Field(c, "root_pid").get<int>());
  }
  return out;
}

// pid -> result of every process in the document.
std::map<int, std::string> Results(const Json& doc) {
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

TEST(Reap, DryRun_ListsTheThreeOldestChainsAndSignalsNothing) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.roots().size(), 4u);
  ASSERT_EQ(spawner.leaves().size(), 4u);
  RunResult run = RunProcleak({"reap", "--json", "--signature", token});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json doc = ParseJson(run.out);
  EXPECT_EQ(Field(doc, "schema"), "procleak.reap/1");
  EXPECT_EQ(Field(doc, "mode"), "dry_run");
  ASSERT_EQ(Field(doc, "groups").size(), 1u) << run.out;
  const Json& g = Field(doc, "groups")[0];
  EXPECT_EQ(Field(g, "count"), 4);
  EXPECT_EQ(Field(g, "keep"), "1 newest (default)");
  ASSERT_EQ(Field(g, "kept").size(), 1u);
  EXPECT_EQ(Field(Field(g, "kept")[0], "root_pid"), spawner.roots()[3]);
  const std::vector<int> oldest(spawner.roots().begin(), spawner.roots().begin() + 3);
  EXPECT_EQ(StopRoots(doc), oldest);
  std::map<int, std::string> results = Results(doc);
  EXPECT_EQ(results.size(), 6u);
  for (const auto& [pid, result] : results) EXPECT_EQ(result, "would_signal") << pid;
  EXPECT_EQ(Field(doc, "order").size(), 6u);
  EXPECT_EQ(Field(Field(doc, "summary"), "would_signal"), 6);
  // The leaf of each chain comes before its root.
  const Json& first = Field(Field(g, "stop")[0], "processes");
  EXPECT_EQ(Field(first[0], "pid"), spawner.leaves()[0]);
  EXPECT_EQ(Field(first[1], "pid"), spawner.roots()[0]);
  EXPECT_EQ(Field(Field(g, "stop")[0], "reason"), "duplicate_chain: 4 copies where 1 expected");

  RunResult text = RunProcleak({"reap", "--signature", token});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("dry run"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("would signal 6 processes in 3 chains"), std::string::npos) << text.out;
  for (int root : spawner.roots()) EXPECT_TRUE(Alive(root)) << root;
  for (int leaf : spawner.leaves()) EXPECT_TRUE(Alive(leaf)) << leaf;
}

TEST(Reap, Apply_StopsExactlyTheSurplusChains) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  RunResult run = RunProcleak({"reap", "--json", "--apply", "--signature", token});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  Json doc = ParseJson(run.out);
  EXPECT_EQ(Field(doc, "mode"), "apply");
  const std::vector<int> oldest(spawner.roots().begin(), spawner.roots().begin() + 3);
  EXPECT_EQ(StopRoots(doc), oldest);
  for (const auto& [pid, result] : Results(doc)) {
    // A wrapper whose child was signalled first may have exited by itself before its turn.
    EXPECT_TRUE(result == "terminated" || result == "gone") << pid << " " << result;
  }
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] { return !Alive(spawner.roots()[i]) && !Alive(spawner.leaves()[i]); },
                        std::chrono::seconds(5)))
        << i;
  }
  EXPECT_TRUE(Alive(spawner.roots()[3]));
  EXPECT_TRUE(Alive(spawner.leaves()[3]));
  EXPECT_TRUE(Alive(spawner.pid()));
}

TEST(Reap, Apply_ChainEndedAfterPlanning_IsReportedGone) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  TempTree io;
  const std::string out_path = io.Path("stdout");
  pid_t reap = fork();
  if (reap == 0) {
    int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, STDOUT_FILENO);
    setenv("PROCLEAK_REAP_STOP_AFTER_PLAN", "1", 1);
    const char* bin = std::getenv("PROCLEAK_BIN");
    execl(bin, bin, "reap", "--json", "--apply", "--signature", token.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_GT(reap, 0);
  int status = 0;
  ASSERT_EQ(waitpid(reap, &status, WUNTRACED), reap);
  ASSERT_TRUE(WIFSTOPPED(status)) << status;
  // The oldest chain ends between planning and acting.
  kill(spawner.leaves()[0], SIGKILL);
  kill(spawner.roots()[0], SIGKILL);
  EXPECT_TRUE(WaitFor([&] { return !Alive(spawner.roots()[0]) && !Alive(spawner.leaves()[0]); },
                      std::chrono::seconds(5)));
  kill(reap, SIGCONT);
  ASSERT_EQ(waitpid(reap, &status, 0), reap);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  Json doc = ParseJson(ReadAll(out_path));
  std::map<int, std::string> results = Results(doc);
  EXPECT_EQ(results[spawner.roots()[0]], "gone");
  EXPECT_EQ(results[spawner.leaves()[0]], "gone");
  EXPECT_EQ(results[spawner.leaves()[1]], "terminated");
  EXPECT_EQ(results[spawner.leaves()[2]], "terminated");
  EXPECT_TRUE(Alive(spawner.leaves()[3]));
}

TEST(Reap, Apply_ProcessIgnoringTerm_IsKilledAfterGrace) {
  const std::string token = Token();
  Spawner spawner(Script(token, /*ignore_term=*/true));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  const auto start = std::chrono::steady_clock::now();
  RunResult run = RunProcleak({"reap", "--json", "--apply", "--grace", "1", "--signature", token});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_GE(took, std::chrono::seconds(1));
  Json doc = ParseJson(run.out);
  std::map<int, std::string> results = Results(doc);
  ASSERT_EQ(results.size(), 6u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(results[spawner.leaves()[i]], "killed") << i;
    // Its sh may exit by itself between its child's SIGKILL and its own.
    EXPECT_TRUE(results[spawner.roots()[i]] == "killed" ||
                results[spawner.roots()[i]] == "terminated")
        << i << " " << results[spawner.roots()[i]];
  }
  EXPECT_GE(Field(Field(doc, "summary"), "killed"), 3);
  EXPECT_TRUE(Alive(spawner.leaves()[3]));
  EXPECT_TRUE(Alive(spawner.pid()));
}

TEST(Reap, Pid_StopsOnlyTheChainHoldingIt) {
  const std::string token = Token();
  Spawner spawner(Script(token));
  ASSERT_EQ(spawner.leaves().size(), 4u);
  RunResult run = RunProcleak({"reap", "--json", "--signature", token, "--pid",
                               std::to_string(spawner.leaves()[1]), "--apply"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(StopRoots(ParseJson(run.out)), std::vector<int>({spawner.roots()[1]}));
  EXPECT_TRUE(WaitFor([&] { return !Alive(spawner.leaves()[1]); }, std::chrono::seconds(5)));
  for (int i : {0, 2, 3}) EXPECT_TRUE(Alive(spawner.leaves()[i])) << i;
}

TEST(Reap, DryRunOnFixture_PlansTheIncidentsSurplusCopies) {
  RunResult run = RunProcleak({"reap", "--json", "--root", DataDir("incident"), "--container",
                               "mcp-hub", "--signature", "server-filesystem"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json doc = ParseJson(run.out);
  ASSERT_EQ(Field(doc, "groups").size(), 1u) << run.out;
  const Json& g = Field(doc, "groups")[0];
  EXPECT_EQ(Field(g, "container_name"), "mcp-hub");
  EXPECT_EQ(Field(g, "expected"), 1);
  EXPECT_EQ(Field(g, "keep"), "1 newest (expected count)");
  EXPECT_EQ(Field(g, "stop").size(), Field(g, "count").get<size_t>() - 1);
  EXPECT_EQ(Field(Field(doc, "summary"), "skipped"), 0);
}

TEST(Reap, ApplyWithRoot_IsAUsageError) {
  RunResult run = RunProcleak({"reap", "--apply", "--root", "/tmp"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--apply"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace procleak
