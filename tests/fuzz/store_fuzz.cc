// SPDX-License-Identifier: Apache-2.0
// Fuzz target for records (procleak-record(5)): 0 a whole record file, listed and every frame
// decoded as RecordReader does; 1 an uncompressed snapshot payload (past zstd's checksum, so
// mutations reach the decoder); 2 a frame header and a zstd payload.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>

#include "fuzz_input.h"
#include "store/frame.h"
#include "store/record_index.h"
#include "store/snapshot_codec.h"

namespace {

using namespace procleak;
using namespace procleak::store;

void FuzzRecord(std::string_view bytes) {
  absl::StatusOr<RecordIndex> index = IndexRecordBytes("fuzz", bytes);
  if (!index.ok()) return;
  fuzz::Check(index->end <= bytes.size());
  fuzz::Check(index->moments.size() == index->headers.size());
  fuzz::Check((index->damage == Damage::kNone) == index->damage_text.empty());
  SnapshotFields state;
  bool usable = false;  // the frames since the last key frame all decoded
  uint64_t next = kFileHeaderSize;
  for (size_t i = 0; i < index->moments.size(); ++i) {
    const RecordMoment& m = index->moments[i];
    fuzz::Check(m.offset == next && m.offset + m.bytes <= bytes.size());
    next = m.offset + m.bytes;
    if (!m.key && !usable) continue;
    std::string_view payload =
        bytes.substr(m.offset + kFrameHeaderSize, m.bytes - kFrameHeaderSize);
    usable = ApplyFrame(index->headers[i], payload, &state, index->version).ok();
    if (!usable) continue;
    // What a moment holds stays within its budget, and ApplyFrame's count of it is an upper bound.
    const uint64_t held = DecodedBytes(state);
    fuzz::Check(held <= state.held_bytes && held <= MomentBudget(state.frame_bytes));
    fuzz::Check(state.processes.size() <= kMaxProcesses);
    (void)BuildSnapshot(state);
  }
}

bool UniqueContainerKeys(const Snapshot& s) {
  std::set<std::pair<std::string, std::string>> keys;
  for (const Container& c : s.containers()) {
    if (!keys.emplace(c.runtime, c.id).second) return false;
  }
  return true;
}

// A payload that decodes must survive re-encoding: encode(decode(p)) is a fixed point.
void FuzzPayload(std::string_view payload) {
  SnapshotFields state;
  if (!ApplyPayload(payload, &state).ok()) return;
  Snapshot first = BuildSnapshot(state);
  SnapshotFields empty, decoded;
  std::string encoded;
  EncodePayload(first, &empty, &encoded);
  fuzz::Check(ApplyPayload(encoded, &decoded).ok());
  Snapshot second = BuildSnapshot(decoded);
  if (UniqueContainerKeys(first)) {
    SnapshotFields again;
    std::string reencoded;
    EncodePayload(second, &again, &reencoded);
    fuzz::Check(reencoded == encoded);
  }
  // The same bytes read as a delta on top of what they built.
  (void)ApplyPayload(payload, &state);
}

void FuzzFrame(std::string_view bytes) {
  absl::StatusOr<FrameHeader> header = ParseFrameHeader(bytes);
  if (header.ok()) bytes.remove_prefix(kFrameHeaderSize);
  // Without a header, the size claimed is the first bytes' (kept small: memory follows output).
  uint32_t raw = header.ok() ? std::min<uint32_t>(header->raw_bytes, 1 << 22)
                             : static_cast<uint32_t>(bytes.size() * 64);
  absl::StatusOr<std::string> out = Decompress(bytes, raw);
  if (out.ok()) fuzz::Check(out->size() == raw);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::FuzzInput in;
  if (!fuzz::SplitInput(data, size, in)) return 0;
  switch (in.selector % 3) {
    case 0:
      FuzzRecord(in.text);
      break;
    case 1:
      FuzzPayload(in.text);
      break;
    case 2:
      FuzzFrame(in.text);
      break;
  }
  return 0;
}
