// SPDX-License-Identifier: Apache-2.0
#include "render/record_json.h"

#include "absl/strings/str_cat.h"
#include "base/text_format.h"
#include "fmt/format.h"

namespace procleak {

void WriteField(JsonWriter& w, JsonKey key, bool value) {
  w.Key(key.name);
  w.Bool(value);
}

void WriteField(JsonWriter& w, JsonKey key, char value) {
  w.StringWithBytes(key.name, std::string_view(&value, 1));
}

void WriteField(JsonWriter& w, JsonKey key, int value) {
  w.Key(key.name);
  if (key.null_when_empty && value == 0) return w.Null();
  w.Int(value);
}

void WriteField(JsonWriter& w, JsonKey key, uint64_t value) {
  w.Key(key.name);
  w.Uint(value);
}

void WriteField(JsonWriter& w, JsonKey key, double value) {
  w.Key(key.name);
  w.Double(value);
}

void WriteField(JsonWriter& w, JsonKey key, const std::string& value) {
  if (key.null_when_empty && value.empty()) {
    w.Key(key.name);
    return w.Null();
  }
  w.StringWithBytes(key.name, value);
}

void WriteField(JsonWriter& w, JsonKey key, CgroupMode value) {
  w.Key(key.name);
  w.String(CgroupModeName(value));
}

void WriteField(JsonWriter& w, JsonKey key, absl::Time value) {
  w.Key(key.name);
  w.String(FormatRfc3339(value));
}

// In milliseconds, with a fraction.
void WriteField(JsonWriter& w, JsonKey key, absl::Duration value) {
  w.Key(key.name);
  w.Double(absl::ToDoubleMilliseconds(value));
}

void WriteField(JsonWriter& w, JsonKey key, const std::optional<int>& value) {
  w.Key(key.name);
  value ? w.Int(*value) : w.Null();
}

void WriteField(JsonWriter& w, JsonKey key, const std::optional<uint32_t>& value) {
  w.Key(key.name);
  value ? w.Uint(*value) : w.Null();
}

void WriteField(JsonWriter& w, JsonKey key, const std::optional<uint64_t>& value) {
  w.Key(key.name);
  value ? w.Uint(*value) : w.Null();
}

void WriteField(JsonWriter& w, JsonKey key, const std::optional<absl::Time>& value) {
  w.Key(key.name);
  value ? (void)w.String(FormatRfc3339(*value)) : w.Null();
}

// The number, null when unlimited or unknown; the sibling tells those two apart.
void WriteField(JsonWriter& w, JsonKey key, const std::optional<Limit>& value) {
  w.Key(key.name);
  value && !value->unlimited() ? w.Uint(value->value()) : w.Null();
  w.Key(fmt::format("{}{}", key.name, kUnlimitedSuffix));
  w.Bool(value && value->unlimited());
}

void WriteField(JsonWriter& w, JsonKey key, const std::optional<Pressure>& value) {
  w.Key(key.name);
  if (!value) return w.Null();
  w.BeginObject();
  for (const auto& [name, line] : {std::pair{"some", &value->some}, {"full", &value->full}}) {
    w.Key(name);
    if (!*line) {
      w.Null();
      continue;
    }
    w.BeginObject();
    WriteFields(w, fields::kPressureLineFields, **line);
    w.EndObject();
  }
  w.EndObject();
}

void WriteField(JsonWriter& w, JsonKey key, const MemoryStat& value) {
  w.Key(key.name);
  w.BeginObject();
  WriteFields(w, fields::kMemoryStatFields, value);
  w.EndObject();
}

void WriteField(JsonWriter& w, JsonKey key, const std::vector<std::string>& value) {
  w.StringsWithBytes(key.name, value);
}

std::string CgroupLine(const CgroupMembership& line) {
  return absl::StrCat(line.hierarchy_id, ":", line.controllers, ":", line.path);
}

void WriteField(JsonWriter& w, JsonKey key, const std::vector<CgroupMembership>& value) {
  std::vector<std::string> lines;
  lines.reserve(value.size());
  for (const CgroupMembership& line : value) lines.push_back(CgroupLine(line));
  w.StringsWithBytes(key.name, lines);
}

}  // namespace procleak
