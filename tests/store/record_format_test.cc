// SPDX-License-Identifier: Apache-2.0
// Record format 3 (procleak-record(5)): scanned snapshots of every fixture tree and hostile names
// round-trip; fields and sections a later version adds are skipped; bad lengths are clean errors;
// records of versions 1 and 2 still read.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "later_version.h"
#include "procleak/record.h"
#include "procleak/scan.h"
#include "record_fixtures.h"
#include "store/field_codec.h"
#include "store/frame.h"
#include "store/snapshot_codec.h"
#include "store/varint.h"
#include "testing/fake_proc.h"
#include "testing/fixture_trees.h"
#include "testing/temp_tree.h"

namespace procleak::store {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::Status& status) { return std::string(status.message()); }

// Writes `snapshots` as a record and checks that each moment reads back equal.
void ExpectRecordRoundTrip(const std::vector<Snapshot>& snapshots) {
  ::procleak::testing::TempTree tree(::procleak::testing::FastTempParent());
  const std::string path = tree.Path("rec.plr");
  ASSERT_TRUE(::procleak::testing::AppendAll(path, snapshots).ok());
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->moments().size(), snapshots.size());
  for (size_t i = 0; i < snapshots.size(); ++i) {
    SCOPED_TRACE(i);
    absl::StatusOr<Snapshot> got = reader->Read(static_cast<int>(i));
    ASSERT_TRUE(got.ok()) << got.status();
    ::procleak::testing::ExpectSameSnapshot(snapshots[i], *got);
  }
}

class FixtureTreeRecord : public ::testing::TestWithParam<std::string> {};

// A key frame of the tree as scanned, then a delta to the same tree scanned with PSS.
TEST_P(FixtureTreeRecord, RoundTrips_TheScannedTreeAsKeyAndDeltaFrames) {
  ScanOptions options;
  options.root = ::procleak::testing::DataDir(GetParam());
  options.threads = 1;
  absl::StatusOr<Snapshot> plain = Scan(options);
  ASSERT_TRUE(plain.ok()) << plain.status();
  ASSERT_FALSE(plain->processes().empty());
  options.pss = true;
  absl::StatusOr<Snapshot> with_pss = Scan(options);
  ASSERT_TRUE(with_pss.ok()) << with_pss.status();
  ExpectRecordRoundTrip({*plain, *with_pss});
}

INSTANTIATE_TEST_SUITE_P(EveryTree, FixtureTreeRecord,
                         ::testing::ValuesIn(::procleak::testing::FixtureTrees()),
                         ::procleak::testing::FixtureTestName);

TEST(HostileTree, RoundTrips_NamesThatAreNotTextAndAHugeCommandLine) {
  ::procleak::testing::TempTree tree;
  ::procleak::testing::WriteHost(tree);
  ::procleak::testing::WriteProcess(tree, 1, 0, "init");
  ::procleak::testing::WriteProcess(tree, 40, 1, "a) b (c");
  ::procleak::testing::WriteProcess(tree, 41, 1, "x\xff\n)");
  ::procleak::testing::WriteProcess(tree, 42, 1, "big");
  tree.Write("proc/40/cmdline", std::string("sh\0-c\0echo ')' \n\t\0", 18));
  tree.Write("proc/41/cmdline", std::string("\xff\xfe\x80\0\xc3\x28\0", 7));
  std::string huge;
  for (int i = 0; i < 5000; ++i) huge += "--flag=" + std::to_string(i) + '\0';
  huge += std::string(256 << 10, 'x') + '\0';
  tree.Write("proc/42/cmdline", huge);
  ScanOptions options;
  options.root = tree.root();
  options.threads = 1;
  absl::StatusOr<Snapshot> s = Scan(options);
  ASSERT_TRUE(s.ok()) << s.status();
  const Process* odd = s->FindProcess(41);
  ASSERT_NE(odd, nullptr);
  ASSERT_EQ(odd->comm, "x\xff\n)");  // the scan kept what the test checks the record keeps
  ASSERT_EQ(odd->argv.size(), 2u);
  ASSERT_NE(s->FindProcess(42), nullptr);
  ASSERT_EQ(s->FindProcess(42)->argv.size(), 5001u);
  ExpectRecordRoundTrip(
      {*s, ::procleak::testing::HostileSnapshot(::procleak::testing::RecordEpoch()), *s});
}

TEST(FormatThree, Skips_FieldsAndSectionsBeyondTheTables) {
  const Snapshot full = ::procleak::testing::FullSnapshot(::procleak::testing::RecordEpoch());
  const std::string payload = PayloadWithUnknownFields(full);
  SnapshotFields state;
  absl::Status status = ApplyPayload(payload, &state);
  ASSERT_TRUE(status.ok()) << status;
  ::procleak::testing::ExpectSameSnapshot(full, BuildSnapshot(state));
  // Without the unknown fields the same snapshot is written in fewer bytes.
  SnapshotFields empty;
  std::string plain;
  EncodePayload(full, &empty, &plain);
  EXPECT_LT(plain.size() + 5 * full.processes().size(), payload.size());
}

