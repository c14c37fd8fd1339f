// SPDX-License-Identifier: Apache-2.0
#include "later_version.h"

#include <gtest/gtest.h>

#include <iterator>

#include "absl/time/time.h"

namespace procleak::store {

std::string AddedSection(const std::vector<std::string>& records) {
  std::string section;
  PutVarint(&section, 0);  // removed
  PutVarint(&section, 0);  // changed
  PutVarint(&section, records.size());
  for (const std::string& r : records) section += r;
  return section;
}

std::string Sections(const std::vector<std::string>& sections) {
  std::string payload;
  for (const std::string& s : sections) PutString(&payload, s);
  return payload;
}

std::string PayloadWithUnknownFields(const Snapshot& s) {
  std::string stats;
  PutFields(s.stats(), AllIn<ScanStats>(kFormatVersion), kFormatVersion, &stats);
  std::vector<std::string> processes, cgroups, containers;
  for (const Process& p : s.processes()) processes.push_back(WithUnknownField(p, 63, "later"));
  for (const auto& [path, c] : s.cgroups()) {
    // memory.stat (row 4) as a nested field set with a field of its own beyond its table.
    std::string fields;
    PutVarint(&fields, AllIn<Cgroup>(kFormatVersion));
    for (size_t row = 0; row < std::size(fields::kCgroupFields); ++row) {
      if (row == 4) {
        PutString(&fields, WithUnknownField(c.memory_stat, 8, std::string(300, '\x80')));
      } else {
        fields += OneField(c, row);
      }
    }
    cgroups.push_back(fields);
  }
  for (const Container& c : s.containers()) containers.push_back(WithUnknownField(c, 40, ""));
  // The host's first field number beyond this procleak's table.
  const int host_bit = static_cast<int>(std::size(fields::kHostFields));
  return Sections({WithUnknownField(s.host(), host_bit, "\x01\x02"), stats, AddedSection(processes),
                   AddedSection(cgroups), AddedSection(containers), "a section added later"});
}

std::string LaterVersionRecord(const Snapshot& s) {
  const std::string payload = PayloadWithUnknownFields(s);
  std::string compressed;
  EXPECT_TRUE(Compressor(3).Compress(payload, &compressed).ok());
  FrameHeader header;
  header.scanned_at_ns = absl::ToUnixNanos(s.host().scanned_at);
  header.processes = static_cast<uint32_t>(s.processes().size());
  header.payload_bytes = static_cast<uint32_t>(compressed.size());
  header.raw_bytes = static_cast<uint32_t>(payload.size());
  return EncodeFileHeader(kFormatVersion + 1) + EncodeFrameHeader(header) + compressed;
}

}  // namespace procleak::store
