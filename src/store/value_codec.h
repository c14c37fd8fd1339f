// SPDX-License-Identifier: Apache-2.0
#pragma once
// The encoding of each type of value a snapshot record holds (procleak-record(5)): one PutValue
// and one GetValue per type, which the record codec picks by a field's member type.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "procleak/snapshot.h"
#include "store/varint.h"

namespace procleak::store {

// Each GetValue returns false on malformed input (the reader's Error then says where).
// A type without an overload here does not compile, rather than converting to one that has.
template <typename T>
void PutValue(std::string* out, const T& v) = delete;
template <typename T>
bool GetValue(ByteReader& in, T* v) = delete;

// bool: a byte 0 or 1. char: one byte. int: a signed varint. uint64_t: a varint. double: its
// IEEE-754 bits, 8 bytes little-endian. Strings: a varint length and the bytes.
void PutValue(std::string* out, bool v);
bool GetValue(ByteReader& in, bool* v);
void PutValue(std::string* out, char v);
bool GetValue(ByteReader& in, char* v);
void PutValue(std::string* out, int v);
bool GetValue(ByteReader& in, int* v);
void PutValue(std::string* out, uint64_t v);
bool GetValue(ByteReader& in, uint64_t* v);
void PutValue(std::string* out, double v);
bool GetValue(ByteReader& in, double* v);
void PutValue(std::string* out, const std::string& v);
bool GetValue(ByteReader& in, std::string* v);
void PutValue(std::string* out, CgroupMode v);  // one byte
bool GetValue(ByteReader& in, CgroupMode* v);

// Times are signed nanoseconds since the Unix epoch; the infinite past and future are the int64
// extremes. Durations are signed nanoseconds.
void PutValue(std::string* out, absl::Time t);
bool GetValue(ByteReader& in, absl::Time* t);
void PutValue(std::string* out, absl::Duration d);
bool GetValue(ByteReader& in, absl::Duration* d);

// Optional numbers are one varint tag: 0 absent, 1 escape (the value follows), else value + 2.
// A uint32_t is such a number below 2^32.
void PutValue(std::string* out, const std::optional<uint64_t>& v);
bool GetValue(ByteReader& in, std::optional<uint64_t>* v);
void PutValue(std::string* out, const std::optional<uint32_t>& v);
bool GetValue(ByteReader& in, std::optional<uint32_t>* v);
// Optional limits: 0 absent, 1 unlimited, 2 escape (the value follows), else value + 3.
void PutValue(std::string* out, const std::optional<Limit>& v);
bool GetValue(ByteReader& in, std::optional<Limit>* v);
// Other optionals: a byte 0 (absent) or 1, then the value.
void PutValue(std::string* out, const std::optional<int>& v);
bool GetValue(ByteReader& in, std::optional<int>* v);
void PutValue(std::string* out, const std::optional<absl::Time>& v);
bool GetValue(ByteReader& in, std::optional<absl::Time>* v);
// A byte of flags (1 present, 2 `some` follows, 4 `full` follows), each line its fields in
// table order (three doubles and a varint).
void PutValue(std::string* out, const std::optional<Pressure>& v);
bool GetValue(ByteReader& in, std::optional<Pressure>* v);

// Nested records in their table's order, each field as its type says (in version 3 the record
// codec writes memory.stat as fields with lengths instead, so that keys can be added).
void PutValue(std::string* out, const MemoryStat& v);
bool GetValue(ByteReader& in, MemoryStat* v);

// Lists are a varint count and the items. Pid lists are sorted, so each pid is its signed
// difference from the one before.
void PutValue(std::string* out, const std::vector<int>& pids);
bool GetValue(ByteReader& in, std::vector<int>* pids);
void PutValue(std::string* out, const std::vector<std::string>& v);
bool GetValue(ByteReader& in, std::vector<std::string>* v);
// Each line: the hierarchy id (a signed varint), the controllers and the path.
void PutValue(std::string* out, const std::vector<CgroupMembership>& v);
bool GetValue(ByteReader& in, std::vector<CgroupMembership>* v);

}  // namespace procleak::store