TEST(FormatThree, Skips_AnUnknownFieldInAChangedRecord) {
  std::vector<Snapshot> two = ::procleak::testing::ChangingSnapshots(2);
  SnapshotFields state;
  SnapshotFields previous;
  std::string key;
  EncodePayload(two[0], &previous, &key);
  ASSERT_TRUE(ApplyPayload(key, &state).ok());
  // Process 1 (index 0) changed only in a field this procleak does not know.
  std::string changed;
  PutVarint(&changed, 0);  // removed
  PutVarint(&changed, 1);  // changed
  PutVarint(&changed, 0);  // index 0
  PutVarint(&changed, uint64_t{1} << 50);
  PutString(&changed, "x");
  PutVarint(&changed, 0);  // added
  std::string host, stats, empty_list = AddedSection({});
  PutFields(two[0].host(), AllIn<Host>(kFormatVersion), kFormatVersion, &host);
  PutFields(two[0].stats(), AllIn<ScanStats>(kFormatVersion), kFormatVersion, &stats);
  absl::Status status =
      ApplyPayload(Sections({host, stats, changed, empty_list, empty_list}), &state);
  ASSERT_TRUE(status.ok()) << status;
  ::procleak::testing::ExpectSameSnapshot(two[0], BuildSnapshot(state));
}

TEST(FormatThree, Fails_CleanlyOnLengthsBeyondTheBytesOrValuesNotFillingThem) {
  const Snapshot full = ::procleak::testing::FullSnapshot(::procleak::testing::RecordEpoch());
  std::string host;
  PutFields(full.host(), AllIn<Host>(kFormatVersion), kFormatVersion, &host);
  std::string stats;
  PutFields(full.stats(), AllIn<ScanStats>(kFormatVersion), kFormatVersion, &stats);
  const std::string empty_list = AddedSection({});
  auto apply = [&](const std::string& host_section) {
    SnapshotFields state;
    return ApplyPayload(Sections({host_section, stats, empty_list, empty_list, empty_list}),
                        &state);
  };
  ASSERT_TRUE(apply(host).ok());
  // The hostname field (the first, after a one-byte mask) claims 2^60 bytes.
  std::string oversized = host.substr(0, 1);
  PutVarint(&oversized, uint64_t{1} << 60);
  oversized += host.substr(2);
  EXPECT_THAT(Message(apply(oversized)), HasSubstr("malformed payload at byte"));
  // A field one byte longer than its value: the hostname with a byte after it.
  std::string padded = host.substr(0, 1);
  PutString(&padded, host.substr(2, static_cast<uint8_t>(host[1])) + "!");
  padded += host.substr(2 + static_cast<uint8_t>(host[1]));
  EXPECT_THAT(Message(apply(padded)), HasSubstr("bad host fields"));
  // An unknown field whose length runs past the section.
  std::string unknown_cut;
  PutVarint(&unknown_cut, AllIn<Host>(kFormatVersion) | uint64_t{1} << 20);
  unknown_cut += host.substr(1);
  PutVarint(&unknown_cut, 1000);  // the unknown field's length, with 3 bytes after it
  unknown_cut += "abc";
  EXPECT_THAT(Message(apply(unknown_cut)), HasSubstr("bad host fields"));
  // A count of added records far above the bytes left.
  std::string hostile_list;
  PutVarint(&hostile_list, 0);
  PutVarint(&hostile_list, 0);
  PutVarint(&hostile_list, uint64_t{1} << 40);
  hostile_list.append(64, '\0');
  SnapshotFields hostile_state;
  EXPECT_THAT(Message(ApplyPayload(Sections({host, stats, hostile_list, empty_list, empty_list}),
                                   &hostile_state)),
              HasSubstr("bad process list"));
  // A section length beyond the payload, and a payload cut anywhere.
  std::string payload = Sections({host, stats, empty_list, empty_list, empty_list});
  SnapshotFields state;
  std::string too_long;
  PutVarint(&too_long, payload.size() + 1);
  EXPECT_THAT(Message(ApplyPayload(too_long + payload, &state)), HasSubstr("malformed payload"));
  for (size_t n = 0; n < payload.size(); ++n) {
    state = SnapshotFields{};
    EXPECT_FALSE(ApplyPayload(std::string_view(payload).substr(0, n), &state).ok()) << n;
  }
}

// A record file of a later version whose frames are framed as version 3's is read, and not
// appended to.
TEST(FormatThree, ReadsARecordOfALaterVersion_ButDoesNotAppendToIt) {
  const Snapshot full = ::procleak::testing::FullSnapshot(::procleak::testing::RecordEpoch());
  ::procleak::testing::TempTree tree(::procleak::testing::FastTempParent());
  const std::string path = tree.Path("later.plr");
  const std::string bytes = LaterVersionRecord(full);
  ::procleak::testing::WriteBytes(path, bytes);
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->moments().size(), 1u);
  absl::StatusOr<Snapshot> got = reader->Read(0);
  ASSERT_TRUE(got.ok()) << got.status();
  ::procleak::testing::ExpectSameSnapshot(full, *got);
  std::string notice;
  absl::Status append = ::procleak::testing::AppendAll(path, {full}, &notice);
  EXPECT_THAT(Message(append), HasSubstr("is newer than this procleak writes"));
  EXPECT_EQ(::procleak::testing::ReadBytes(path), bytes);  // left as it was
}

