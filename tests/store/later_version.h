// SPDX-License-Identifier: Apache-2.0
#pragma once
// Payloads and records as a later procleak might write them (format 3 framing with fields and a
// section this one does not know), for the record format test and the store_fuzz seeds.

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "procleak/snapshot.h"
#include "store/field_codec.h"
#include "store/frame.h"
#include "store/varint.h"

namespace procleak::store {

// The field set of `record` with one more field, number `bit`, holding `bytes`: what a later
// procleak that added a row to the table would write.
template <typename R>
std::string WithUnknownField(const R& record, int bit, std::string_view bytes) {
  std::string known;
  PutFields(record, AllIn<R>(kFormatVersion), kFormatVersion, &known);
  ByteReader in(known);
  uint64_t mask;
  EXPECT_TRUE(in.Varint(&mask));
  std::string out;
  PutVarint(&out, mask | uint64_t{1} << bit);
  out.append(known.substr(in.offset()));
  PutString(&out, bytes);  // the field's length, then its bytes
  return out;
}

// Field `row` of `record` as a field set holds it: its length and its bytes.
template <typename R>
std::string OneField(const R& record, size_t row) {
  std::string set;
  PutFields(record, uint64_t{1} << row, kFormatVersion, &set);
  ByteReader in(set);
  uint64_t mask;
  EXPECT_TRUE(in.Varint(&mask));
  return set.substr(in.offset());
}

// A list section adding `records` (each an encoded field set).
std::string AddedSection(const std::vector<std::string>& records);

// A payload of format 3 from its sections, each with its length in front.
std::string Sections(const std::vector<std::string>& sections);

// A key payload of `s` as a later procleak might write it: an extra field in the host, in a
// process, in a cgroup's memory.stat and in a container, and an extra section at the end.
std::string PayloadWithUnknownFields(const Snapshot& s);

// A record of format version kFormatVersion + 1 holding that payload as one key frame.
std::string LaterVersionRecord(const Snapshot& s);

}  // namespace procleak::store
