// SPDX-License-Identifier: Apache-2.0
#include "store/field_codec.h"

#include <bit>
#include <cstdint>
#include <string_view>
#include <type_traits>
#include <variant>

#include "store/value_codec.h"

namespace procleak::store {
namespace {

// One field's value. A nested record with a table of its own (memory.stat) is a set of fields
// like the record around it from kFirstFramedVersion on, so that keys can be added to it too.
template <typename T>
void PutField(const T& value, uint32_t version, std::string* out) {
  if constexpr (std::is_same_v<T, MemoryStat>) {
    if (version >= kFirstFramedVersion) {
      PutFields(value, AllIn<MemoryStat>(version), version, out);
      return;
    }
  }
  PutValue(out, value);
}

template <typename T>
bool GetField(ByteReader& in, uint32_t version, T* value) {
  if constexpr (std::is_same_v<T, MemoryStat>) {
    if (version >= kFirstFramedVersion) {
      *value = MemoryStat{};  // fields the writer left out are absent
      return GetFields(in, version, 0, value);
    }
  }
  return GetValue(in, value);
}

}  // namespace

template <typename R>
uint64_t Diff(const R& a, const R& b) {
  const auto& table = RecordType<R>::kTable;
  uint64_t mask = 0;
  for (size_t i = RecordType<R>::kIdentityRows; i < std::size(table); ++i) {
    std::visit(
        [&](auto member) {
          if (!(a.*member == b.*member)) mask |= uint64_t{1} << i;
        },
        table[i].member);
  }
  return mask;
}

template <typename R>
void PutFields(const R& record, uint64_t mask, uint32_t version, std::string* out) {
  const auto& table = RecordType<R>::kTable;
  const bool framed = version >= kFirstFramedVersion;
  if (framed) PutVarint(out, mask);
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    const size_t i = static_cast<size_t>(std::countr_zero(m));
    auto put = [&] {
      std::visit([&](auto member) { PutField(record.*member, version, out); }, table[i].member);
    };
    if (framed) {
      PutLengthPrefixed(out, put);
    } else {
      put();
    }
  }
}

template <typename R>
bool GetFields(ByteReader& in, uint32_t version, uint64_t mask, R* record) {
  const auto& table = RecordType<R>::kTable;
  auto get = [&](ByteReader& from, size_t i) {
    return std::visit([&](auto member) { return GetField(from, version, &(record->*member)); },
                      table[i].member);
  };
  if (version < kFirstFramedVersion) {
    if ((mask & ~AllIn<R>(version)) != 0) return false;
    for (uint64_t m = mask; m != 0; m &= m - 1) {
      if (!get(in, static_cast<size_t>(std::countr_zero(m)))) return false;
    }
    return true;
  }
  if (!in.Varint(&mask)) return false;
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    const size_t i = static_cast<size_t>(std::countr_zero(m));
    uint64_t length;
    std::string_view bytes;
    if (!in.Varint(&length) || !in.Bytes(length, &bytes)) return false;
    if (i >= std::size(table)) continue;  // a field a later procleak added
    ByteReader field = in.Part(bytes);
    if (!get(field, i) || !field.done()) return false;
  }
  return true;
}

#define PROCLEAK_RECORD_TYPE(R)                                           \
  template uint64_t Diff<R>(const R&, const R&);                          \
  template void PutFields<R>(const R&, uint64_t, uint32_t, std::string*); \
  template bool GetFields<R>(ByteReader&, uint32_t, uint64_t, R*);
PROCLEAK_RECORD_TYPE(Host)
PROCLEAK_RECORD_TYPE(ScanStats)
PROCLEAK_RECORD_TYPE(Process)
PROCLEAK_RECORD_TYPE(Cgroup)
PROCLEAK_RECORD_TYPE(Container)
PROCLEAK_RECORD_TYPE(MemoryStat)
#undef PROCLEAK_RECORD_TYPE

}  // namespace procleak::store
