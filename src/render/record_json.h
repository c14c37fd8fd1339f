// SPDX-License-Identifier: Apache-2.0
#pragma once
// The snapshot records' fields in the procleak.scan/1 document: written by walking the field
// tables of model/record_fields.h, one overload per value type (the reader walks the same tables).

#include <span>
#include <string_view>

#include "model/record_fields.h"
#include "render/json_writer.h"

namespace procleak {

// Fields written as null when empty (a string) or 0 (a number): the document's spelling of "none".
inline constexpr std::string_view kHostNullWhenEmpty[] = {"proc_hidden"};
inline constexpr std::string_view kProcessNullWhenEmpty[] = {"container"};
inline constexpr std::string_view kContainerNullWhenEmpty[] = {"init_pid"};

// The suffix of a limit's sibling that says whether it is unlimited (`pids_max_unlimited`).
inline constexpr std::string_view kUnlimitedSuffix = "_unlimited";

struct JsonKey {
  std::string_view name;
  bool null_when_empty = false;
};

void WriteField(JsonWriter& w, JsonKey key, bool value);
void WriteField(JsonWriter& w, JsonKey key, char value);
void WriteField(JsonWriter& w, JsonKey key, int value);
void WriteField(JsonWriter& w, JsonKey key, uint64_t value);
void WriteField(JsonWriter& w, JsonKey key, double value);
void WriteField(JsonWriter& w, JsonKey key, const std::string& value);
void WriteField(JsonWriter& w, JsonKey key, CgroupMode value);
void WriteField(JsonWriter& w, JsonKey key, absl::Time value);
void WriteField(JsonWriter& w, JsonKey key, absl::Duration value);
void WriteField(JsonWriter& w, JsonKey key, const std::optional<int>& value);
void WriteField(JsonWriter& w, JsonKey key, const std::optional<uint32_t>& value);
void WriteField(JsonWriter& w, JsonKey key, const std::optional<uint64_t>& value);
void WriteField(JsonWriter& w, JsonKey key, const std::optional<absl::Time>& value);
void WriteField(JsonWriter& w, JsonKey key, const std::optional<Limit>& value);
void WriteField(JsonWriter& w, JsonKey key, const std::optional<Pressure>& value);
void WriteField(JsonWriter& w, JsonKey key, const MemoryStat& value);
void WriteField(JsonWriter& w, JsonKey key, const std::vector<std::string>& value);
// The pid lists of cgroups and containers are not written: each process names its cgroup and
// container, and the reader derives the lists from those (SnapshotFromScanJson).
inline void WriteField(JsonWriter&, JsonKey, const std::vector<int>&) {}
void WriteField(JsonWriter& w, JsonKey key, const std::vector<CgroupMembership>& value);

inline bool Listed(std::span<const std::string_view> names, std::string_view name) {
  for (std::string_view n : names) {
    if (n == name) return true;
  }
  return false;
}

// Writes every field of `record` in table order, as members of the object being written.
template <typename R, size_t N>
void WriteFields(JsonWriter& w, const fields::Field<R> (&table)[N], const R& record,
                 std::span<const std::string_view> null_when_empty = {}) {
  fields::ForEach(table, record, [&](const fields::Field<R>& field, const auto& value) {
    WriteField(w, JsonKey{field.name, Listed(null_when_empty, field.name)}, value);
  });
}

// A cgroup_lines element: the line of /proc/PID/cgroup it came from ("4:memory:/docker/x").
std::string CgroupLine(const CgroupMembership& line);

}  // namespace procleak
