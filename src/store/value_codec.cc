// SPDX-License-Identifier: Apache-2.0
#include "store/value_codec.h"

#include <bit>
#include <cstdint>
#include <limits>
#include <utility>

namespace procleak::store {
namespace {

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

// Optional numbers are one varint tag: tags below `base` are special (0 absent; for limits 1 is
// unlimited), tag base-1 escapes a value too large to add `base` to (the value follows), and any
// other tag is the value plus `base`. So an absent RSS costs one byte and a present one no more
// than the number itself.
void PutTagged(std::string* out, uint64_t base, uint64_t v) {
  if (v <= kMax64 - base) {
    PutVarint(out, v + base);
  } else {
    PutVarint(out, base - 1);
    PutVarint(out, v);
  }
}

// A byte 0 (absent) or 1, then the value as get(in, &value) reads it.
template <typename T, typename Get>
bool GetIfPresent(ByteReader& in, std::optional<T>* v, Get get) {
  uint8_t present;
  if (!in.Byte(&present) || present > 1) return false;
  if (!present) {
    v->reset();
    return true;
  }
  T value;
  if (!get(in, &value)) return false;
  *v = value;
  return true;
}

bool GetTagged(ByteReader& in, uint64_t base, uint64_t tag, uint64_t* v) {
  if (tag == base - 1) return in.Varint(v);
  *v = tag - base;
  return true;
}

}  // namespace

void PutLimit(std::string* out, const std::optional<Limit>& limit) {
  if (!limit) {
    PutVarint(out, 0);
  } else if (limit->unlimited()) {
    PutVarint(out, 1);
  } else {
    PutTagged(out, 3, limit->value());
  }
}

bool GetLimit(ByteReader& in, std::optional<Limit>* limit) {
  uint64_t tag, v;
  if (!in.Varint(&tag)) return false;
  if (tag == 0) {
    limit->reset();
  } else if (tag == 1) {
    *limit = Limit::Unlimited();
  } else {
    if (!GetTagged(in, 3, tag, &v)) return false;
    *limit = Limit::Of(v);
  }
  return true;
}

bool GetUid(ByteReader& in, std::optional<uint32_t>* uid) {
  std::optional<uint64_t> wide;
  if (!GetOptional(in, &wide) || (wide && *wide > std::numeric_limits<uint32_t>::max())) {
    return false;
  }
  *uid = wide ? std::optional<uint32_t>(static_cast<uint32_t>(*wide)) : std::nullopt;
  return true;
}

void PutOptionalInt(std::string* out, const std::optional<int>& v) {
  out->push_back(v ? 1 : 0);
  if (v) PutSigned(out, *v);
}

bool GetOptionalInt(ByteReader& in, std::optional<int>* v) {
  return GetIfPresent(in, v, [](ByteReader& r, int* value) { return r.Int(value); });
}

void PutPressure(std::string* out, const std::optional<Pressure>& p) {
  if (!p) {
    out->push_back(0);
    return;
  }
  out->push_back(static_cast<char>(1 | (p->some ? 2 : 0) | (p->full ? 4 : 0)));
  for (const auto* line : {&p->some, &p->full}) {
    if (!*line) continue;
    // Doubles go as their IEEE-754 bits, so they come back exactly.
    for (double avg : {(*line)->avg10, (*line)->avg60, (*line)->avg300}) {
      PutFixed(out, std::bit_cast<uint64_t>(avg), 8);
    }
    PutVarint(out, (*line)->total_us);
  }
}

bool GetPressure(ByteReader& in, std::optional<Pressure>* p) {
  uint8_t flags;
  if (!in.Byte(&flags) || flags > 7 || (flags != 0 && !(flags & 1))) return false;
  if (flags == 0) {
    p->reset();
    return true;
  }
  Pressure pressure;
  for (auto [line, bit] : {std::pair{&pressure.some, 2}, std::pair{&pressure.full, 4}}) {
    if (!(flags & bit)) continue;
    PressureLine l;
    uint64_t bits[3];
    for (uint64_t& b : bits) {
      if (!in.Fixed(&b, 8)) return false;
    }
    if (!in.Varint(&l.total_us)) return false;
    l.avg10 = std::bit_cast<double>(bits[0]);
    l.avg60 = std::bit_cast<double>(bits[1]);
    l.avg300 = std::bit_cast<double>(bits[2]);
    *line = l;
  }
  *p = pressure;
  return true;
}

void PutMemoryStat(std::string* out, const MemoryStat& s) {
  for (const auto* v :
       {&s.anon, &s.file, &s.shmem, &s.file_mapped, &s.kernel, &s.slab, &s.sock, &s.swap}) {
    PutOptional(out, *v);
  }
}

bool GetMemoryStat(ByteReader& in, MemoryStat* s) {
  for (auto* v :
       {&s->anon, &s->file, &s->shmem, &s->file_mapped, &s->kernel, &s->slab, &s->sock, &s->swap}) {
    if (!GetOptional(in, v)) return false;
  }
  return true;
}

// Pid lists are sorted, so each is written as its difference from the one before.
void PutPids(std::string* out, const std::vector<int>& pids) {
  PutVarint(out, pids.size());
  int64_t last = 0;
  for (int pid : pids) {
    PutSigned(out, int64_t{pid} - last);
    last = pid;
  }
}

bool GetPids(ByteReader& in, std::vector<int>* pids) {
  uint64_t n;
  if (!in.Count(&n)) return false;
  pids->clear();
  pids->reserve(n);
  int64_t last = 0;
  for (uint64_t i = 0; i < n; ++i) {
    int64_t delta;
    if (!in.Signed(&delta)) return false;
    // Hostile deltas must not overflow: keep the sum within int range at every step.
    if (delta < int64_t{INT32_MIN} - last || delta > int64_t{INT32_MAX} - last) return false;
    last += delta;
    pids->push_back(static_cast<int>(last));
  }
  return true;
}

void PutStrings(std::string* out, const std::vector<std::string>& strings) {
  PutVarint(out, strings.size());
  for (const std::string& s : strings) PutString(out, s);
}

bool GetStrings(ByteReader& in, std::vector<std::string>* strings) {
  uint64_t n;
  if (!in.Count(&n)) return false;
  // Grown as items decode, not sized from the count: a hostile count then costs nothing.
  strings->clear();
  for (uint64_t i = 0; i < n; ++i) {
    if (!in.String(&strings->emplace_back())) return false;
  }
  return true;
}

void PutMemberships(std::string* out, const std::vector<CgroupMembership>& lines) {
  PutVarint(out, lines.size());
  for (const CgroupMembership& m : lines) {
    PutSigned(out, m.hierarchy_id);
    PutString(out, m.controllers);
    PutString(out, m.path);
  }
}

bool GetMemberships(ByteReader& in, std::vector<CgroupMembership>* lines) {
  uint64_t n;
  if (!in.Count(&n)) return false;
  lines->clear();
  for (uint64_t i = 0; i < n; ++i) {
    CgroupMembership& m = lines->emplace_back();
    if (!in.Int(&m.hierarchy_id) || !in.String(&m.controllers) || !in.String(&m.path)) {
      return false;
    }
  }
  return true;
}

bool GetOptionalTime(ByteReader& in, std::optional<absl::Time>* t) {
  return GetIfPresent(in, t, GetTime);
}

void PutOptionalTime(std::string* out, const std::optional<absl::Time>& t) {
  out->push_back(t ? 1 : 0);
  if (t) PutTime(out, *t);
}

void PutTime(std::string* out, absl::Time t) {
  int64_t ns = t == absl::InfiniteFuture() ? std::numeric_limits<int64_t>::max()
               : t == absl::InfinitePast() ? std::numeric_limits<int64_t>::min()
                                           : absl::ToUnixNanos(t);
  PutSigned(out, ns);
}

bool GetTime(ByteReader& in, absl::Time* t) {
  int64_t ns;
  if (!in.Signed(&ns)) return false;
  *t = ns == std::numeric_limits<int64_t>::max()   ? absl::InfiniteFuture()
       : ns == std::numeric_limits<int64_t>::min() ? absl::InfinitePast()
                                                   : absl::FromUnixNanos(ns);
  return true;
}

void PutOptional(std::string* out, const std::optional<uint64_t>& v) {
  if (v) {
    PutTagged(out, 2, *v);
  } else {
    PutVarint(out, 0);
  }
}

bool GetOptional(ByteReader& in, std::optional<uint64_t>* v) {
  uint64_t tag, value;
  if (!in.Varint(&tag)) return false;
  if (tag == 0) {
    v->reset();
    return true;
  }
  if (!GetTagged(in, 2, tag, &value)) return false;
  *v = value;
  return true;
}

}  // namespace procleak::store
