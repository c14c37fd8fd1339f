// SPDX-License-Identifier: Apache-2.0
// What a reader refuses to hold (issue 17, procleak-record(5) LIMITS): frames that declare more
// processes than a host runs or than their bytes can hold, payloads that decompress or decode out
// of proportion to their size, and a moment past its limit; and that frames of real snapshots,
// even of thousands of identical processes, stay far within every limit.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "crafted_records.h"
#include "fmt/format.h"
#include "procleak/record.h"
#include "record_fixtures.h"
#include "store/frame.h"
#include "store/record_index.h"
#include "store/snapshot_codec.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using store::FrameType;
using store::Grouped;
using testing::AddedListSection;
using testing::CraftedFrame;
using testing::CraftedPayload;
using testing::CraftedRecord;
using testing::EmptyRecords;
using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// The header of `frame` (which begins with one).
store::FrameHeader HeaderOf(const std::string& frame) {
  absl::StatusOr<store::FrameHeader> header = store::ParseFrameHeader(frame);
  EXPECT_TRUE(header.ok()) << header.status();
  return header.ok() ? *header : store::FrameHeader{};
}

class RecordBoundsTest : public ::testing::Test {
 protected:
  RecordBoundsTest() : tree_(testing::FastTempParent()), path_(tree_.Path("rec.plr")) {}

  // Writes `record` to the file and reads moment `index` of it.
  absl::StatusOr<Snapshot> ReadMoment(const std::string& record, int index) {
    testing::WriteBytes(path_, record);
    absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
    if (!reader.ok()) return reader.status();
    EXPECT_EQ(reader->damage(), "");
    return reader->Read(index);
  }

  testing::TempTree tree_;
  std::string path_;
};

TEST(FrameClaims, Refuse_MoreProcessesThanLinuxRuns_AcceptTheMostThatFit) {
  store::FrameHeader h;
  h.processes = store::kMaxProcesses;
  h.raw_bytes = store::kMaxProcesses * store::kMinProcessBytes;  // 64 MiB
  h.payload_bytes = 256 << 10;  // a budget of 1 GiB: 4,194,304 processes of 256 bytes
  EXPECT_TRUE(store::CheckFrameClaims(h, 0, 0).ok());
  h.processes += 1;
  absl::Status refused = store::CheckFrameClaims(h, 0, 0);
  EXPECT_TRUE(absl::IsResourceExhausted(refused)) << refused;
  EXPECT_EQ(Message(refused),
            "declares 4,194,305 processes, more than a Linux host runs (4,194,304)");
}

TEST(FrameClaims, Refuse_MoreProcessesThanTheCompressedBytesOfTheMomentJustify) {
  store::FrameHeader h;
  h.raw_bytes = 32 << 20;
  h.payload_bytes = 10;  // the floor: 32 MiB, 131,072 processes
  h.processes = 131'072;
  EXPECT_TRUE(store::CheckFrameClaims(h, 0, 0).ok());
  h.processes += 1;
  EXPECT_EQ(Message(store::CheckFrameClaims(h, 0, 0)),
            "declares 131,073 processes in 10 bytes (at most 131,072 in as many)");
  // A delta frame's moment is decoded from the frames since the key frame too.
  h.type = FrameType::kDelta;
  EXPECT_TRUE(store::CheckFrameClaims(h, 131'073, 10'000).ok());
  h.processes = 160'162;  // 10,010 bytes: 41 MB, 160,160 processes
  EXPECT_EQ(Message(store::CheckFrameClaims(h, 160'162, 10'000)),
            "declares 160,162 processes in 10,010 bytes of frames from its key frame on (at most "
            "160,160 in as many)");
}

