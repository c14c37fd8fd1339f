// SPDX-License-Identifier: Apache-2.0
// Two `procleak record -o` of one file (issue 17): the second fails at once naming the first and
// leaves the file alone, or with --wait appends after the first stops; replay reads the record
// meanwhile; every moment of both survives. The recorders scan a fixture tree (--root), and the
// test reaps them whatever happens (LiveProcesses).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "integration/live_processes.h"
#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, LiveProcesses, TempTree, ...
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

SpawnSpec Recorder(const std::string& file, int count, const std::string& interval,
                   const std::string& err, std::vector<std::string> more = {}) {
  SpawnSpec spec;
  spec.argv = {std::getenv("PROCLEAK_BIN"),
               "record",
               "-o",
               file,
               "--interval",
               interval,
               "--count",
               std::to_string(count),
               "--root",
               DataDir("incident")};
  spec.argv.insert(spec.argv.end(), more.begin(), more.end());
  spec.stderr_path = err;
  return spec;
}

uint64_t SizeOf(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Its first frame is on disk: a recorder holds the lock from before it writes anything.
bool FirstFrameWritten(const std::string& file) {
  return PollUntil([&] { return SizeOf(file) > 20 + 32; }, seconds(30));
}

// The moments `replay --list --json` lists, after checking the record is intact.
Json Moments(const std::string& file) {
  RunResult list = RunProcleak({"replay", file, "--list", "--json"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  Json doc = ParseJson(list.out);
  EXPECT_TRUE(Field(doc, "damage").is_null()) << Field(doc, "damage");
  return Field(doc, "moments");
}

// Every moment replays as the incident's 634 processes.
void ExpectEveryMomentReplays(const std::string& file, size_t moments) {
  for (size_t i = 0; i < moments; ++i) {
    RunResult replay = RunProcleak({"replay", file, "--index", std::to_string(i), "--json"});
    ASSERT_NE(replay.exit_code, 2) << i << ": " << replay.err;
    EXPECT_EQ(Field(ParseJson(replay.out), "processes").size(), 634u) << i;
  }
}

TEST(RecordLock, SecondRecorder_FailsAtOnceNamingTheFirst_WhoseMomentsAllSurvive) {
  TempTree tmp;
  const std::string file = tmp.Path("rec.plr");
  LiveProcesses processes;
  std::optional<pid_t> first = processes.Start(Recorder(file, 12, "0.25", tmp.Path("first.err")));
  ASSERT_TRUE(first);
  ASSERT_TRUE(FirstFrameWritten(file)) << ReadAll(tmp.Path("first.err"));

  // Recording would take it 6 s (3 samples 3 s apart); it fails before its first.
  const auto start = std::chrono::steady_clock::now();
  std::optional<int> second =
      processes.Run(Recorder(file, 3, "3", tmp.Path("second.err")), seconds(60));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(second, 2);
  EXPECT_LT(took, seconds(5));
  EXPECT_EQ(ReadAll(tmp.Path("second.err")), "procleak: " + file +
                                                 ": being recorded by another procleak (pid " +
                                                 std::to_string(*first) + ")\n");

  // A reader is not kept waiting by the writer.
  RunResult list = RunProcleak({"replay", file, "--list", "--json"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_GE(Field(ParseJson(list.out), "moments").size(), 1u);

  EXPECT_EQ(processes.WaitExited(*first, seconds(120)), 0) << ReadAll(tmp.Path("first.err"));
  EXPECT_THAT(ReadAll(tmp.Path("first.err")), HasSubstr("recorded 12 moments to " + file));
  Json moments = Moments(file);
  ASSERT_EQ(moments.size(), 12u);
  EXPECT_EQ(moments[0]["key"], true);
  for (size_t i = 1; i < moments.size(); ++i) EXPECT_EQ(moments[i]["key"], false) << i;
  ExpectEveryMomentReplays(file, moments.size());
}

TEST(RecordLock, Wait_AppendsAfterTheFirstRecorderStops) {
  TempTree tmp;
  const std::string file = tmp.Path("rec.plr");
  LiveProcesses processes;
  // Until it is told to stop.
  std::optional<pid_t> first =
      processes.Start(Recorder(file, 100000, "0.2", tmp.Path("first.err")));
  ASSERT_TRUE(first);
  ASSERT_TRUE(FirstFrameWritten(file)) << ReadAll(tmp.Path("first.err"));
  std::optional<pid_t> second =
      processes.Start(Recorder(file, 3, "0", tmp.Path("second.err"), {"--wait"}));
  ASSERT_TRUE(second);
  const std::string waiting = "procleak: " + file + ": being recorded by another procleak (pid " +
                              std::to_string(*first) + "); waiting (--wait)\n";
  EXPECT_TRUE(PollUntil([&] { return ReadAll(tmp.Path("second.err")) == waiting; }, seconds(30)))
      << ReadAll(tmp.Path("second.err"));
  // It waits as long as the first records.
  EXPECT_EQ(processes.WaitExited(*second, milliseconds(1500)), std::nullopt);
  ASSERT_EQ(kill(*first, SIGTERM), 0);
  EXPECT_EQ(processes.WaitExited(*first, seconds(60)), 0) << ReadAll(tmp.Path("first.err"));
  EXPECT_EQ(processes.WaitExited(*second, seconds(60)), 0) << ReadAll(tmp.Path("second.err"));
  EXPECT_THAT(ReadAll(tmp.Path("second.err")), HasSubstr("recorded 3 moments to " + file));

  const std::string first_err = ReadAll(tmp.Path("first.err"));
  const size_t at = first_err.find("recorded ");
  ASSERT_NE(at, std::string::npos) << first_err;
  const size_t recorded = std::stoul(first_err.substr(at + 9));
  ASSERT_GE(recorded, 2u);
  Json moments = Moments(file);
  ASSERT_EQ(moments.size(), recorded + 3);
  EXPECT_EQ(moments[0]["key"], true);
  EXPECT_EQ(moments[recorded]["key"], true);  // the second's first frame, after all of the first's
  ExpectEveryMomentReplays(file, moments.size());
}

}  // namespace
}  // namespace procleak
