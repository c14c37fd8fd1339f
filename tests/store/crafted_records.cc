// SPDX-License-Identifier: Apache-2.0
#include "crafted_records.h"

#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "record_fixtures.h"

namespace procleak::testing {

std::string EmptyRecords(uint64_t added) {
  std::string section = AddedListSection(0, [](uint64_t) { return std::string(); });
  section.pop_back();  // the count of added records, 0
  store::PutVarint(&section, added);
  section.append(added, '\0');
  return section;
}

std::string OneBytePathCgroup(char c) {
  // mask 1 (field 0, the path), the field's length 2, the string's length 1, the byte.
  return std::string("\x01\x02\x01", 3) + c;
}

std::string CraftedPayload(std::string_view processes, std::string_view cgroups,
                           std::string_view containers) {
  std::string out;
  const std::string empty_list = AddedListSection(0, [](uint64_t) { return std::string(); });
  for (std::string_view section :
       {std::string_view("\0", 1), std::string_view("\0", 1),
        processes.empty() ? empty_list : processes, cgroups.empty() ? empty_list : cgroups,
        containers.empty() ? empty_list : containers}) {
    store::PutString(&out, section);  // a section is its length and its bytes
  }
  return out;
}

std::string CraftedFrame(store::FrameType type, uint32_t processes, std::string_view raw) {
  std::string compressed;
  EXPECT_TRUE(store::Compressor(3).Compress(raw, &compressed).ok());
  store::FrameHeader header;
  header.type = type;
  header.scanned_at_ns = absl::ToUnixNanos(RecordEpoch());
  header.processes = processes;
  header.payload_bytes = static_cast<uint32_t>(compressed.size());
  header.raw_bytes = static_cast<uint32_t>(raw.size());
  return store::EncodeFrameHeader(header) + compressed;
}

std::string CraftedRecord(std::string_view frames) {
  return store::EncodeFileHeader(store::kFormatVersion) + std::string(frames);
}

}  // namespace procleak::testing
