// SPDX-License-Identifier: Apache-2.0
#pragma once
// The fields of a snapshot's records (Host, ScanStats, Process, Cgroup, Container and the nested
// MemoryStat), driven by their tables in model/record_fields.h: which fields differ between two
// versions of a record, and writing or reading a chosen set of them in a record format version.

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <tuple>

#include "model/record_fields.h"
#include "procleak/snapshot.h"
#include "store/varint.h"

namespace procleak::store {

// From this version on a set of fields is self-describing: a varint mask (bit N for row N of the
// record's table), then each field of the mask, lowest bit first, as a varint length and that
// many bytes. A reader skips the fields beyond its table. Before it (versions 1 and 2), fields
// are written back to back in row order, and the mask, where there is one, comes before them.
inline constexpr uint32_t kFirstFramedVersion = 3;

// What the record codec needs of a record type besides its table: how many of its first rows say
// "the same record" (a record whose identity changed is written as removed plus added, never as
// changed; Diff never sets identity bits), and the order a snapshot keeps the records in.
template <typename R>
struct RecordType;

template <>
struct RecordType<Process> {
  static constexpr const auto& kTable = fields::kProcessFields;
  static constexpr size_t kIdentityRows = 2;  // pid, starttime
  static bool Less(const Process& a, const Process& b) { return a.pid < b.pid; }
  static bool SameIdentity(const Process& a, const Process& b) {
    return a.starttime_ticks == b.starttime_ticks;
  }
};

template <>
struct RecordType<Cgroup> {
  static constexpr const auto& kTable = fields::kCgroupFields;
  static constexpr size_t kIdentityRows = 1;  // path
  static bool Less(const Cgroup& a, const Cgroup& b) { return a.path < b.path; }
  static bool SameIdentity(const Cgroup&, const Cgroup&) { return true; }
};

template <>
struct RecordType<Container> {
  static constexpr const auto& kTable = fields::kContainerFields;
  static constexpr size_t kIdentityRows = 2;  // id, runtime
  // The order Snapshot::Build keeps containers in.
  static bool Less(const Container& a, const Container& b) {
    return std::tie(a.runtime, a.id) < std::tie(b.runtime, b.id);
  }
  static bool SameIdentity(const Container&, const Container&) { return true; }
};

template <>
struct RecordType<Host> {
  static constexpr const auto& kTable = fields::kHostFields;
  static constexpr size_t kIdentityRows = 0;
};

template <>
struct RecordType<ScanStats> {
  static constexpr const auto& kTable = fields::kScanStatsFields;
  static constexpr size_t kIdentityRows = 0;
};

template <>
struct RecordType<MemoryStat> {
  static constexpr const auto& kTable = fields::kMemoryStatFields;
  static constexpr size_t kIdentityRows = 0;
};

// Every field a record of format `version` holds (the rows up to the first added later): an
// added record is written with all of them, and in versions 1 and 2 a mask naming any other is
// malformed.
template <typename R>
constexpr uint64_t AllIn(uint32_t version) {
  const size_t rows = fields::RowsIn(RecordType<R>::kTable, version);
  static_assert(std::size(RecordType<R>::kTable) <= 64, "a field mask has 64 bits");
  return rows == 64 ? ~uint64_t{0} : (uint64_t{1} << rows) - 1;
}

// The fields (not identity) that differ between two versions of a record.
template <typename R>
uint64_t Diff(const R& before, const R& after);

// Appends the fields of `mask` (a subset of AllIn(version)). From kFirstFramedVersion on this is
// the mask and the fields with their lengths; before, only the fields (the caller writes a mask
// where the format has one).
template <typename R>
void PutFields(const R& record, uint64_t mask, uint32_t version, std::string* out);

// Reads what PutFields wrote into *record, whose other fields stay as they are. From
// kFirstFramedVersion on the mask is read from `in` (`positional_mask` is unused) and fields
// beyond the table are skipped; before, `positional_mask` says which fields follow and must be a
// subset of AllIn(version). Returns false on malformed input (a field's value must take exactly
// its length), leaving *record partly updated.
template <typename R>
bool GetFields(ByteReader& in, uint32_t version, uint64_t positional_mask, R* record);

}  // namespace procleak::store
