// SPDX-License-Identifier: Apache-2.0
// The pure parts of the record format: varints, frame headers, zstd payloads, snapshot payloads.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>

#include "record_fixtures.h"
#include "store/frame.h"
#include "store/record_index.h"
#include "store/snapshot_codec.h"
#include "store/varint.h"

namespace procleak::store {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// Encodes `snapshots` one after the other, as the writer does (first a key frame).
std::vector<std::string> Payloads(const std::vector<Snapshot>& snapshots,
                                  uint32_t version = kFormatVersion) {
  SnapshotFields previous;
  std::vector<std::string> out;
  for (const Snapshot& s : snapshots) {
    out.emplace_back();
    EncodePayload(s, &previous, &out.back(), version);
  }
  return out;
}

TEST(Varint, RoundTrips_ExtremesAndRejectsOverlongOrCutOffInput) {
  const uint64_t values[] = {
      0, 1, 127, 128, 300, uint64_t{1} << 35, std::numeric_limits<uint64_t>::max()};
  std::string bytes;
  for (uint64_t v : values) PutVarint(&bytes, v);
  PutSigned(&bytes, std::numeric_limits<int64_t>::min());
  PutSigned(&bytes, -1);
  ByteReader in(bytes);
  for (uint64_t v : values) {
    uint64_t got;
    ASSERT_TRUE(in.Varint(&got));
    EXPECT_EQ(got, v);
  }
  int64_t s;
  ASSERT_TRUE(in.Signed(&s));
  EXPECT_EQ(s, std::numeric_limits<int64_t>::min());
  ASSERT_TRUE(in.Signed(&s));
  EXPECT_EQ(s, -1);
  EXPECT_TRUE(in.done());

  uint64_t v;
  const std::string overlong = std::string(10, '\xff') + '\x01';  // 11 bytes
  ByteReader eleven(overlong);
  EXPECT_FALSE(eleven.Varint(&v));
  ByteReader cut("\x80\x80");
  EXPECT_FALSE(cut.Varint(&v));
  ByteReader count("\x05\x01");  // five items cannot fit in one byte
  EXPECT_FALSE(count.Count(&v));
  std::string text;
  ByteReader string("\x09short");
  EXPECT_FALSE(string.String(&text));
}

TEST(FrameHeader, RoundTripsAndRejectsEveryFlippedBit) {
  FrameHeader h;
  h.type = FrameType::kDelta;
  h.scanned_at_ns = -5;
  h.processes = 1000;
  h.payload_bytes = 1234;
  h.raw_bytes = 5678;
  std::string bytes = EncodeFrameHeader(h);
  ASSERT_EQ(bytes.size(), kFrameHeaderSize);
  absl::StatusOr<FrameHeader> got = ParseFrameHeader(bytes);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->type, FrameType::kDelta);
  EXPECT_EQ(got->scanned_at_ns, -5);
  EXPECT_EQ(got->processes, 1000u);
  EXPECT_EQ(got->payload_bytes, 1234u);
  EXPECT_EQ(got->raw_bytes, 5678u);
  for (size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::string flipped = bytes;
    flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_FALSE(ParseFrameHeader(flipped).ok()) << "bit " << bit;
  }
  h.payload_bytes = kMaxPayloadBytes + 1;
  EXPECT_THAT(Message(ParseFrameHeader(EncodeFrameHeader(h)).status()),
              HasSubstr("above the 64 MiB limit"));
}

TEST(FileHeader, AcceptsItsPrefixesAsCutOffAndRejectsOtherBytes) {
  std::string header = EncodeFileHeader();
  ASSERT_EQ(header.size(), kFileHeaderSize);
  EXPECT_EQ(*CheckFileHeader(header), 3u);
  for (size_t n = 0; n < header.size(); ++n)
    EXPECT_EQ(*CheckFileHeader(header.substr(0, n)), std::nullopt);
  EXPECT_EQ(Message(CheckFileHeader("PROCLEAK-RECORD\r").status()), "not a procleak record");
  std::string v0 = header;
  v0[16] = 0;
  EXPECT_EQ(Message(CheckFileHeader(v0).status()),
            "record format version 0 is not supported (this procleak reads 1 and later)");
}

