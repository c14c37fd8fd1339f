// SPDX-License-Identifier: Apache-2.0
#include "store/value_codec.h"

#include <bit>
#include <cstdint>
#include <limits>
#include <utility>
#include <variant>

#include "model/record_fields.h"

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

bool GetTagged(ByteReader& in, uint64_t base, uint64_t tag, uint64_t* v) {
  if (tag == base - 1) return in.Varint(v);
  *v = tag - base;
  return true;
}

// A byte 0 (absent) or 1, then the value.
template <typename T>
void PutIfPresent(std::string* out, const std::optional<T>& v) {
  out->push_back(v ? 1 : 0);
  if (v) PutValue(out, *v);
}

template <typename T>
bool GetIfPresent(ByteReader& in, std::optional<T>* v) {
  bool present;
  if (!GetValue(in, &present)) return false;
  if (!present) {
    v->reset();
    return true;
  }
  T value;
  if (!GetValue(in, &value)) return false;
  *v = std::move(value);
  return true;
}

// A nested record's fields in table order, positionally.
template <typename R, size_t N>
void PutPositional(std::string* out, const fields::Field<R> (&table)[N], const R& record) {
  fields::ForEach(table, record, [&](const auto&, const auto& value) { PutValue(out, value); });
}

template <typename R, size_t N>
bool GetPositional(ByteReader& in, const fields::Field<R> (&table)[N], R* record) {
  bool ok = true;
  fields::ForEach(table, *record,
                  [&](const auto&, auto& value) { ok = ok && GetValue(in, &value); });
  return ok;
}

}  // namespace

void PutValue(std::string* out, bool v) { out->push_back(v ? 1 : 0); }
bool GetValue(ByteReader& in, bool* v) {
  uint8_t byte;
  if (!in.Byte(&byte) || byte > 1) return false;
  *v = byte == 1;
  return true;
}

void PutValue(std::string* out, char v) { out->push_back(v); }
bool GetValue(ByteReader& in, char* v) {
  uint8_t byte;
  if (!in.Byte(&byte)) return false;
  *v = static_cast<char>(byte);
  return true;
}

void PutValue(std::string* out, int v) { PutSigned(out, v); }
bool GetValue(ByteReader& in, int* v) { return in.Int(v); }

void PutValue(std::string* out, uint64_t v) { PutVarint(out, v); }
bool GetValue(ByteReader& in, uint64_t* v) { return in.Varint(v); }

// Doubles go as their IEEE-754 bits, so they come back exactly.
void PutValue(std::string* out, double v) { PutFixed(out, std::bit_cast<uint64_t>(v), 8); }
bool GetValue(ByteReader& in, double* v) {
  uint64_t bits;
  if (!in.Fixed(&bits, 8)) return false;
  *v = std::bit_cast<double>(bits);
  return true;
}

void PutValue(std::string* out, const std::string& v) { PutString(out, v); }
bool GetValue(ByteReader& in, std::string* v) { return in.String(v); }

void PutValue(std::string* out, CgroupMode v) { out->push_back(static_cast<char>(v)); }
bool GetValue(ByteReader& in, CgroupMode* v) {
  uint8_t byte;
  if (!in.Byte(&byte) || byte > static_cast<uint8_t>(CgroupMode::kHybrid)) return false;
  *v = static_cast<CgroupMode>(byte);
  return true;
}

void PutValue(std::string* out, absl::Time t) {
  int64_t ns = t == absl::InfiniteFuture() ? std::numeric_limits<int64_t>::max()
               : t == absl::InfinitePast() ? std::numeric_limits<int64_t>::min()
                                           : absl::ToUnixNanos(t);
  PutSigned(out, ns);
}
bool GetValue(ByteReader& in, absl::Time* t) {
  int64_t ns;
  if (!in.Signed(&ns)) return false;
  *t = ns == std::numeric_limits<int64_t>::max()   ? absl::InfiniteFuture()
       : ns == std::numeric_limits<int64_t>::min() ? absl::InfinitePast()
                                                   : absl::FromUnixNanos(ns);
  return true;
}

void PutValue(std::string* out, absl::Duration d) { PutSigned(out, absl::ToInt64Nanoseconds(d)); }
bool GetValue(ByteReader& in, absl::Duration* d) {
  int64_t ns;
  if (!in.Signed(&ns)) return false;
  *d = absl::Nanoseconds(ns);
  return true;
}

