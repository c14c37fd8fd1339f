// SPDX-License-Identifier: Apache-2.0
#pragma once
// The byte-level encoding of record payloads: LEB128 varints, zigzag, little-endian fixed-width
// integers and length-prefixed strings, and a bounds-checked reader for them.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace procleak::store {

inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline uint64_t Zigzag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}
inline int64_t Unzigzag(uint64_t v) {
  return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1);
}
inline void PutSigned(std::string* out, int64_t v) { PutVarint(out, Zigzag(v)); }

inline void PutFixed(std::string* out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline uint64_t GetFixed(std::string_view in, size_t at, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v |= uint64_t{static_cast<uint8_t>(in[at + i])} << (8 * i);
  return v;
}

inline void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

// Appends what put(out) appends, preceded by its length as a varint. One byte is reserved for
// the length, so only a part of 128 bytes or more moves once to make room for a longer one.
template <typename Put>
void PutLengthPrefixed(std::string* out, Put&& put) {
  const size_t at = out->size();
  out->push_back(0);
  put();
  const size_t n = out->size() - at - 1;
  if (n < 0x80) {
    (*out)[at] = static_cast<char>(n);
    return;
  }
  std::string length;
  PutVarint(&length, n);
  out->replace(at, 1, length);
}

// How many bytes of memory decoding may still allocate. What a count or a length makes the
// decoder create (a record, a list item, a string) is charged before it is created, so a payload
// cannot make a reader hold more than its bytes justify.
class DecodeBudget {
 public:
  explicit DecodeBudget(uint64_t bytes) : limit_(bytes) {}
  bool Take(uint64_t bytes) {
    if (bytes > limit_ - used_) {
      exhausted_ = true;
      return false;
    }
    used_ += bytes;
    return true;
  }
  uint64_t used() const { return used_; }
  bool exhausted() const { return exhausted_; }

 private:
  uint64_t limit_;
  uint64_t used_ = 0;
  bool exhausted_ = false;
};

// Reads what the Put functions wrote. Every getter returns false (and leaves its output alone)
// rather than reading past the end; Error() then names the byte where decoding stopped.
class ByteReader {
 public:
  // `base`: where `data` starts in the payload, for Error's offsets. `budget`: what decoding may
  // allocate (nullptr: no limit), shared with the readers of its parts.
  explicit ByteReader(std::string_view data, size_t base = 0, DecodeBudget* budget = nullptr)
      : data_(data), base_(base), budget_(budget) {}

  // A reader of `bytes`, which lie within this reader's data (a section, a field), charging the
  // same budget.
  ByteReader Part(std::string_view bytes) const {
    return ByteReader(bytes, base_ + static_cast<size_t>(bytes.data() - data_.data()), budget_);
  }

  // Charges `bytes` of memory about to be allocated; false when the budget does not cover them.
  bool Charge(uint64_t bytes) { return budget_ == nullptr || budget_->Take(bytes); }

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool done() const { return pos_ == data_.size(); }

  bool Varint(uint64_t* v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= data_.size()) return false;
      uint8_t byte = static_cast<uint8_t>(data_[pos_++]);
      // The tenth byte may only carry the top bit of a 64-bit value.
      if (shift == 63 && byte > 1) return false;
      result |= uint64_t{byte & 0x7fu} << shift;
      if (byte < 0x80) {
        *v = result;
        return true;
      }
    }
    return false;
  }

  bool Signed(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = Unzigzag(u);
    return true;
  }

  // A signed varint that must fit an int (pids, thread counts).
  bool Int(int* v) {
    int64_t wide;
    if (!Signed(&wide) || wide < INT32_MIN || wide > INT32_MAX) return false;
    *v = static_cast<int>(wide);
    return true;
  }

  bool Byte(uint8_t* v) {
    if (pos_ >= data_.size()) return false;
    *v = static_cast<uint8_t>(data_[pos_++]);
    return true;
  }

  bool Fixed(uint64_t* v, int bytes) {
    if (remaining() < static_cast<size_t>(bytes)) return false;
    *v = GetFixed(data_, pos_, bytes);
    pos_ += static_cast<size_t>(bytes);
    return true;
  }

  bool String(std::string* s) {
    uint64_t size;
    if (!Varint(&size) || size > remaining() || !Charge(size)) return false;
    s->assign(data_.data() + pos_, size);
    pos_ += size;
    return true;
  }

  // The next `n` bytes, which must all be there.
  bool Bytes(uint64_t n, std::string_view* out) {
    if (n > remaining()) return false;
    *out = data_.substr(pos_, n);
    pos_ += n;
    return true;
  }

  // A count of items that take at least one byte each, so a hostile count cannot make the
  // decoder reserve more than the payload could hold.
  bool Count(uint64_t* n) { return Varint(n) && *n <= remaining(); }

  // A Count of items that each take `item_bytes` in memory, all charged at once: a list that
  // would not fit the budget is refused before anything of it is allocated, and the one that
  // does can be reserved whole.
  bool Items(uint64_t* n, size_t item_bytes) { return Count(n) && Charge(*n * item_bytes); }

  absl::Status Error(std::string_view what) const {
    return absl::InvalidArgumentError(
        fmt::format("malformed payload at byte {}: {}", base_ + pos_, what));
  }

 private:
  std::string_view data_;
  size_t base_ = 0;
  size_t pos_ = 0;
  DecodeBudget* budget_ = nullptr;
};

}  // namespace procleak::store