TEST(FileHeader, ReadsEveryVersionFromOneOn) {
  for (uint32_t version : {1u, 2u, 3u, 7u, 0xffffffffu}) {
    EXPECT_EQ(*CheckFileHeader(EncodeFileHeader(version)), version);
    absl::StatusOr<RecordIndex> index = IndexRecordBytes("old", EncodeFileHeader(version));
    ASSERT_TRUE(index.ok()) << index.status();
    EXPECT_TRUE(index->file_header_complete);
    EXPECT_EQ(index->version, version);
  }
}

TEST(Compression, RoundTripsAndCatchesDamageSizeLiesAndTrailingBytes) {
  std::string raw;
  for (int i = 0; i < 20000; ++i) raw += "node /srv/app/server.js --port " + std::to_string(i);
  Compressor compressor(3);
  std::string packed;
  ASSERT_TRUE(compressor.Compress(raw, &packed).ok());
  EXPECT_LT(packed.size(), raw.size() / 5);
  absl::StatusOr<std::string> back = Decompress(packed, static_cast<uint32_t>(raw.size()));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, raw);

  EXPECT_FALSE(Decompress(packed, static_cast<uint32_t>(raw.size() - 1)).ok());
  EXPECT_FALSE(Decompress(packed + "x", static_cast<uint32_t>(raw.size())).ok());
  EXPECT_FALSE(
      Decompress(packed.substr(0, packed.size() - 1), static_cast<uint32_t>(raw.size())).ok());
  std::string damaged = packed;
  damaged[damaged.size() - 2] ^= 0x40;  // the content checksum
  EXPECT_FALSE(Decompress(damaged, static_cast<uint32_t>(raw.size())).ok());
  EXPECT_FALSE(Decompress("", 0).ok());
}

TEST(Payload, RoundTrips_KeyAndDeltaPayloadsOfEverySnapshotKind) {
  absl::Time t = testing::RecordEpoch();
  std::vector<Snapshot> snapshots = {testing::FullSnapshot(t), testing::SparseSnapshot(t),
                                     testing::HostileSnapshot(t), testing::FullSnapshot(t)};
  for (const Snapshot& s : testing::ChangingSnapshots(12)) snapshots.push_back(s);
  std::vector<std::string> payloads = Payloads(snapshots);
  SnapshotFields state;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(ApplyPayload(payloads[i], &state).ok());
    testing::ExpectSameSnapshot(snapshots[i], BuildSnapshot(state));
  }
}

TEST(Payload, VersionOne_RoundTripsWithoutTheVersionTwoFields) {
  absl::Time t = testing::RecordEpoch();
  std::vector<Snapshot> snapshots = {testing::FullSnapshot(t), testing::HostileSnapshot(t)};
  for (const Snapshot& s : testing::ChangingSnapshots(12)) snapshots.push_back(s);
  SnapshotFields previous, state;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    SCOPED_TRACE(i);
    std::string v1, v2;
    SnapshotFields before = previous;
    EncodePayload(snapshots[i], &before, &v2, 2);
    EncodePayload(snapshots[i], &previous, &v1, 1);
    EXPECT_LE(v1.size(), v2.size());
    ASSERT_TRUE(ApplyPayload(v1, &state, 1).ok());
    testing::ExpectSameSnapshot(testing::AsVersionOne(snapshots[i]), BuildSnapshot(state));
  }
}

TEST(Payload, VersionTwo_RoundTripsPositionallyInFewerBytesThanVersionThree) {
  std::vector<Snapshot> snapshots = testing::ChangingSnapshots(12);
  std::vector<std::string> v2 = Payloads(snapshots, 2), v3 = Payloads(snapshots);
  SnapshotFields state;
  for (size_t i = 0; i < snapshots.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_LT(v2[i].size(), v3[i].size());  // no lengths
    ASSERT_TRUE(ApplyPayload(v2[i], &state, 2).ok());
    testing::ExpectSameSnapshot(snapshots[i], BuildSnapshot(state));
  }
  SnapshotFields other;
  EXPECT_FALSE(ApplyPayload(v3[0], &other, 2).ok());  // not version 2's layout
}

