// SPDX-License-Identifier: Apache-2.0
#include "store/snapshot_codec.h"

#include <algorithm>
#include <span>
#include <utility>

#include "absl/time/time.h"
#include "base/sort_unless_sorted.h"
#include "store/field_codec.h"
#include "store/value_codec.h"
#include "store/varint.h"

namespace procleak::store {
namespace {

void PutHost(const Host& h, std::string* out) {
  PutString(out, h.hostname);
  PutString(out, h.kernel);
  PutTime(out, h.boot_time);
  PutTime(out, h.scanned_at);
  out->push_back(static_cast<char>(h.cgroup_mode));
  PutOptional(out, h.mem_total_bytes);
  PutOptional(out, h.mem_available_bytes);
}

bool GetHost(ByteReader& in, Host* h) {
  uint8_t mode;
  if (!in.String(&h->hostname) || !in.String(&h->kernel) || !GetTime(in, &h->boot_time) ||
      !GetTime(in, &h->scanned_at) || !in.Byte(&mode) ||
      mode > static_cast<uint8_t>(CgroupMode::kHybrid)) {
    return false;
  }
  h->cgroup_mode = static_cast<CgroupMode>(mode);
  return GetOptional(in, &h->mem_total_bytes) && GetOptional(in, &h->mem_available_bytes);
}

void PutStats(const ScanStats& s, std::string* out) {
  out->push_back(s.pss ? 1 : 0);
  PutSigned(out, s.skipped_vanished);
  PutSigned(out, s.skipped_denied);
  PutSigned(out, absl::ToInt64Nanoseconds(s.duration));
}

bool GetStats(ByteReader& in, ScanStats* s) {
  uint8_t pss;
  int64_t ns;
  if (!in.Byte(&pss) || pss > 1 || !in.Int(&s->skipped_vanished) || !in.Int(&s->skipped_denied) ||
      !in.Signed(&ns)) {
    return false;
  }
  s->pss = pss == 1;
  s->duration = absl::Nanoseconds(ns);
  return true;
}

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
// each as its index, a field mask and those fields; the records added, with every field of
// format `version`. `before` and `after` are sorted by F::Less; `before` becomes `after`.
template <typename F>
void PutList(const std::vector<const typename F::Record*>& after_records, uint32_t version,
             std::vector<typename F::Record>* before, std::string* out) {
  using Record = typename F::Record;
  std::string removed, changed, added;
  size_t removed_n = 0, changed_n = 0, added_n = 0;
  IndexGaps removed_gaps, changed_gaps;
  auto after = [&](size_t k) -> const Record& { return *after_records[k]; };
  const size_t after_size = after_records.size();
  const uint32_t all = F::AllIn(version);
  std::vector<Record> next;
  next.reserve(after_size);
  size_t i = 0, j = 0;
  while (i < before->size() || j < after_size) {
    if (j == after_size || (i < before->size() && F::Less((*before)[i], after(j)))) {
      removed_gaps.Put(&removed, i++);
      ++removed_n;
    } else if (i == before->size() || F::Less(after(j), (*before)[i])) {
      F::Put(after(j), all, &added);
      ++added_n;
      next.push_back(after(j++));
    } else if (!F::SameIdentity((*before)[i], after(j))) {  // a pid reused by a new process
      removed_gaps.Put(&removed, i++);
      ++removed_n;
      F::Put(after(j), all, &added);
      ++added_n;
      next.push_back(after(j++));
    } else {
      uint32_t mask = F::Diff((*before)[i], after(j)) & all;
      next.push_back(std::move((*before)[i]));
      if (mask != 0) {
        changed_gaps.Put(&changed, i);
        PutVarint(&changed, mask);
        F::Put(after(j), mask, &changed);
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

template <typename F>
bool GetList(ByteReader& in, uint32_t version, std::vector<typename F::Record>* list) {
  using Record = typename F::Record;
  const uint32_t all = F::AllIn(version);
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
    uint64_t mask;
    if (!changed_gaps.Get(in, size, &index) || !in.Varint(&mask) || (mask & ~uint64_t{all}) != 0 ||
        !F::Get(in, static_cast<uint32_t>(mask), &(*list)[index])) {
      return false;
    }
  }
  if (!in.Count(&n)) return false;
  std::vector<Record> next;
  next.reserve(size);  // not + n: records are far larger than the byte each must at least take
  for (size_t k = 0; k < size; ++k) {
    if (!removed[k]) next.push_back(std::move((*list)[k]));
  }
  for (uint64_t k = 0; k < n; ++k) {
    Record record;
    if (!F::Get(in, all, &record)) return false;
    next.push_back(std::move(record));
  }
  // Kept records come before added ones, so a stable sort restores the writer's order even
  // for records with equal keys.
  SortUnlessSorted(next, F::Less);
  list->swap(next);
  return true;
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
  PutHost(next.host(), out);
  PutStats(next.stats(), out);
  PutList<ProcessFields>(Pointers(next.processes()), version, &prev->processes, out);
  std::vector<const Cgroup*> cgroups;
  cgroups.reserve(next.cgroups().size());
  for (const auto& [path, cgroup] : next.cgroups()) cgroups.push_back(&cgroup);
  PutList<CgroupFields>(cgroups, version, &prev->cgroups, out);
  PutList<ContainerFields>(Pointers(next.containers()), version, &prev->containers, out);
  prev->host = next.host();
  prev->stats = next.stats();
}

absl::Status ApplyPayload(std::string_view payload, SnapshotFields* state, uint32_t version) {
  ByteReader in(payload);
  if (!GetHost(in, &state->host)) return in.Error("bad host fields");
  if (!GetStats(in, &state->stats)) return in.Error("bad scan statistics");
  if (!GetList<ProcessFields>(in, version, &state->processes)) {
    return in.Error("bad process list");
  }
  if (!GetList<CgroupFields>(in, version, &state->cgroups)) return in.Error("bad cgroup list");
  if (!GetList<ContainerFields>(in, version, &state->containers)) {
    return in.Error("bad container list");
  }
  if (!in.done()) return in.Error(fmt::format("{} bytes after the end", in.remaining()));
  return absl::OkStatus();
}

absl::Status ApplyFrame(const FrameHeader& header, std::string_view compressed,
                        SnapshotFields* state, uint32_t version) {
  absl::StatusOr<std::string> payload = Decompress(compressed, header.raw_bytes);
  if (!payload.ok()) return payload.status();
  if (header.type == FrameType::kKey) *state = SnapshotFields{};
  if (absl::Status status = ApplyPayload(*payload, state, version); !status.ok()) return status;
  if (state->processes.size() != header.processes) {
    return absl::DataLossError(fmt::format("payload holds {} processes, the frame header says {}",
                                           state->processes.size(), header.processes));
  }
  return absl::OkStatus();
}

Snapshot BuildSnapshot(const SnapshotFields& fields) {
  return Snapshot::Build(fields.host, fields.processes, fields.cgroups, fields.stats,
                         fields.containers);
}

}  // namespace procleak::store