// The paragraph of procleak-record(5) that lists the fields of `label`, on one line.
std::string ManParagraph(const std::string& man, const std::string& label) {
  const std::string start = "\n.B " + label + "\n";
  size_t at = man.find(start);
  if (at == std::string::npos) return "";
  at += start.size();
  std::string text = man.substr(at, man.find("\n.TP", at) - at);
  text = text.substr(0, text.find("\n.PP"));
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

// Checks that `text` names every row of `table` as "N name" or "N [name]", in order.
template <typename R, size_t N>
void ExpectListed(const std::string& text, const fields::Field<R> (&table)[N]) {
  size_t from = 0;
  for (size_t i = 0; i < N; ++i) {
    SCOPED_TRACE(table[i].name);
    const std::string number = std::to_string(i) + " ";
    size_t found = std::string::npos;
    for (const std::string& name :
         {std::string(table[i].name), "[" + std::string(table[i].name) + "]"}) {
      for (size_t at = text.find(number + name, from); at != std::string::npos;
           at = text.find(number + name, at + 1)) {
        const size_t end = at + number.size() + name.size();
        const bool starts = at == 0 || !std::isdigit(static_cast<unsigned char>(text[at - 1]));
        const bool ends =
            end == text.size() ||
            (!std::isalnum(static_cast<unsigned char>(text[end])) && text[end] != '_');
        if (starts && ends) {
          found = std::min(found, end);
          break;
        }
      }
    }
    ASSERT_NE(found, std::string::npos) << "procleak-record(5) does not list field " << i;
    from = found;
  }
}

TEST(FormatThree, ManPage_ListsEveryFieldOfTheTablesInOrder) {
  const std::string man = ::procleak::testing::ReadBytes(std::string(PROCLEAK_TEST_DATA) +
                                                         "/../../man/procleak-record.5");
  ASSERT_FALSE(man.empty());
  ExpectListed(ManParagraph(man, "host"), fields::kHostFields);
  ExpectListed(ManParagraph(man, "scan statistics"), fields::kScanStatsFields);
  ExpectListed(ManParagraph(man, "processes"), fields::kProcessFields);
  ExpectListed(ManParagraph(man, "cgroups"), fields::kCgroupFields);
  const std::string cgroups = ManParagraph(man, "cgroups");
  ExpectListed(cgroups.substr(cgroups.find("memory_stat")), fields::kMemoryStatFields);
  ExpectListed(ManParagraph(man, "containers"), fields::kContainerFields);
}

// tests/data/records/v2-eight-moments.plr: written by procleak record before version 3 from
// VersionTwoFixtureMoments() (a key frame and seven deltas).
const std::string kVersionTwoRecord =
    std::string(PROCLEAK_TEST_DATA) + "/records/v2-eight-moments.plr";

TEST(VersionTwo, Record_ReadsToTheSnapshotsItWasWrittenFrom) {
  EXPECT_EQ(*CheckFileHeader(::procleak::testing::ReadBytes(kVersionTwoRecord)), 2u);
  const std::vector<Snapshot> want = ::procleak::testing::VersionTwoFixtureMoments();
  absl::StatusOr<RecordReader> reader = RecordReader::Open(kVersionTwoRecord);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->damage(), "");
  ASSERT_EQ(reader->moments().size(), want.size());
  for (int i = static_cast<int>(want.size()) - 1; i >= 0; --i) {  // each from its key frame
    SCOPED_TRACE(i);
    absl::StatusOr<Snapshot> got = reader->Read(i);
    ASSERT_TRUE(got.ok()) << got.status();
    ::procleak::testing::ExpectSameSnapshot(want[static_cast<size_t>(i)], *got);
  }
}

TEST(VersionTwo, RecordWriter_AppendsInVersionTwo) {
  ::procleak::testing::TempTree tree(::procleak::testing::FastTempParent());
  const std::string path = tree.Path("v2.plr");
  const std::string old = ::procleak::testing::ReadBytes(kVersionTwoRecord);
  ::procleak::testing::WriteBytes(path, old);
  std::vector<Snapshot> more = ::procleak::testing::ChangingSnapshots(3);
  ASSERT_TRUE(::procleak::testing::AppendAll(path, more).ok());
  const std::string bytes = ::procleak::testing::ReadBytes(path);
  EXPECT_EQ(bytes.substr(0, old.size()), old);  // the file header still says version 2
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->moments().size(), 11u);
  for (size_t i = 0; i < more.size(); ++i) {
    absl::StatusOr<Snapshot> got = reader->Read(static_cast<int>(8 + i));
    ASSERT_TRUE(got.ok()) << got.status();
    ::procleak::testing::ExpectSameSnapshot(more[i], *got);
  }
}

}  // namespace
}  // namespace procleak::store