TEST(Payload, VersionOne_RejectsAMaskWithVersionTwoBits) {
  // A delta in which only pid 100's process group changed: its mask is bit 16 alone.
  Snapshot first = testing::FullSnapshot(testing::RecordEpoch());
  std::vector<Process> procs(first.processes().begin(), first.processes().end());
  for (Process& p : procs) {
    if (p.pid == 100) p.pgid = 100;
  }
  std::vector<Cgroup> cgroups;
  for (const auto& [path, c] : first.cgroups()) cgroups.push_back(c);
  Snapshot second = Snapshot::Build(first.host(), procs, cgroups, first.stats(),
                                    {first.containers().begin(), first.containers().end()});
  std::vector<std::string> payloads = Payloads({first, second}, 2);
  SnapshotFields state;
  ASSERT_TRUE(ApplyPayload(payloads[0], &state, 2).ok());
  SnapshotFields v1_state = state;
  ASSERT_TRUE(ApplyPayload(payloads[1], &state, 2).ok());
  EXPECT_EQ(state.processes[2].pgid, 100);
  EXPECT_THAT(Message(ApplyPayload(payloads[1], &v1_state, 1)), HasSubstr("bad process list"));
}

TEST(Payload, Delta_HoldsOnlyWhatChanged) {
  std::vector<Snapshot> snapshots = testing::ChangingSnapshots(2);
  std::vector<std::string> payloads = Payloads({snapshots[0], snapshots[0], snapshots[1]});
  // Same snapshot again: host and stats, and three empty list sections of three counts each.
  EXPECT_LT(payloads[1].size(), 100u);
  EXPECT_LT(payloads[2].size(), payloads[0].size() / 2);
}

TEST(Payload, Fails_CleanlyWhenCutOffAnywhereOrGivenHostileCounts) {
  std::vector<std::string> payloads =
      Payloads({testing::FullSnapshot(testing::RecordEpoch()), testing::ChangingSnapshots(2)[1]});
  for (size_t n = 0; n < payloads[0].size(); ++n) {
    SnapshotFields state;
    absl::Status status = ApplyPayload(std::string_view(payloads[0]).substr(0, n), &state);
    EXPECT_FALSE(status.ok()) << n;
    EXPECT_THAT(Message(status), HasSubstr("malformed payload at byte"));
  }
  SnapshotFields state;
  EXPECT_FALSE(ApplyPayload(payloads[0] + "x", &state).ok());  // trailing bytes
  // A delta whose indices point past the (empty) previous list.
  state = SnapshotFields{};
  EXPECT_FALSE(ApplyPayload(payloads[1], &state).ok());

  std::string hostile;
  PutString(&hostile, "h");
  PutString(&hostile, "k");
  PutSigned(&hostile, 0);
  PutSigned(&hostile, 0);
  hostile.push_back(0);  // cgroup mode
  PutVarint(&hostile, 0);
  PutVarint(&hostile, 0);
  hostile.append(std::string("\0\0\0\0", 4));  // stats
  PutVarint(&hostile, 0);                      // removed
  PutVarint(&hostile, 0);                      // changed
  PutVarint(&hostile, uint64_t{1} << 40);      // added: far more than the bytes left
  hostile.append(64, '\0');
  state = SnapshotFields{};
  EXPECT_THAT(Message(ApplyPayload(hostile, &state, 2)), HasSubstr("bad process list"));
}

TEST(RecordIndex, ListsFramesFromBytesInMemory) {
  absl::StatusOr<RecordIndex> index = IndexRecordBytes("mem", EncodeFileHeader());
  ASSERT_TRUE(index.ok());
  EXPECT_TRUE(index->moments.empty());
  EXPECT_EQ(index->damage, Damage::kNone);
  FrameHeader delta;
  delta.type = FrameType::kDelta;
  index = IndexRecordBytes("mem", EncodeFileHeader() + EncodeFrameHeader(delta));
  ASSERT_TRUE(index.ok());
  EXPECT_EQ(index->damage, Damage::kCorrupt);
  EXPECT_EQ(index->damage_text,
            "mem: damaged frame at byte 20 (the first frame is not a key frame); no complete "
            "moment before it");
}

}  // namespace
}  // namespace procleak::store
