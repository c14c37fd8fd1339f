// SPDX-License-Identifier: Apache-2.0
// procleak reap --apply stops whole chains, live: children a wrapper started only after reap had
// planned (the incident's slow `npm exec`), and a leaf that keeps forking, are stopped with their
// chain; the kept chain and the spawner are not touched. The copies' shells wait on a FIFO the
// test holds, so every chain looks the same when reap plans, and start their children when the
// test writes a line for each.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "reap_live.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: Spawner, RunReapPaused, Field

// A FIFO the copies read a line from before they go on; the test's descriptor (read-write, so
// that neither side's open blocks) is closed on destruction.
class Gate {
 public:
  Gate() : path_(dir_.Path("gate")) {
    if (mkfifo(path_.c_str(), 0600) != 0) ADD_FAILURE() << "mkfifo " << path_;
    fd_ = open(path_.c_str(), O_RDWR | O_CLOEXEC);
  }
  ~Gate() {
    if (fd_ >= 0) close(fd_);
  }
  const std::string& path() const { return path_; }
  // Lets `n` readers go on: each `read` of the shells takes one byte at a time, so one line each.
  void Open(int n) const {
    const std::string lines(static_cast<size_t>(n), '\n');
    ASSERT_EQ(write(fd_, lines.data(), lines.size()), static_cast<ssize_t>(lines.size()));
  }

 private:
  TempTree dir_;
  std::string path_;
  int fd_ = -1;
};

// The pids of processes of the document that are marked discovered, and their results.
std::map<int, std::string> Discovered(const Json& doc) {
  std::map<int, std::string> out;
  for (const Json& g : Field(doc, "groups")) {
    for (const Json& c : Field(g, "stop")) {
      for (const Json& p : Field(c, "processes")) {
        if (Field(p, "discovered").get<bool>()) {
          out[Field(p, "pid").get<int>()] = Field(p, "result").get<std::string>();
        }
      }
    }
  }
  return out;
}

// Asserts what every test here expects after reap: the three oldest copies are gone to the last
// process, the newest is untouched, nothing outside the chains was signalled, and the document
// reports no process left running.
void ExpectOnlyTheNewestCopyLeft(const Spawner& spawner, const PausedReap& reap) {
  EXPECT_EQ(reap.exit_code, 0) << reap.doc.dump(2);
  EXPECT_EQ(StopRoots(reap.doc),
            std::vector<int>(spawner.roots().begin(), spawner.roots().begin() + 3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] { return spawner.AliveOfCopy(i).empty(); }, std::chrono::seconds(5)))
        << "copy " << i << " left: " << ::testing::PrintToString(spawner.AliveOfCopy(i));
  }
  EXPECT_TRUE(Alive(spawner.roots()[3]));
  EXPECT_EQ(ReadIdentity(spawner.roots()[3])->state, 'S');
  EXPECT_TRUE(Alive(spawner.pid()));
  EXPECT_EQ(spawner.Signals(), std::vector<int>());
  EXPECT_EQ(Field(reap.doc, "left_running"), Json::array());
  EXPECT_EQ(Field(Field(reap.doc, "summary"), "left_running"), 0);
  EXPECT_EQ(Field(Field(reap.doc, "summary"), "incomplete"), false);
}

TEST(ReapWholeChains, ChildStartedAfterPlanning_IsStoppedWithItsChain) {
  const std::string token = Token();
  Gate gate;
  Spawner spawner(": " + token + "; read x < " + gate.path() + "; sleep 120; true",
                  /*children=*/0);
  ASSERT_EQ(spawner.roots().size(), 4u);
  std::vector<int> late;  // the sleep each copy starts once reap has planned
  PausedReap reap = RunReapPaused({"--signature", token}, [&] {
    gate.Open(4);
    for (int root : spawner.roots()) {
      EXPECT_TRUE(WaitFor([&] { return ChildrenOf(root).size() == 1; }, std::chrono::seconds(5)));
      for (int child : ChildrenOf(root)) late.push_back(child);
    }
  });
  ASSERT_EQ(late.size(), 4u);
  ExpectOnlyTheNewestCopyLeft(spawner, reap);
  EXPECT_TRUE(Alive(late[3]));
  std::map<int, std::string> discovered = Discovered(reap.doc);
  EXPECT_EQ(discovered.size(), 3u) << reap.doc.dump(2);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(discovered[late[i]], "terminated") << i;
    EXPECT_EQ(Results(reap.doc)[spawner.roots()[i]], "terminated") << i;
  }
  EXPECT_EQ(Field(Field(reap.doc, "summary"), "discovered"), 3);
  EXPECT_EQ(Field(Field(reap.doc, "summary"), "processes"), 6);
}

