// SPDX-License-Identifier: Apache-2.0
// RecordWriter and RecordReader: round trips, key frames, cut-off and damaged files, appending.
#include "procleak/record.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>

#include "record_fixtures.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::AppendAll;
using testing::ExpectSameSnapshot;
using ::testing::HasSubstr;
using testing::ReadBytes;
using ::testing::StartsWith;
using testing::WriteBytes;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

class RecordTest : public ::testing::Test {
 protected:
  RecordTest() : tree_(testing::FastTempParent()), path_(tree_.Path("rec.plr")) {}

  // Checks that every listed moment reads back as snapshots[i].
  void ExpectReadsBack(RecordReader& reader, const std::vector<Snapshot>& snapshots) {
    ASSERT_LE(reader.moments().size(), snapshots.size());
    for (size_t i = 0; i < reader.moments().size(); ++i) {
      absl::StatusOr<Snapshot> got = reader.Read(static_cast<int>(i));
      ASSERT_TRUE(got.ok()) << got.status();
      ExpectSameSnapshot(snapshots[i], *got);
    }
  }

  // A small record of three frames (a key and two deltas); returns the frames' end offsets.
  std::vector<uint64_t> WriteThree() {
    snapshots_ = testing::ChangingSnapshots(3);
    EXPECT_TRUE(AppendAll(path_, snapshots_).ok());
    absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
    EXPECT_TRUE(reader.ok());
    std::vector<uint64_t> ends;
    for (const RecordMoment& m : reader->moments()) ends.push_back(m.offset + m.bytes);
    return ends;
  }

  testing::TempTree tree_;
  std::string path_;
  std::vector<Snapshot> snapshots_;
};

TEST_F(RecordTest, Record_Reads_BackEveryMomentEqualToAppended) {
  std::vector<Snapshot> snapshots = testing::ChangingSnapshots(130);
  ASSERT_TRUE(AppendAll(path_, snapshots).ok());
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->damage(), "");
  ASSERT_EQ(reader->moments().size(), 130u);
  uint64_t offset = 20;  // the file header
  for (const RecordMoment& m : reader->moments()) {
    EXPECT_EQ(m.key, m.index % RecordWriter::kKeyInterval == 0) << m.index;
    EXPECT_EQ(m.scanned_at, snapshots[m.index].host().scanned_at);
    EXPECT_EQ(m.processes, static_cast<int>(snapshots[m.index].processes().size()));
    EXPECT_EQ(m.offset, offset);
    offset += m.bytes;
  }
  EXPECT_EQ(offset, ReadBytes(path_).size());
  ExpectReadsBack(*reader, snapshots);
}

TEST_F(RecordTest, Record_RoundTrips_EveryOptionalStateAndHostileStrings) {
  absl::Time t = testing::RecordEpoch();
  std::vector<Snapshot> snapshots = {testing::FullSnapshot(t),
                                     testing::SparseSnapshot(t + absl::Seconds(1)),
                                     testing::HostileSnapshot(t),
                                     testing::FullSnapshot(t + absl::Seconds(2)),
                                     testing::HostileSnapshot(t),
                                     testing::SparseSnapshot(t),
                                     testing::HostileSnapshot(t + absl::Nanoseconds(1))};
  ASSERT_TRUE(AppendAll(path_, snapshots).ok());
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->moments().size(), snapshots.size());
  ExpectReadsBack(*reader, snapshots);
}

TEST_F(RecordTest, Record_Reads_MomentsInAnyOrder) {
  std::vector<Snapshot> snapshots = testing::ChangingSnapshots(75);
  ASSERT_TRUE(AppendAll(path_, snapshots).ok());
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  std::vector<int> order(75);
  for (int i = 0; i < 75; ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(7));
  order.insert(order.end(), {74, 74, 59, 60, 61, 0});
  for (int i : order) {
    absl::StatusOr<Snapshot> got = reader->Read(i);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectSameSnapshot(snapshots[i], *got);
  }
  EXPECT_THAT(Message(reader->Read(75).status()), HasSubstr(path_ + ": no moment 75"));
  EXPECT_FALSE(reader->Read(-1).ok());
}

