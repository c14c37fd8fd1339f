// SPDX-License-Identifier: Apache-2.0
#pragma once
// A snapshot as a frame payload: what changed since the previous snapshot (everything, for a key
// frame), and applying such a payload to the previous snapshot's fields.

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "procleak/snapshot.h"
#include "store/frame.h"
#include "store/varint.h"

namespace procleak::store {

// The stored fields of a snapshot (not the tree links and aggregates Snapshot::Build derives),
// in the order a Snapshot keeps them. Frames are decoded into this, and the writer diffs the
// next snapshot against it.
struct SnapshotFields {
  Host host;
  ScanStats stats;
  std::vector<Process> processes;     // sorted by pid
  std::vector<Cgroup> cgroups;        // sorted by path
  std::vector<Container> containers;  // sorted by runtime, then id
  // Kept by ApplyFrame (0 elsewhere): the compressed size of the frames these fields were
  // decoded from (the key frame and the deltas after it), and at least DecodedBytes().
  uint64_t frame_bytes = 0;
  uint64_t held_bytes = 0;
};

// Appends to *out the payload that turns *prev into `next`, then makes *prev hold `next`'s
// fields (reusing its allocations, as the writer does this every few seconds). An empty *prev
// (a default SnapshotFields) gives a key frame's payload, which holds everything. The payload is
// of record format `version`: an older one leaves out the fields it did not have.
void EncodePayload(const Snapshot& next, SnapshotFields* prev, std::string* out,
                   uint32_t version = kFormatVersion);

// Applies a payload of record format `version` to *state: the previous moment's fields for a
// delta frame, empty ones for a key frame. Fields the version does not hold stay as they were
// (default, after a key frame). Errors name the payload byte where decoding stopped; *state is
// then unspecified. With a `budget`, what the payload makes the decoder allocate is charged to
// it, and running out of it is a ResourceExhausted error.
absl::Status ApplyPayload(std::string_view payload, SnapshotFields* state,
                          uint32_t version = kFormatVersion, DecodeBudget* budget = nullptr);

// Decompresses a frame's payload and applies it (to empty fields for a key frame), checking it
// against its header. A frame beyond the limits of frame.h (CheckFrameClaims before anything is
// decompressed, then kMaxDecodedPerByte and MomentBudget(..., `max_moment_bytes`) while
// decoding) is refused with a ResourceExhausted error saying what it declares or needs. Errors
// say what is wrong, without a path or offset.
absl::Status ApplyFrame(const FrameHeader& header, std::string_view compressed,
                        SnapshotFields* state, uint32_t version = kFormatVersion,
                        uint64_t max_moment_bytes = kMaxMomentBytes);

// The memory the records of *fields hold, as decoding counts it: each record, its strings'
// bytes and its lists' items.
uint64_t DecodedBytes(const SnapshotFields& fields);

Snapshot BuildSnapshot(const SnapshotFields& fields);

}  // namespace procleak::store