TEST(ReapWholeChains, LeafThatKeepsForking_IsStoppedWhole) {
  const std::string token = Token();
  Gate gate;
  // Once let go, each copy starts a shell that starts a `sleep` every 50 ms (for 20 s at most).
  Spawner spawner(": " + token + "; read x < " + gate.path() +
                      "; sh -c 'i=0; while [ $i -lt 400 ]; do sleep 120 & sleep 0.05; "
                      "i=$((i+1)); done'; true",
                  /*children=*/0);
  ASSERT_EQ(spawner.roots().size(), 4u);
  PausedReap reap = RunReapPaused({"--signature", token}, [&] {
    gate.Open(4);
    for (int root : spawner.roots()) {
      // Forking: the shell and a few sleeps below it.
      EXPECT_TRUE(WaitFor(
          [&] {
            std::vector<int> shell = ChildrenOf(root);
            return shell.size() == 1 && ChildrenOf(shell[0]).size() >= 3;
          },
          std::chrono::seconds(10)));
    }
  });
  ExpectOnlyTheNewestCopyLeft(spawner, reap);
  const std::map<int, std::string> discovered = Discovered(reap.doc);
  EXPECT_GE(discovered.size(), 3u * 3);  // per copy: the shell and its sleeps
  for (const auto& [pid, result] : discovered) {
    EXPECT_TRUE(result == "terminated" || result == "gone") << pid << " " << result;
  }
  EXPECT_EQ(ChildrenOf(spawner.roots()[3]).size(), 1u);  // the newest copy still forks
}

// The red team's hole: a process that forks in its SIGTERM handler and exits at once leaves a
// child that is reparented to PID 1 before any look at the stopping processes' children sees
// it. It keeps the process group (and session) of its parent, and starts after the freeze.
TEST(ReapWholeChains, ChildForkedInTheSigtermHandler_IsStoppedToo) {
  const std::string token = Token();
  Spawner spawner("trap 'sleep 900 & exit' TERM; while :; do sleep 0.1; done; : " + token,
                  /*children=*/1, "bash");
  ASSERT_EQ(spawner.roots().size(), 4u);
  RunResult run = RunProcleak({"reap", "--json", "--apply", "--signature", token});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Json doc = ParseJson(run.out);
  EXPECT_EQ(StopRoots(doc), std::vector<int>(spawner.roots().begin(), spawner.roots().begin() + 3));
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(WaitFor([&] { return spawner.AliveOfCopy(i).empty(); }, std::chrono::seconds(5)))
        << "copy " << i << " left: " << ::testing::PrintToString(spawner.AliveOfCopy(i));
  }
  // Each stopped copy's handler started a `sleep 900` (pinned before or after its exec): found by
  // its process group, and terminated.
  int handlers = 0;
  for (const Json& g : Field(doc, "groups")) {
    for (const Json& c : Field(g, "stop")) {
      for (const Json& p : Field(c, "processes")) {
        if (!Field(p, "discovered").get<bool>()) continue;
        if (Field(p, "found_by") == "process_group") {
          ++handlers;
          EXPECT_EQ(Field(p, "result"), "terminated") << p.dump();
          continue;
        }
        // A `sleep 0.1` started since the scan.
        EXPECT_EQ(Field(p, "found_by"), "parent") << p.dump();
        EXPECT_NE(Field(p, "result"), "skipped") << p.dump();
        EXPECT_NE(Field(p, "result"), "failed") << p.dump();
      }
    }
  }
  EXPECT_EQ(handlers, 3) << run.out;
  EXPECT_EQ(Field(doc, "left_running"), Json::array());
  // The kept copy, sharing the spawner's process group and session, runs on untouched.
  EXPECT_TRUE(Alive(spawner.roots()[3]));
  EXPECT_NE(ReadIdentity(spawner.roots()[3])->state, 'T');
  EXPECT_TRUE(Alive(spawner.pid()));
  EXPECT_EQ(spawner.Signals(), std::vector<int>());
}

}  // namespace
}  // namespace procleak
