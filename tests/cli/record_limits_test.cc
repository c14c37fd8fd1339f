// SPDX-License-Identifier: Apache-2.0
// replay and diff of crafted records that would amplify (issue 17): each is refused with one
// line naming the file, the moment and why, exit status 2, inside an address-space limit of
// 256 MiB that the decoded moments would exceed many times over (not an out-of-memory abort).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "integration/live_processes.h"
#include "store/crafted_records.h"
#include "store/record_fixtures.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, LiveProcesses, Crafted*, ...
using store::FrameType;
using ::testing::MatchesRegex;

struct Limited {
  std::optional<int> exit_code;
  std::string err;
};

// procleak `args` under an address-space limit of 256 MiB (ulimit -v, before the exec).
Limited RunLimited(const std::vector<std::string>& args, const std::string& dir) {
  SpawnSpec spec;
  spec.argv = {"sh", "-c", "ulimit -v 262144 && exec \"$0\" \"$@\"", std::getenv("PROCLEAK_BIN")};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stderr_path = dir + "/limited.err";
  LiveProcesses processes;
  Limited result;
  result.exit_code = processes.Run(spec, std::chrono::seconds(60));
  result.err = ReadAll(spec.stderr_path);
  return result;
}

class RecordLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
#if defined(__SANITIZE_ADDRESS__)
    GTEST_SKIP() << "AddressSanitizer reserves terabytes of address space: no limit fits it";
#endif
  }

  // Writes `frames` as a record and replays each moment in `moments`, then diffs the last with
  // the first, under the limit: each must be refused in one line ending "; refused".
  void ExpectRefused(const std::string& name, const std::string& frames,
                     const std::string& reason_regex, int moment = 0) {
    SCOPED_TRACE(name);
    const std::string file = tmp_.Path(name + ".plr");
    WriteBytes(file, CraftedRecord(frames));
    const std::string line = "procleak: " + file + ": moment " + std::to_string(moment) + " " +
                             reason_regex + "; refused\n";
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"replay", file, "--index", std::to_string(moment)},
          std::vector<std::string>{"diff", file + "@#" + std::to_string(moment), file}}) {
      Limited run = RunLimited(args, tmp_.root());
      EXPECT_EQ(run.exit_code, 2) << run.err;
      EXPECT_THAT(run.err, MatchesRegex(line)) << args[0];
    }
  }

  TempTree tmp_;
};

TEST_F(RecordLimitsTest, Replay_RefusesMillionsOfProcessesDeclaredInAFewKilobytes) {
  ExpectRefused("processes",
                CraftedFrame(FrameType::kKey, 3'900'000, CraftedPayload(EmptyRecords(3'900'000))),
                "declares 3,900,000 processes in [0-9,]+ bytes \\(at most 131,072 in as many\\)");
}

TEST_F(RecordLimitsTest, Replay_RefusesADeltaAddingMillionsOfProcesses) {
  ExpectRefused(
      "delta",
      CraftedFrame(FrameType::kKey, 0, CraftedPayload("")) +
          CraftedFrame(FrameType::kDelta, 3'900'000, CraftedPayload(EmptyRecords(3'900'000))),
      "declares 3,900,000 processes in [0-9,]+ bytes of frames from its key frame on "
      "\\(at most 131,072 in as many\\)",
      1);
}

TEST_F(RecordLimitsTest, Replay_RefusesAPayloadDecompressingFarBeyondItsSize) {
  ExpectRefused("expansion",
                CraftedFrame(FrameType::kKey, 0, CraftedPayload("", EmptyRecords(40'000'000))),
                "declares [0-9,]+ bytes decompressed from [0-9,]+ \\(at most 4096 times as many, "
                "or 33,554,432\\)");
}

TEST_F(RecordLimitsTest, Replay_RefusesTinyRecordsDecodingBeyondTheMomentsBudget) {
  // Eight million cgroups of one byte (3 GB decoded) in a few kilobytes, and 200,000 processes
  // with empty command lines of a hundred arguments each (640 MB).
  ExpectRefused("cgroups",
                CraftedFrame(FrameType::kKey, 0, CraftedPayload("", EmptyRecords(8'000'000))),
                "needs more than 33,554,432 bytes of memory, decoded \\(at most 64 per "
                "decompressed byte, and 33,554,432 for [0-9,]+ compressed bytes\\)");
  std::string process;  // pid 0, a cmdline (field 6) of 100 empty arguments
  store::PutVarint(&process, (1 << 0) | (1 << 6));
  store::PutString(&process, std::string(1, '\0'));
  store::PutString(&process, "\x64" + std::string(100, '\0'));
  ExpectRefused(
      "arguments",
      CraftedFrame(FrameType::kKey, 100'000,
                   CraftedPayload(AddedListSection(100'000, [&](uint64_t) { return process; }))),
      "needs more than 33,554,432 bytes of memory, decoded .*");
  // Random one-byte cgroup paths, hardly compressible: a file of about 300 KB.
  std::mt19937 random(17);
  ExpectRefused(
      "paths",
      CraftedFrame(FrameType::kKey, 0,
                   CraftedPayload("", AddedListSection(300'000,
                                                       [&](uint64_t) {
                                                         return OneBytePathCgroup(char(random()));
                                                       }))),
      "needs more than [0-9,]+ bytes of memory, decoded \\(at most 64 per decompressed "
      "byte, .*");
}

}  // namespace
}  // namespace procleak