TEST_F(RecordTest, Record_Lists_CompleteFramesOfAFileCutAtEveryByte) {
  std::vector<uint64_t> ends = WriteThree();
  ASSERT_EQ(ends.size(), 3u);
  const std::string whole = ReadBytes(path_);
  ASSERT_EQ(ends.back(), whole.size());
  const std::string cut = tree_.Path("cut.plr");
  for (size_t size = 0; size <= whole.size(); ++size) {
    SCOPED_TRACE(size);
    WriteBytes(cut, std::string_view(whole).substr(0, size));
    absl::StatusOr<RecordReader> reader = RecordReader::Open(cut);
    ASSERT_TRUE(reader.ok()) << reader.status();
    size_t complete =
        std::count_if(ends.begin(), ends.end(), [&](uint64_t e) { return e <= size; });
    ASSERT_EQ(reader->moments().size(), complete);
    if (size == 20 || std::count(ends.begin(), ends.end(), size) > 0) {
      EXPECT_EQ(reader->damage(), "");  // cut between frames: nothing to tell apart from intact
    } else if (size < 20) {
      EXPECT_EQ(reader->damage(), cut + ": incomplete file header (" + std::to_string(size) +
                                      " of 20 bytes); no moments");
    } else {
      uint64_t at = complete == 0 ? 20 : ends[complete - 1];
      EXPECT_THAT(reader->damage(),
                  StartsWith(cut + ": incomplete frame at byte " + std::to_string(at) + " ("));
      EXPECT_THAT(reader->damage(),
                  HasSubstr(complete == 0 ? "no complete moment"
                                          : "read up to moment " + std::to_string(complete - 1)));
    }
    ExpectReadsBack(*reader, snapshots_);
  }
}

TEST_F(RecordTest, RecordWriter_Repairs_AFileCutAtEveryByteAndAppendsAfterIt) {
  std::vector<uint64_t> ends = WriteThree();
  const std::string whole = ReadBytes(path_);
  const std::string cut = tree_.Path("cut.plr");
  Snapshot extra = testing::FullSnapshot(testing::RecordEpoch() + absl::Hours(1));
  for (size_t size = 0; size < whole.size(); ++size) {
    SCOPED_TRACE(size);
    WriteBytes(cut, std::string_view(whole).substr(0, size));
    std::string notice;
    ASSERT_TRUE(AppendAll(cut, {extra}, &notice).ok());
    bool at_boundary = size == 0 || size == 20 || std::count(ends.begin(), ends.end(), size) > 0;
    if (at_boundary) {
      EXPECT_EQ(notice, "");
    } else {
      EXPECT_THAT(notice, StartsWith(cut + ": incomplete "));
      EXPECT_THAT(notice, HasSubstr("cut off"));
    }
    absl::StatusOr<RecordReader> reader = RecordReader::Open(cut);
    ASSERT_TRUE(reader.ok()) << reader.status();
    EXPECT_EQ(reader->damage(), "");
    size_t complete =
        std::count_if(ends.begin(), ends.end(), [&](uint64_t e) { return e <= size; });
    ASSERT_EQ(reader->moments().size(), complete + 1);
    EXPECT_TRUE(reader->moments().back().key);
    std::vector<Snapshot> want(snapshots_.begin(),
                               snapshots_.begin() + static_cast<std::ptrdiff_t>(complete));
    want.push_back(extra);
    ExpectReadsBack(*reader, want);
  }
}

TEST_F(RecordTest, Record_StopsListingAtAFrameWithADamagedHeader) {
  std::vector<uint64_t> ends = WriteThree();
  std::string bytes = ReadBytes(path_);
  bytes[ends[0] + 9] ^= 0x10;  // inside frame 1's timestamp
  WriteBytes(path_, bytes);
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->moments().size(), 1u);
  EXPECT_EQ(reader->damage(), path_ + ": damaged frame at byte " + std::to_string(ends[0]) +
                                  " (frame header checksum mismatch); read up to moment 0");
  ExpectReadsBack(*reader, snapshots_);

  // The writer will not append after damage it cannot repair, and leaves the file alone.
  std::string notice;
  absl::Status status = AppendAll(path_, snapshots_, &notice);
  EXPECT_THAT(Message(status), StartsWith(path_ + ": damaged frame at byte "));
  EXPECT_EQ(ReadBytes(path_), bytes);
}

TEST_F(RecordTest, Record_FailsReadOfADamagedPayloadNamingFileAndOffset) {
  std::vector<uint64_t> ends = WriteThree();
  std::string bytes = ReadBytes(path_);
  bytes[(ends[0] + ends[1]) / 2 + 16] ^= 0x01;  // inside frame 1's payload
  WriteBytes(path_, bytes);
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->moments().size(), 3u);  // the headers are intact
  EXPECT_TRUE(reader->Read(0).ok());
  const std::string where =
      path_ + ": damaged frame at byte " + std::to_string(ends[0]) + " (moment 1): ";
  EXPECT_THAT(Message(reader->Read(1).status()), StartsWith(where));
  EXPECT_THAT(Message(reader->Read(2).status()), StartsWith(where));  // a delta on top of it
  EXPECT_EQ(Message(reader->Read(1).status()).find('\n'), std::string::npos);
  EXPECT_TRUE(reader->Read(0).ok());
}