TEST(FrameClaims, Refuse_ProcessesBeyondTheirDecompressedBytes_InKeyFramesAndAsADeltaAddsThem) {
  store::FrameHeader h;
  h.processes = 1000;
  h.raw_bytes = 1000 * store::kMinProcessBytes - 1;
  h.payload_bytes = 1000;
  EXPECT_EQ(Message(store::CheckFrameClaims(h, 0, 0)),
            "declares 1,000 processes in 15,999 bytes decompressed (at least 16 per process)");
  h.type = FrameType::kDelta;  // a delta needs bytes only for the processes it adds
  EXPECT_TRUE(store::CheckFrameClaims(h, 1, 1000).ok());
  EXPECT_TRUE(store::CheckFrameClaims(h, 5000, 1000).ok());
  EXPECT_EQ(Message(store::CheckFrameClaims(h, 0, 1000)),
            "declares 1,000 processes, 1,000 more than the moment before, in 15,999 bytes "
            "decompressed (at least 16 per process)");
}

TEST(FrameClaims, Refuse_PayloadsDecompressingBeyondTheirShare_ButNotSmallOnes) {
  store::FrameHeader h;
  h.payload_bytes = 10;
  h.raw_bytes = store::kMomentFloorBytes;  // a small frame may expand this far
  EXPECT_TRUE(store::CheckFrameClaims(h, 0, 0).ok());
  h.raw_bytes += 1;
  EXPECT_EQ(Message(store::CheckFrameClaims(h, 0, 0)),
            "declares 33,554,433 bytes decompressed from 10 (at most 4096 times as many, or "
            "33,554,432)");
  h.payload_bytes = 10'000;
  h.raw_bytes = 10'000 * store::kBytesPerCompressedByte;
  EXPECT_TRUE(store::CheckFrameClaims(h, 0, 0).ok());
  h.raw_bytes += 1;
  EXPECT_FALSE(store::CheckFrameClaims(h, 0, 0).ok());
}

TEST_F(RecordBoundsTest, Read_Refuses_AKeyFrameDeclaringMillionsOfProcessesInAFewKilobytes) {
  // 3.9 million processes of one byte each: a few hundred bytes compressed, 1.2 GiB decoded.
  const std::string raw = CraftedPayload(EmptyRecords(3'900'000));
  const std::string frame = CraftedFrame(FrameType::kKey, 3'900'000, raw);
  const store::FrameHeader h = HeaderOf(frame);
  EXPECT_LT(frame.size(), 6000u);
  absl::StatusOr<Snapshot> read = ReadMoment(CraftedRecord(frame), 0);
  ASSERT_TRUE(absl::IsResourceExhausted(read.status())) << read.status();
  EXPECT_EQ(Message(read.status()),
            fmt::format("{}: moment 0 declares 3,900,000 processes in {} bytes (at most 131,072 "
                        "in as many); refused",
                        path_, Grouped(h.payload_bytes)));
}

TEST_F(RecordBoundsTest, Read_Refuses_ADeltaAddingMillionsOfProcesses_ButReadsTheMomentBefore) {
  const std::string key = CraftedFrame(FrameType::kKey, 0, CraftedPayload(""));
  const std::string delta =
      CraftedFrame(FrameType::kDelta, 3'900'000, CraftedPayload(EmptyRecords(3'900'000)));
  const std::string record = CraftedRecord(key + delta);
  absl::StatusOr<Snapshot> first = ReadMoment(record, 0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->processes().empty());
  absl::StatusOr<Snapshot> second = ReadMoment(record, 1);
  ASSERT_TRUE(absl::IsResourceExhausted(second.status())) << second.status();
  EXPECT_EQ(
      Message(second.status()),
      fmt::format("{}: moment 1 declares 3,900,000 processes in {} bytes of frames from its "
                  "key frame on (at most 131,072 in as many); refused",
                  path_, Grouped(HeaderOf(key).payload_bytes + HeaderOf(delta).payload_bytes)));
}

