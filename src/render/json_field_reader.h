// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reading snapshot records out of a parsed procleak.scan/1 document by walking the field tables of
// model/record_fields.h: one overload per value type, as render/record_json.h writes them.

#include <climits>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "model/record_fields.h"
#include "nlohmann/json.hpp"
#include "render/record_json.h"

namespace procleak {

// Reads typed values out of the document. The first problem is kept ("processes[3].pid: expected
// an integer") and every later read returns a default, so callers check ok() once per section.
class JsonReader {
 public:
  using Json = nlohmann::json;
  explicit JsonReader(std::string_view name) : name_(name) {}

  bool ok() const { return error_.empty(); }
  absl::Status status() const;
  void Fail(std::string_view path, std::string_view what);
  static std::string Join(std::string_view path, std::string_view key);

  // obj[key] when present and not null; nullptr otherwise.
  static const Json* Find(const Json& obj, std::string_view key);
  // obj[key] when present, not null and `valid`; records `expected` when it is not valid.
  const Json* Get(const Json& obj, std::string_view path, std::string_view key,
                  bool (Json::*valid)() const noexcept, std::string_view expected);
  // Records "missing" (or `expected`, when obj[key] is null) if `required`; for a value that is
  // not there.
  void Absent(const Json& obj, std::string_view path, std::string_view key, bool required,
              std::string_view expected);

  std::optional<int64_t> OptInt(const Json& obj, std::string_view path, std::string_view key,
                                int64_t min = INT_MIN, int64_t max = INT_MAX);
  std::optional<uint64_t> OptUint(const Json& obj, std::string_view path, std::string_view key);
  std::optional<absl::Time> OptTime(const Json& obj, std::string_view path, std::string_view key);
  // obj[key] as a string, or the bytes of obj[key_base64] when that is there.
  std::optional<std::string> OptText(const Json& obj, std::string_view path, std::string_view key);
  // obj[key] as an array (of the sizes of `key`_base64 when that is there); `required` makes a
  // missing one an error.
  const Json* Array(const Json& obj, std::string_view path, std::string_view key, bool required);
  const Json* Object(const Json& obj, std::string_view path, std::string_view key);

  static constexpr std::string_view kInteger = "expected an integer";
  static constexpr std::string_view kUnsigned = "expected a non-negative integer";
  static constexpr std::string_view kTime = "expected an RFC 3339 time";
  static constexpr std::string_view kString = "expected a string";

 private:
  std::string name_;
  std::string error_;
};

// A table row as the reader sees it: rows the first record format had must be there (a later
// row is missing from documents of procleak before it: its default), unless null means empty.
struct ReadKey {
  std::string_view name;
  bool required = true;
  bool null_when_empty = false;
};

void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               bool* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               char* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               int* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               uint64_t* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               double* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::string* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               CgroupMode* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               absl::Time* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               absl::Duration* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::optional<int>* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::optional<uint32_t>* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::optional<uint64_t>* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::optional<absl::Time>* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::optional<Limit>* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::optional<Pressure>* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               MemoryStat* out);
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::vector<std::string>* out);
// Pid lists are not members (see WriteField): SnapshotFromScanJson derives them.
inline void ReadField(JsonReader&, const nlohmann::json&, std::string_view, ReadKey,
                      std::vector<int>*) {}
void ReadField(JsonReader& r, const nlohmann::json& obj, std::string_view path, ReadKey key,
               std::vector<CgroupMembership>* out);

// Reads every field of the table from `obj` (at `path`) into `record`.
template <typename R, size_t N>
void ReadFields(JsonReader& r, const nlohmann::json& obj, std::string_view path,
                const fields::Field<R> (&table)[N], R* record,
                std::span<const std::string_view> null_when_empty = {}) {
  fields::ForEach(table, *record, [&](const fields::Field<R>& field, auto& value) {
    const bool null_ok = Listed(null_when_empty, field.name);
    ReadField(r, obj, path, ReadKey{field.name, field.since == 1 && !null_ok, null_ok}, &value);
  });
}

}  // namespace procleak