TEST_F(RecordTest, RecordWriter_CutsOff_ALastFrameWhosePayloadIsDamaged) {
  std::vector<uint64_t> ends = WriteThree();
  std::string bytes = ReadBytes(path_);
  std::fill(bytes.begin() + static_cast<long>(ends[1]) + 40, bytes.end(), '\0');
  WriteBytes(path_, bytes);
  std::string notice;
  Snapshot extra = testing::SparseSnapshot(testing::RecordEpoch());
  ASSERT_TRUE(AppendAll(path_, {extra}, &notice).ok());
  EXPECT_THAT(notice,
              StartsWith(path_ + ": damaged last frame at byte " + std::to_string(ends[1])));
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  ASSERT_EQ(reader->moments().size(), 3u);
  ExpectReadsBack(*reader, {snapshots_[0], snapshots_[1], extra});
}

TEST_F(RecordTest, RecordWriter_Appends_ToAnExistingRecordStartingWithAKeyFrame) {
  std::vector<Snapshot> snapshots = testing::ChangingSnapshots(6);
  ASSERT_TRUE(AppendAll(path_, {snapshots[0], snapshots[1], snapshots[2]}).ok());
  std::string notice = "stale";
  ASSERT_TRUE(AppendAll(path_, {snapshots[3], snapshots[4]}, &notice).ok());
  EXPECT_EQ(notice, "");
  // A torn tail: the last 5 bytes of frame 4 never made it.
  std::string bytes = ReadBytes(path_);
  WriteBytes(path_, bytes.substr(0, bytes.size() - 5));
  ASSERT_TRUE(AppendAll(path_, {snapshots[5]}, &notice).ok());
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  EXPECT_THAT(notice, StartsWith(path_ + ": incomplete frame at byte " +
                                 std::to_string(reader->moments()[4].offset)));
  EXPECT_THAT(notice, HasSubstr("read up to moment 3"));
  ASSERT_EQ(reader->moments().size(), 5u);
  std::vector<bool> keys;
  for (const RecordMoment& m : reader->moments()) keys.push_back(m.key);
  EXPECT_EQ(keys, (std::vector<bool>{true, false, false, true, true}));
  ExpectReadsBack(*reader, {snapshots[0], snapshots[1], snapshots[2], snapshots[3], snapshots[5]});
}

// tests/data/records/v1-four-moments.plr: written by procleak record before version 2, from a
// copy of the v1-docker tree changed between its four moments.
const std::string kVersionOneRecord =
    std::string(PROCLEAK_TEST_DATA) + "/records/v1-four-moments.plr";

TEST_F(RecordTest, RecordReader_Reads_AVersionOneRecord_WithoutTheNewFields) {
  absl::StatusOr<RecordReader> reader = RecordReader::Open(kVersionOneRecord);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->damage(), "");
  std::vector<int> processes;
  for (const RecordMoment& m : reader->moments()) processes.push_back(m.processes);
  EXPECT_EQ(processes, (std::vector<int>{13, 14, 13, 13}));
  for (int i = 3; i >= 0; --i) {  // from the last, so each is decoded from its key frame
    absl::StatusOr<Snapshot> s = reader->Read(i);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->host().hostname, "ip-10-0-3-17.ec2.internal");
    for (const Process& p : s->processes()) {
      EXPECT_EQ(p.pgid, 0) << p.pid;
      EXPECT_EQ(p.sid, 0) << p.pid;
      EXPECT_EQ(p.tty_nr, 0) << p.pid;
      EXPECT_EQ(p.ns_pid, std::nullopt) << p.pid;
    }
    ASSERT_NE(s->FindProcess(1251), nullptr);
    EXPECT_EQ(s->FindProcess(1251)->comm, "node) x");
    EXPECT_EQ(s->FindProcess(1251)->threads, i >= 2 ? 12 : 11);  // changed at moment 2
  }
}

TEST_F(RecordTest, RecordWriter_Appends_ToAVersionOneRecordInVersionOne) {
  const std::string old = ReadBytes(kVersionOneRecord);
  WriteBytes(path_, old);
  std::vector<Snapshot> snapshots = testing::ChangingSnapshots(3);
  std::string notice;
  ASSERT_TRUE(AppendAll(path_, snapshots, &notice).ok());
  EXPECT_EQ(notice, "");
  const std::string bytes = ReadBytes(path_);
  EXPECT_EQ(bytes.substr(0, old.size()), old);  // the file header still says version 1
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->moments().size(), 7u);
  EXPECT_TRUE(reader->moments()[4].key);
  for (size_t i = 0; i < snapshots.size(); ++i) {
    absl::StatusOr<Snapshot> got = reader->Read(static_cast<int>(4 + i));
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectSameSnapshot(testing::AsVersionOne(snapshots[i]), *got);
  }
  EXPECT_TRUE(reader->Read(3).ok());
}

