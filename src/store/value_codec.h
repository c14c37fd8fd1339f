// SPDX-License-Identifier: Apache-2.0
#pragma once
// The encoding of the values snapshot records hold beyond plain numbers and strings: optional
// numbers and limits, times, memory.stat, pressure, pid lists, argv and cgroup lines.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "procleak/snapshot.h"
#include "store/varint.h"

namespace procleak::store {

// Each Get returns false on malformed input (the reader's Error then says where).

// Optional numbers are one varint tag: 0 absent, 1 escape (the value follows), else value + 2.
void PutOptional(std::string* out, const std::optional<uint64_t>& v);
bool GetOptional(ByteReader& in, std::optional<uint64_t>* v);
bool GetUid(ByteReader& in, std::optional<uint32_t>* uid);  // an optional number below 2^32

// Optional ints (which may be negative): a byte 0 (absent) or 1, then the value as a signed
// varint.
void PutOptionalInt(std::string* out, const std::optional<int>& v);
bool GetOptionalInt(ByteReader& in, std::optional<int>* v);

// Optional limits: 0 absent, 1 unlimited, 2 escape (the value follows), else value + 3.
void PutLimit(std::string* out, const std::optional<Limit>& limit);
bool GetLimit(ByteReader& in, std::optional<Limit>* limit);

// Times are signed nanoseconds since the Unix epoch; the infinite past and future are the int64
// extremes.
void PutTime(std::string* out, absl::Time t);
bool GetTime(ByteReader& in, absl::Time* t);
void PutOptionalTime(std::string* out, const std::optional<absl::Time>& t);
bool GetOptionalTime(ByteReader& in, std::optional<absl::Time>* t);

void PutMemoryStat(std::string* out, const MemoryStat& s);
bool GetMemoryStat(ByteReader& in, MemoryStat* s);

void PutPressure(std::string* out, const std::optional<Pressure>& p);
bool GetPressure(ByteReader& in, std::optional<Pressure>* p);

void PutPids(std::string* out, const std::vector<int>& pids);
bool GetPids(ByteReader& in, std::vector<int>* pids);

void PutStrings(std::string* out, const std::vector<std::string>& strings);
bool GetStrings(ByteReader& in, std::vector<std::string>* strings);

void PutMemberships(std::string* out, const std::vector<CgroupMembership>& lines);
bool GetMemberships(ByteReader& in, std::vector<CgroupMembership>* lines);

}  // namespace procleak::store