void PutValue(std::string* out, const std::optional<uint64_t>& v) {
  if (v) {
    PutTagged(out, 2, *v);
  } else {
    PutVarint(out, 0);
  }
}
bool GetValue(ByteReader& in, std::optional<uint64_t>* v) {
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

void PutValue(std::string* out, const std::optional<uint32_t>& v) {
  PutValue(out, v ? std::optional<uint64_t>(*v) : std::nullopt);
}
bool GetValue(ByteReader& in, std::optional<uint32_t>* v) {
  std::optional<uint64_t> wide;
  if (!GetValue(in, &wide) || (wide && *wide > std::numeric_limits<uint32_t>::max())) {
    return false;
  }
  *v = wide ? std::optional<uint32_t>(static_cast<uint32_t>(*wide)) : std::nullopt;
  return true;
}

void PutValue(std::string* out, const std::optional<Limit>& limit) {
  if (!limit) {
    PutVarint(out, 0);
  } else if (limit->unlimited()) {
    PutVarint(out, 1);
  } else {
    PutTagged(out, 3, limit->value());
  }
}
bool GetValue(ByteReader& in, std::optional<Limit>* limit) {
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

void PutValue(std::string* out, const std::optional<int>& v) { PutIfPresent(out, v); }
bool GetValue(ByteReader& in, std::optional<int>* v) { return GetIfPresent(in, v); }

void PutValue(std::string* out, const std::optional<absl::Time>& v) { PutIfPresent(out, v); }
bool GetValue(ByteReader& in, std::optional<absl::Time>* v) { return GetIfPresent(in, v); }

void PutValue(std::string* out, const std::optional<Pressure>& p) {
  if (!p) {
    out->push_back(0);
    return;
  }
  out->push_back(static_cast<char>(1 | (p->some ? 2 : 0) | (p->full ? 4 : 0)));
  for (const auto* line : {&p->some, &p->full}) {
    if (*line) PutPositional(out, fields::kPressureLineFields, **line);
  }
}
bool GetValue(ByteReader& in, std::optional<Pressure>* p) {
  uint8_t flags;
  if (!in.Byte(&flags) || flags > 7 || (flags != 0 && !(flags & 1))) return false;
  if (flags == 0) {
    p->reset();
    return true;
  }
  Pressure pressure;
  for (auto [line, bit] : {std::pair{&pressure.some, 2}, std::pair{&pressure.full, 4}}) {
    if (!(flags & bit)) continue;
    if (!GetPositional(in, fields::kPressureLineFields, &line->emplace())) return false;
  }
  *p = pressure;
  return true;
}

void PutValue(std::string* out, const MemoryStat& v) {
  PutPositional(out, fields::kMemoryStatFields, v);
}
bool GetValue(ByteReader& in, MemoryStat* v) {
  return GetPositional(in, fields::kMemoryStatFields, v);
}

void PutValue(std::string* out, const std::vector<int>& pids) {
  PutVarint(out, pids.size());
  int64_t last = 0;
  for (int pid : pids) {
    PutSigned(out, int64_t{pid} - last);
    last = pid;
  }
}
bool GetValue(ByteReader& in, std::vector<int>* pids) {
  uint64_t n;
  if (!in.Items(&n, sizeof(int))) return false;
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

void PutValue(std::string* out, const std::vector<std::string>& strings) {
  PutVarint(out, strings.size());
  for (const std::string& s : strings) PutString(out, s);
}
bool GetValue(ByteReader& in, std::vector<std::string>* strings) {
  uint64_t n;
  if (!in.Items(&n, sizeof(std::string))) return false;
  strings->clear();
  strings->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    if (!in.String(&strings->emplace_back())) return false;
  }
  return true;
}

void PutValue(std::string* out, const std::vector<CgroupMembership>& lines) {
  PutVarint(out, lines.size());
  for (const CgroupMembership& m : lines) {
    PutSigned(out, m.hierarchy_id);
    PutString(out, m.controllers);
    PutString(out, m.path);
  }
}
bool GetValue(ByteReader& in, std::vector<CgroupMembership>* lines) {
  uint64_t n;
  if (!in.Items(&n, sizeof(CgroupMembership))) return false;
  lines->clear();
  lines->reserve(n);
  for (uint64_t i = 0; i < n; ++i) {
    CgroupMembership& m = lines->emplace_back();
    if (!in.Int(&m.hierarchy_id) || !in.String(&m.controllers) || !in.String(&m.path)) {
      return false;
    }
  }
  return true;
}

}  // namespace procleak::store