TEST_F(RecordTest, RecordWriter_Reports_BytesWrittenAsTheFileSize) {
  int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  std::string notice;
  absl::StatusOr<RecordWriter> writer = RecordWriter::Open(fd, path_, &notice);
  ASSERT_TRUE(writer.ok());
  EXPECT_EQ(writer->bytes_written(), 20u);
  ASSERT_TRUE(writer->Append(testing::FullSnapshot(testing::RecordEpoch())).ok());
  ASSERT_TRUE(writer->Append(testing::FullSnapshot(testing::RecordEpoch())).ok());
  EXPECT_EQ(writer->bytes_written(), ReadBytes(path_).size());
  close(fd);
}

TEST_F(RecordTest, RecordReader_IndexAt_FindsTheLastMomentAtOrBefore) {
  std::vector<Snapshot> snapshots = testing::ChangingSnapshots(3);
  ASSERT_TRUE(AppendAll(path_, snapshots).ok());
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  absl::Time t0 = snapshots[0].host().scanned_at;
  absl::Time t2 = snapshots[2].host().scanned_at;
  EXPECT_EQ(*reader->IndexAt(t0), 0);
  EXPECT_EQ(*reader->IndexAt(t0 + absl::Seconds(5)), 0);
  EXPECT_EQ(*reader->IndexAt(snapshots[1].host().scanned_at), 1);
  EXPECT_EQ(*reader->IndexAt(t2 - absl::Nanoseconds(1)), 1);
  EXPECT_EQ(*reader->IndexAt(t2), 2);
  EXPECT_EQ(*reader->IndexAt(t2 + absl::Hours(100)), 2);
  absl::StatusOr<int> before = reader->IndexAt(t0 - absl::Nanoseconds(1));
  EXPECT_EQ(before.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(Message(before.status()), StartsWith(path_ + ": no moment at or before "));
}

TEST_F(RecordTest, RecordReader_Rejects_AFileThatIsNotARecordNamingIt) {
  const std::string text = "PID USER COMMAND\n1 root /sbin/init\n";
  WriteBytes(path_, text);
  EXPECT_EQ(Message(RecordReader::Open(path_).status()), path_ + ": not a procleak record");
  std::string notice;
  EXPECT_EQ(Message(AppendAll(path_, snapshots_, &notice)), path_ + ": not a procleak record");
  EXPECT_EQ(ReadBytes(path_), text);
  WriteBytes(path_, "PROCLEAK-RECORX");
  EXPECT_EQ(Message(RecordReader::Open(path_).status()), path_ + ": not a procleak record");
  const std::string missing = tree_.Path("missing.plr");
  EXPECT_THAT(Message(RecordReader::Open(missing).status()),
              StartsWith(missing + ": No such file"));
  EXPECT_EQ(Message(RecordReader::Open(tree_.root()).status()),
            tree_.root() + ": not a regular file (a directory)");
}

TEST_F(RecordTest, RecordReader_Rejects_FormatVersionZeroNamingTheFile) {
  WriteBytes(path_, std::string("PROCLEAK-RECORD\n\0\0\0\0", 20));
  EXPECT_EQ(Message(RecordReader::Open(path_).status()),
            path_ + ": record format version 0 is not supported (this procleak reads 1 and later)");
  std::string notice;
  EXPECT_FALSE(AppendAll(path_, {}, &notice).ok());
}

TEST_F(RecordTest, RecordWriter_Starts_AnEmptyFileWithTheFileHeader) {
  WriteBytes(path_, "");
  absl::StatusOr<RecordReader> empty = RecordReader::Open(path_);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->moments().empty());
  EXPECT_EQ(empty->damage(), path_ + ": incomplete file header (0 of 20 bytes); no moments");
  std::string notice = "stale";
  ASSERT_TRUE(AppendAll(path_, {}, &notice).ok());
  EXPECT_EQ(notice, "");
  EXPECT_EQ(ReadBytes(path_), std::string("PROCLEAK-RECORD\n\x03\0\0\0", 20));
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path_);
  ASSERT_TRUE(reader.ok());
  EXPECT_TRUE(reader->moments().empty());
  EXPECT_EQ(reader->damage(), "");
  EXPECT_EQ(Message(reader->IndexAt(absl::Now()).status()), path_ + ": the record holds no moment");
}

}  // namespace
}  // namespace procleak
