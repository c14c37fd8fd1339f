// SPDX-License-Identifier: Apache-2.0
#include "store/snapshot_codec.h"

#include <algorithm>
#include <span>
#include <utility>

#include "absl/time/time.h"
#include "base/sort_unless_sorted.h"
#include "store/field_codec.h"
#include "store/varint.h"

namespace procleak::store {
namespace {

// Indices into the previous list rise strictly, so each is written as the gap to the one after
// the previous index.
class IndexGaps {
 public:
  void Put(std::string* out, size_t index) {
    PutVarint(out, index - next_);
    next_ = index + 1;
  }
  bool Get(ByteReader& in, size_t size, size_t* index) {
    uint64_t gap;
    if (!in.Varint(&gap) || next_ > size || gap >= size - next_) return false;
    *index = next_ + gap;
    next_ = *index + 1;
    return true;
  }

 private:
  size_t next_ = 0;
};

// A list section: the indices (into the previous list) of records removed; the records changed,
// each as its index and the fields that differ; the records added, with every field of format
// `version`. `before` and `after` are sorted by Less; `before` becomes `after`.
template <typename Record>
void PutList(const std::vector<const Record*>& after_records, uint32_t version,
             std::vector<Record>* before, std::string* out) {
  using F = RecordType<Record>;
  std::string removed, changed, added;
  size_t removed_n = 0, changed_n = 0, added_n = 0;
  IndexGaps removed_gaps, changed_gaps;
  auto after = [&](size_t k) -> const Record& { return *after_records[k]; };
  const size_t after_size = after_records.size();
  const uint64_t all = AllIn<Record>(version);
  std::vector<Record> next;
  next.reserve(after_size);
  size_t i = 0, j = 0;
  while (i < before->size() || j < after_size) {
    if (j == after_size || (i < before->size() && F::Less((*before)[i], after(j)))) {
      removed_gaps.Put(&removed, i++);
      ++removed_n;
    } else if (i == before->size() || F::Less(after(j), (*before)[i])) {
      PutFields(after(j), all, version, &added);
      ++added_n;
      next.push_back(after(j++));
    } else if (!F::SameIdentity((*before)[i], after(j))) {  // a pid reused by a new process
      removed_gaps.Put(&removed, i++);
      ++removed_n;
      PutFields(after(j), all, version, &added);
      ++added_n;
      next.push_back(after(j++));
    } else {
      const uint64_t mask = Diff((*before)[i], after(j)) & all;
      next.push_back(std::move((*before)[i]));
      if (mask != 0) {
        changed_gaps.Put(&changed, i);
        if (version < kFirstFramedVersion) PutVarint(&changed, mask);
        PutFields(after(j), mask, version, &changed);
        ++changed_n;
        next.back() = after(j);  // copy-assignment reuses the old record's strings
      }
      ++i, ++j;
    }
  }
  before->swap(next);
  PutVarint(out, removed_n);
  out->append(removed);
  PutVarint(out, changed_n);
  out->append(changed);
  PutVarint(out, added_n);
  out->append(added);
}

template <typename Record>
bool GetList(ByteReader& in, uint32_t version, std::vector<Record>* list) {
  const uint64_t all = AllIn<Record>(version);
  const size_t size = list->size();
  std::vector<bool> removed(size, false);
  uint64_t n;
  IndexGaps removed_gaps, changed_gaps;
  size_t index;
  if (!in.Count(&n)) return false;
  for (uint64_t k = 0; k < n; ++k) {
    if (!removed_gaps.Get(in, size, &index)) return false;
    removed[index] = true;
  }
  if (!in.Count(&n)) return false;
  for (uint64_t k = 0; k < n; ++k) {
    uint64_t mask = 0;
    if (!changed_gaps.Get(in, size, &index) ||
        (version < kFirstFramedVersion && !in.Varint(&mask)) ||
        !GetFields(in, version, mask, &(*list)[index])) {
      return false;
    }
  }
  if (!in.Items(&n, sizeof(Record))) return false;
  std::vector<Record> next;
  next.reserve(size + n);
  for (size_t k = 0; k < size; ++k) {
    if (!removed[k]) next.push_back(std::move((*list)[k]));
  }
  for (uint64_t k = 0; k < n; ++k) {
    Record record;
    if (!GetFields(in, version, all, &record)) return false;
    next.push_back(std::move(record));
  }
  // Kept records come before added ones, so a stable sort restores the writer's order even
  // for records with equal keys.
  SortUnlessSorted(next, RecordType<Record>::Less);
  list->swap(next);
  return true;
}

// What a record holds in memory, counted as decoding charges it: the record itself, the bytes of
// its strings and the items of its lists.
template <typename T>
uint64_t HeapBytes(const T&) {
  return 0;
}
uint64_t HeapBytes(const std::string& s) { return s.size(); }
uint64_t HeapBytes(const std::vector<int>& pids) { return pids.size() * sizeof(int); }
uint64_t HeapBytes(const std::vector<std::string>& strings) {
  uint64_t bytes = strings.size() * sizeof(std::string);
  for (const std::string& s : strings) bytes += s.size();
  return bytes;
}
uint64_t HeapBytes(const std::vector<CgroupMembership>& lines) {
  uint64_t bytes = lines.size() * sizeof(CgroupMembership);
  for (const CgroupMembership& m : lines) bytes += m.controllers.size() + m.path.size();
  return bytes;
}

template <typename Record>
uint64_t ListBytes(const std::vector<Record>& list) {
  uint64_t bytes = list.size() * sizeof(Record);
  for (const Record& record : list) {
    fields::ForEach(RecordType<Record>::kTable, record,
                    [&](const auto&, const auto& value) { bytes += HeapBytes(value); });
  }
  return bytes;
}

template <typename T>
std::vector<const T*> Pointers(std::span<const T> records) {
  std::vector<const T*> pointers;
  pointers.reserve(records.size());
  for (const T& r : records) pointers.push_back(&r);
  return pointers;
}

}  // namespace

void EncodePayload(const Snapshot& next, SnapshotFields* prev, std::string* out, uint32_t version) {
  std::vector<const Cgroup*> cgroups;
  cgroups.reserve(next.cgroups().size());
  for (const auto& [path, cgroup] : next.cgroups()) cgroups.push_back(&cgroup);
  // Each section, from kFirstFramedVersion on, with its length in front.
  auto section = [&](auto put) {
    if (version >= kFirstFramedVersion) {
      PutLengthPrefixed(out, put);
    } else {
      put();
    }
  };
  section([&] { PutFields(next.host(), AllIn<Host>(version), version, out); });
  section([&] { PutFields(next.stats(), AllIn<ScanStats>(version), version, out); });
  section([&] { PutList(Pointers(next.processes()), version, &prev->processes, out); });
  section([&] { PutList(cgroups, version, &prev->cgroups, out); });
  section([&] { PutList(Pointers(next.containers()), version, &prev->containers, out); });
  prev->host = next.host();
  prev->stats = next.stats();
}

absl::Status ApplyPayload(std::string_view payload, SnapshotFields* state, uint32_t version,
                          DecodeBudget* budget) {
  ByteReader in(payload, 0, budget);
  const bool framed = version >= kFirstFramedVersion;
  // Decodes one section with get(reader); from kFirstFramedVersion on the section must take
  // exactly its length.
  auto section = [&](std::string_view what, auto get) -> absl::Status {
    if (!framed) return get(in) ? absl::OkStatus() : in.Error(what);
    uint64_t length;
    std::string_view bytes;
    if (!in.Varint(&length) || !in.Bytes(length, &bytes)) return in.Error(what);
    ByteReader part = in.Part(bytes);
    if (!get(part) || !part.done()) return part.Error(what);
    return absl::OkStatus();
  };
  absl::Status status = section("bad host fields", [&](ByteReader& r) {
    return GetFields(r, version, AllIn<Host>(version), &state->host);
  });
  if (status.ok()) {
    status = section("bad scan statistics", [&](ByteReader& r) {
      return GetFields(r, version, AllIn<ScanStats>(version), &state->stats);
    });
  }
  if (status.ok()) {
    status = section("bad process list",
                     [&](ByteReader& r) { return GetList(r, version, &state->processes); });
  }
  if (status.ok()) {
    status = section("bad cgroup list",
                     [&](ByteReader& r) { return GetList(r, version, &state->cgroups); });
  }
  if (status.ok()) {
    status = section("bad container list",
                     [&](ByteReader& r) { return GetList(r, version, &state->containers); });
  }
  if (budget != nullptr && budget->exhausted()) {
    return absl::ResourceExhaustedError("needs more memory than its budget");
  }
  if (!status.ok()) return status;
  // Sections a later procleak added are skipped.
  while (framed && !in.done()) {
    uint64_t length;
    std::string_view bytes;
    if (!in.Varint(&length) || !in.Bytes(length, &bytes)) return in.Error("bad section length");
  }
  if (!in.done()) return in.Error(fmt::format("{} bytes after the end", in.remaining()));
  return absl::OkStatus();
}

absl::Status ApplyFrame(const FrameHeader& header, std::string_view compressed,
                        SnapshotFields* state, uint32_t version, uint64_t max_moment_bytes) {
  const bool key = header.type == FrameType::kKey;
  const uint32_t before = key ? 0 : static_cast<uint32_t>(state->processes.size());
  const uint64_t chain = key ? 0 : state->frame_bytes;
  if (absl::Status claims = CheckFrameClaims(header, before, chain); !claims.ok()) return claims;
  absl::StatusOr<std::string> payload = Decompress(compressed, header.raw_bytes);
  if (!payload.ok()) return payload.status();
  // What this frame may add: a share of its own size, and what is left of the moment's budget.
  // held_bytes bounds what the moment before holds from above (frames add what they charged and
  // never subtract); it is counted exactly only when it comes near the budget.
  const uint64_t moment = MomentBudget(chain + compressed.size(), max_moment_bytes);
  const uint64_t own = kMaxDecodedPerByte * payload->size();
  uint64_t held = key ? 0 : state->held_bytes;
  if (held + own > moment) held = DecodedBytes(*state);
  const uint64_t allowed = std::min(own, moment - std::min(held, moment));
  DecodeBudget budget(allowed);
  if (key) *state = SnapshotFields{};
  absl::Status status = ApplyPayload(*payload, state, version, &budget);
  if (budget.exhausted()) {
    return absl::ResourceExhaustedError(fmt::format(
        "needs more than {} bytes of memory, decoded (at most {} per decompressed byte, and {} "
        "for {} compressed bytes{})",
        Grouped(held + allowed), kMaxDecodedPerByte, Grouped(moment),
        Grouped(chain + compressed.size()), key ? "" : " of frames from its key frame on"));
  }
  if (!status.ok()) return status;
  state->frame_bytes = chain + compressed.size();
  state->held_bytes = held + budget.used();
  if (state->processes.size() != header.processes) {
    return absl::DataLossError(fmt::format("payload holds {} processes, the frame header says {}",
                                           state->processes.size(), header.processes));
  }
  return absl::OkStatus();
}

uint64_t DecodedBytes(const SnapshotFields& fields) {
  return ListBytes(fields.processes) + ListBytes(fields.cgroups) + ListBytes(fields.containers);
}

Snapshot BuildSnapshot(const SnapshotFields& fields) {
  return Snapshot::Build(fields.host, fields.processes, fields.cgroups, fields.stats,
                         fields.containers);
}

}  // namespace procleak::store