TEST_F(RecordBoundsTest, Read_Refuses_APayloadDecompressingFarBeyondItsSize) {
  // 34 million cgroups of one byte: declared by no count in the header, found by the ratio.
  const std::string frame =
      CraftedFrame(FrameType::kKey, 0, CraftedPayload("", EmptyRecords(34'000'000)));
  const store::FrameHeader h = HeaderOf(frame);
  absl::StatusOr<Snapshot> read = ReadMoment(CraftedRecord(frame), 0);
  ASSERT_TRUE(absl::IsResourceExhausted(read.status())) << read.status();
  EXPECT_EQ(Message(read.status()),
            fmt::format("{}: moment 0 declares {} bytes decompressed from {} (at most 4096 times "
                        "as many, or 33,554,432); refused",
                        path_, Grouped(h.raw_bytes), Grouped(h.payload_bytes)));
}

TEST_F(RecordBoundsTest, Read_Refuses_TinyRecordsThatDecodeBeyondTheirBytesOrTheMomentsBudget) {
  // 60,000 cgroups of one byte each: 22 MB decoded from 60 KB, more than 64 bytes per byte.
  std::string raw = CraftedPayload("", EmptyRecords(60'000));
  std::string frame = CraftedFrame(FrameType::kKey, 0, raw);
  absl::StatusOr<Snapshot> read = ReadMoment(CraftedRecord(frame), 0);
  ASSERT_TRUE(absl::IsResourceExhausted(read.status())) << read.status();
  EXPECT_EQ(Message(read.status()),
            fmt::format("{}: moment 0 needs more than {} bytes of memory, decoded (at most 64 per "
                        "decompressed byte, and 33,554,432 for {} compressed bytes); refused",
                        path_, Grouped(64 * raw.size()), Grouped(HeaderOf(frame).payload_bytes)));
  // A million: within 64 bytes per byte, but a moment of a few hundred bytes holds 32 MiB.
  raw = CraftedPayload("", EmptyRecords(1'000'000));
  frame = CraftedFrame(FrameType::kKey, 0, raw);
  read = ReadMoment(CraftedRecord(frame), 0);
  ASSERT_TRUE(absl::IsResourceExhausted(read.status())) << read.status();
  EXPECT_THAT(Message(read.status()), HasSubstr("moment 0 needs more than 33,554,432 bytes"));
  // Random one-byte paths: hardly compressible, still refused by what they decode to.
  std::mt19937 random(17);
  const std::string paths = CraftedPayload("", AddedListSection(300'000, [&](uint64_t) {
                                             return testing::OneBytePathCgroup(char(random()));
                                           }));
  frame = CraftedFrame(FrameType::kKey, 0, paths);
  ASSERT_GT(HeaderOf(frame).payload_bytes, paths.size() / 8);
  read = ReadMoment(CraftedRecord(frame), 0);
  ASSERT_TRUE(absl::IsResourceExhausted(read.status())) << read.status();
  EXPECT_THAT(Message(read.status()), HasSubstr(fmt::format("moment 0 needs more than {} bytes",
                                                            Grouped(64 * paths.size()))));
}

TEST_F(RecordBoundsTest, Read_FailsCleanly_OnHugeLengthsCountsAndFieldMasks) {
  std::vector<std::string> processes;
  std::string p;
  // A cmdline (field 6) claiming 2^40 arguments in a few bytes.
  store::PutVarint(&p, uint64_t{1} << 6);
  store::PutString(&p, [] {
    std::string v;
    store::PutVarint(&v, uint64_t{1} << 40);
    return v;
  }());
  processes.push_back(p);
  // A comm (field 5) of 2^50 bytes.
  p.clear();
  store::PutVarint(&p, uint64_t{1} << 5);
  store::PutString(&p, [] {
    std::string v;
    store::PutVarint(&v, uint64_t{1} << 50);
    return v + "x";
  }());
  processes.push_back(p);
  // Every one of 64 fields, the first with a length of 2^60.
  p.clear();
  store::PutVarint(&p, ~uint64_t{0});
  store::PutVarint(&p, uint64_t{1} << 60);
  processes.push_back(p);
  // A cgroup's memory_stat (field 4, the one nested field set) naming fields beyond its table.
  std::string cgroup;
  store::PutVarint(&cgroup, uint64_t{1} << 4);
  store::PutString(&cgroup, [] {
    std::string v;
    store::PutVarint(&v, ~uint64_t{0} << 8);
    store::PutVarint(&v, uint64_t{1} << 62);
    return v;
  }());
  for (const std::string& process : processes) {
    SCOPED_TRACE(::testing::PrintToString(process));
    const std::string raw = CraftedPayload(AddedListSection(1, [&](uint64_t) { return process; }));
    absl::StatusOr<Snapshot> read =
        ReadMoment(CraftedRecord(CraftedFrame(FrameType::kKey, 1, raw)), 0);
    EXPECT_TRUE(absl::IsDataLoss(read.status())) << read.status();
    EXPECT_THAT(Message(read.status()), HasSubstr("malformed payload at byte"));
  }
  const std::string raw = CraftedPayload("", AddedListSection(1, [&](uint64_t) { return cgroup; }));
  absl::StatusOr<Snapshot> read =
      ReadMoment(CraftedRecord(CraftedFrame(FrameType::kKey, 0, raw)), 0);
  EXPECT_TRUE(absl::IsDataLoss(read.status())) << read.status();
  EXPECT_THAT(Message(read.status()), HasSubstr("bad cgroup list"));
}

// A snapshot of `n` processes as a leak makes them: one command line, one cgroup, one start.
Snapshot IdenticalProcesses(int n, absl::Time at) {
  Snapshot base = testing::FullSnapshot(at);
  std::vector<Process> processes;
  Process model = base.processes()[0];
  for (int i = 0; i < n; ++i) {
    Process p = model;
    p.pid = 1000 + i;
    p.ppid = 999;
    p.argv = {"node", "/usr/local/lib/node_modules/npm/bin/npm-cli.js", "exec",
              "@modelcontextprotocol/server-filesystem", "/data"};
    p.rss_bytes = 48 << 20;
    processes.push_back(std::move(p));
  }
  std::vector<Cgroup> cgroups;
  for (const auto& [path, cgroup] : base.cgroups()) cgroups.push_back(cgroup);
  return Snapshot::Build(base.host(), processes, cgroups, base.stats(),
                         {base.containers().begin(), base.containers().end()});
}

TEST_F(RecordBoundsTest, Record_KeepsThousandsOfIdenticalProcessesFarWithinTheLimits) {
  // A key frame of them, a delta in which all of them end, one in which they all start at once,
  // and one where nothing moves: the most a real snapshot compresses. (Measured: 2 compressed
  // bytes and 930 in memory a process; 456 bytes of memory per compressed byte; the delta where
  // they end decompresses 1,656 times its size.)
  Snapshot none = testing::SparseSnapshot(testing::RecordEpoch());
  Snapshot many = IdenticalProcesses(20'000, testing::RecordEpoch() + absl::Seconds(10));
  Snapshot same = IdenticalProcesses(20'000, testing::RecordEpoch() + absl::Seconds(20));
  absl::Status appended = testing::AppendAll(path_, {many, none, many, same});
  ASSERT_TRUE(appended.ok()) << appended;
  const std::string bytes = testing::ReadBytes(path_);
  absl::StatusOr<store::RecordIndex> index = store::IndexRecordBytes(path_, bytes);
  ASSERT_TRUE(index.ok()) << index.status();
  ASSERT_EQ(index->moments.size(), 4u);
  store::SnapshotFields state;
  for (int i = 0; i < 4; ++i) {
    const RecordMoment& m = index->moments[i];
    const store::FrameHeader& h = index->headers[i];
    ASSERT_TRUE(
        store::ApplyFrame(
            h, std::string_view(bytes).substr(m.offset + store::kFrameHeaderSize, h.payload_bytes),
            &state)
            .ok());
    const uint64_t memory = store::DecodedBytes(state);
    std::printf("moment %d: %u processes, %u bytes, %u decompressed, %llu decoded from %llu\n", i,
                h.processes, h.payload_bytes, h.raw_bytes, static_cast<unsigned long long>(memory),
                static_cast<unsigned long long>(state.frame_bytes));
    // Far within: a quarter of each limit, so that no real snapshot comes near them.
    const uint64_t compressed = state.frame_bytes;
    EXPECT_LE(4 * memory, std::max<uint64_t>(store::kMomentFloorBytes,
                                             compressed * store::kBytesPerCompressedByte))
        << i;
    EXPECT_LE(
        4 * h.processes * store::kProcessMemoryBytes,
        std::max<uint64_t>(store::kMomentFloorBytes, compressed * store::kBytesPerCompressedByte))
        << i;
    EXPECT_LE(4 * uint64_t{h.raw_bytes},
              std::max<uint64_t>(store::kMomentFloorBytes,
                                 uint64_t{h.payload_bytes} * store::kBytesPerCompressedByte))
        << i;
    EXPECT_EQ(state.processes.size(), i == 1 ? none.processes().size() : 20'000u);
  }
}

// `snapshot` as a frame of `type` after *prev (which becomes it).
std::string FrameOf(const Snapshot& snapshot, FrameType type, store::SnapshotFields* prev) {
  if (type == FrameType::kKey) *prev = store::SnapshotFields{};
  std::string raw;
  store::EncodePayload(snapshot, prev, &raw);
  return CraftedFrame(type, static_cast<uint32_t>(snapshot.processes().size()), raw);
}

TEST(ApplyFrame, Refuses_ADeltaThatGrowsTheMomentPastItsLimit_HoldingNoMore) {
  // Each moment adds 40 processes with a 1 KiB command line: about 55 KB more decoded each time.
  constexpr uint64_t kLimit = 300'000;
  Snapshot base = testing::SparseSnapshot(testing::RecordEpoch());
  std::vector<Process> processes;
  store::SnapshotFields written, read;
  int refused_at = -1;
  for (int moment = 0; moment < 12 && refused_at < 0; ++moment) {
    for (int i = 0; i < 40; ++i) {
      Process p;
      p.pid = 100 + moment * 40 + i;
      p.starttime_ticks = 7;
      p.argv = {std::string(1024, 'a' + moment % 26)};
      processes.push_back(p);
    }
    Snapshot s = Snapshot::Build(base.host(), processes, {}, base.stats());
    const std::string frame =
        FrameOf(s, moment == 0 ? FrameType::kKey : FrameType::kDelta, &written);
    absl::Status status = store::ApplyFrame(HeaderOf(frame), frame.substr(store::kFrameHeaderSize),
                                            &read, store::kFormatVersion, kLimit);
    if (absl::IsResourceExhausted(status)) {
      refused_at = moment;
      EXPECT_THAT(Message(status), HasSubstr("needs more than 300,000 bytes of memory"));
      break;
    }
    ASSERT_TRUE(status.ok()) << status;
    EXPECT_LE(store::DecodedBytes(read), kLimit);
    EXPECT_GE(read.held_bytes, store::DecodedBytes(read));
  }
  EXPECT_GT(refused_at, 1);  // the moments within the limit read
}

TEST(DecodedBytes, Counts_RecordsTheirStringsAndTheirListItems) {
  store::SnapshotFields fields;
  Process p;
  p.comm = "abc";
  p.argv = {"x", "yy"};
  p.cgroup_lines = {{1, "memory", "/a/b"}};
  fields.processes.push_back(p);
  Cgroup c;
  c.path = "/a/b";
  c.pids = {1, 2, 3};
  fields.cgroups.push_back(c);
  EXPECT_EQ(store::DecodedBytes(fields), sizeof(Process) + 3 + 2 * sizeof(std::string) + 3 +
                                             sizeof(CgroupMembership) + 6 + 4 + sizeof(Cgroup) + 4 +
                                             3 * sizeof(int));
}

}  // namespace
}  // namespace procleak
