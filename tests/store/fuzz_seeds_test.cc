// SPDX-License-Identifier: Apache-2.0
// The store_fuzz seeds (tests/fuzz/corpus/store) are binary records and payloads written by this
// code; this test keeps them decodable as the format evolves, and rewrites them when run with
// PROCLEAK_WRITE_FUZZ_SEEDS=1.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "later_version.h"
#include "procleak/record.h"
#include "record_fixtures.h"
#include "store/frame.h"
#include "store/record_index.h"
#include "store/snapshot_codec.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

const std::string kCorpus = std::string(PROCLEAK_TEST_DATA) + "/../fuzz/corpus/store";

std::string RecordOf(const std::vector<Snapshot>& snapshots) {
  testing::TempTree tree(testing::FastTempParent());
  std::string path = tree.Path("seed.plr");
  EXPECT_TRUE(testing::AppendAll(path, snapshots).ok());
  return testing::ReadBytes(path);
}

std::string KeyPayloadOf(const Snapshot& snapshot) {
  store::SnapshotFields empty;
  std::string payload;
  store::EncodePayload(snapshot, &empty, &payload);
  return payload;
}

// Seed file name -> contents, the selector byte first (see tests/fuzz/README.md).
std::map<std::string, std::string> Seeds() {
  absl::Time t = testing::RecordEpoch();
  std::vector<Snapshot> changing = testing::ChangingSnapshots(5);
  std::string three = RecordOf({changing[0], changing[1], changing[2]});
  std::string key = KeyPayloadOf(testing::FullSnapshot(t));
  std::string frame;
  EXPECT_TRUE(store::Compressor(3).Compress(key, &frame).ok());
  store::FrameHeader header;
  header.processes = 5;
  header.payload_bytes = static_cast<uint32_t>(frame.size());
  header.raw_bytes = static_cast<uint32_t>(key.size());
  return {
      {"record-three-frames", "0" + three},
      {"record-torn-tail", "0" + three.substr(0, three.size() - 7)},
      {"record-full-sparse-full",
       "0" + RecordOf(
                 {testing::FullSnapshot(t), testing::SparseSnapshot(t), testing::FullSnapshot(t)})},
      {"payload-full", "1" + key},
      {"payload-sparse", "1" + KeyPayloadOf(testing::SparseSnapshot(t))},
      {"payload-changing", "1" + KeyPayloadOf(changing[4])},
      {"frame-full", "2" + store::EncodeFrameHeader(header) + frame},
      // What a later procleak might write: fields and a section this one skips.
      {"payload-later-fields", "1" + store::PayloadWithUnknownFields(testing::FullSnapshot(t))},
      {"record-later-version", "0" + store::LaterVersionRecord(testing::FullSnapshot(t))},
  };
}

TEST(FuzzSeeds, Decode_WithTheCurrentFormat) {
  const bool write = std::getenv("PROCLEAK_WRITE_FUZZ_SEEDS") != nullptr;
  for (const auto& [name, want] : Seeds()) {
    SCOPED_TRACE(name);
    const std::string path = kCorpus + "/" + name;
    if (write) {
      std::filesystem::create_directories(kCorpus);
      testing::WriteBytes(path, want);
    }
    const std::string seed = testing::ReadBytes(path);
    ASSERT_FALSE(seed.empty()) << path << " is missing: run with PROCLEAK_WRITE_FUZZ_SEEDS=1";
    std::string_view body = std::string_view(seed).substr(1);
    store::SnapshotFields state;
    switch (seed[0]) {
      case '0': {
        absl::StatusOr<store::RecordIndex> index = store::IndexRecordBytes(name, body);
        ASSERT_TRUE(index.ok()) << index.status();
        ASSERT_FALSE(index->moments.empty());
        for (size_t i = 0; i < index->moments.size(); ++i) {
          const RecordMoment& m = index->moments[i];
          EXPECT_TRUE(store::ApplyFrame(index->headers[i],
                                        body.substr(m.offset + store::kFrameHeaderSize,
                                                    m.bytes - store::kFrameHeaderSize),
                                        &state, index->version)
                          .ok());
        }
        break;
      }
      case '1':
        EXPECT_TRUE(store::ApplyPayload(body, &state).ok());
        break;
      case '2': {
        absl::StatusOr<store::FrameHeader> header = store::ParseFrameHeader(body);
        ASSERT_TRUE(header.ok()) << header.status();
        EXPECT_TRUE(store::ApplyFrame(*header, body.substr(store::kFrameHeaderSize), &state).ok());
        break;
      }
      default:
        FAIL() << "unknown selector";
    }
  }
}

}  // namespace
}  // namespace procleak
