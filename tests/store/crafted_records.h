// SPDX-License-Identifier: Apache-2.0
#pragma once
// Records written byte by byte for the tests of what a reader refuses (issue 17): frames whose
// header declares more than a host runs, payloads that decompress out of proportion to their
// size, and payloads of many tiny records that decode out of proportion to theirs.

#include <cstdint>
#include <string>
#include <string_view>

#include "store/frame.h"
#include "store/varint.h"

namespace procleak::testing {

// A list section of format version 3 (procleak-record(5), PAYLOAD): nothing removed or changed,
// and `added` records, record i being the bytes `record(i)` returns.
template <typename RecordBytes>
std::string AddedListSection(uint64_t added, RecordBytes record) {
  std::string body;
  store::PutVarint(&body, 0);  // removed
  store::PutVarint(&body, 0);  // changed
  store::PutVarint(&body, added);
  for (uint64_t i = 0; i < added; ++i) body.append(record(i));
  return body;
}

// A process, cgroup or container with no field at all (an empty field set: one byte).
inline constexpr std::string_view kEmptyRecord("\0", 1);
// AddedListSection of `added` such records (made at once: they may be millions).
std::string EmptyRecords(uint64_t added);
// A cgroup of one field, its path: the one byte `c`.
std::string OneBytePathCgroup(char c);

// A payload of format version 3: empty host and statistics field sets and the three list
// sections given (as AddedListSection makes them; "" for an empty list).
std::string CraftedPayload(std::string_view processes, std::string_view cgroups = "",
                           std::string_view containers = "");

// A frame: its header (type, `processes` declared, the sizes of `raw` compressed and not) and
// `raw` compressed with zstd.
std::string CraftedFrame(store::FrameType type, uint32_t processes, std::string_view raw);

// The file header of format version 3 followed by `frames`.
std::string CraftedRecord(std::string_view frames);

}  // namespace procleak::testing
