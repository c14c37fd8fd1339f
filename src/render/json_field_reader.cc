// SPDX-License-Identifier: Apache-2.0
#include "render/json_field_reader.h"

#include <charconv>
#include <cmath>

#include "absl/strings/escaping.h"
#include "fmt/format.h"

namespace procleak {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kNumber = "expected a number";
constexpr std::string_view kBool = "expected true or false";
constexpr std::string_view kBase64 = "expected base64";

std::string Base64Key(std::string_view key) { return fmt::format("{}_base64", key); }
std::string Index(std::string_view array, size_t i) { return fmt::format("{}[{}]", array, i); }

std::optional<CgroupMode> ModeNamed(std::string_view name) {
  for (CgroupMode m : {CgroupMode::kNone, CgroupMode::kV1, CgroupMode::kV2, CgroupMode::kHybrid}) {
    if (name == CgroupModeName(m)) return m;
  }
  return std::nullopt;
}

// "4:memory:/docker/x": the path is everything after the second colon.
std::optional<CgroupMembership> ParseCgroupLine(std::string_view line) {
  const size_t first = line.find(':');
  const size_t second = first == std::string_view::npos ? first : line.find(':', first + 1);
  CgroupMembership m;
  if (second == std::string_view::npos) return std::nullopt;
  const auto [end, error] = std::from_chars(line.data(), line.data() + first, m.hierarchy_id);
  if (error != std::errc() || end != line.data() + first) return std::nullopt;
  m.controllers = std::string(line.substr(first + 1, second - first - 1));
  m.path = std::string(line.substr(second + 1));
  return m;
}

// `value`, which a required key must have: "missing", or `expected` when it is null.
template <typename T>
void Require(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
             std::optional<T> value, std::string_view expected, T* out) {
  if (value) {
    *out = *std::move(value);
  } else {
    r.Absent(obj, path, key.name, key.required, expected);
  }
}

template <typename T>
std::optional<T> As(const Json* v) {
  return v != nullptr ? std::optional<T>(v->get<T>()) : std::nullopt;
}

}  // namespace

absl::Status JsonReader::status() const {
  return ok() ? absl::OkStatus() : absl::InvalidArgumentError(fmt::format("{}: {}", name_, error_));
}

void JsonReader::Fail(std::string_view path, std::string_view what) {
  if (ok()) error_ = fmt::format("{}: {}", path, what);
}

std::string JsonReader::Join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : fmt::format("{}.{}", path, key);
}

const Json* JsonReader::Find(const Json& obj, std::string_view key) {
  auto it = obj.find(key);
  return it == obj.end() || it->is_null() ? nullptr : &*it;
}

const Json* JsonReader::Get(const Json& obj, std::string_view path, std::string_view key,
                            bool (Json::*valid)() const noexcept, std::string_view expected) {
  const Json* v = Find(obj, key);
  if (v != nullptr && !(v->*valid)()) {
    Fail(Join(path, key), expected);
    return nullptr;
  }
  return v;
}

void JsonReader::Absent(const Json& obj, std::string_view path, std::string_view key, bool required,
                        std::string_view expected) {
  if (required) Fail(Join(path, key), obj.contains(key) ? expected : "missing");
}

std::optional<int64_t> JsonReader::OptInt(const Json& obj, std::string_view path,
                                          std::string_view key, int64_t min, int64_t max) {
  const Json* v = Get(obj, path, key, &Json::is_number_integer, kInteger);
  if (v == nullptr) return std::nullopt;
  if (v->is_number_unsigned() ? v->get<uint64_t>() > static_cast<uint64_t>(max)
                              : v->get<int64_t>() < min || v->get<int64_t>() > max) {
    Fail(Join(path, key), "out of range");
    return std::nullopt;
  }
  return v->get<int64_t>();
}

std::optional<uint64_t> JsonReader::OptUint(const Json& obj, std::string_view path,
                                            std::string_view key) {
  return As<uint64_t>(Get(obj, path, key, &Json::is_number_unsigned, kUnsigned));
}

std::optional<absl::Time> JsonReader::OptTime(const Json& obj, std::string_view path,
                                              std::string_view key) {
  const Json* v = Get(obj, path, key, &Json::is_string, kTime);
  absl::Time t;
  std::string err;
  if (v == nullptr) return std::nullopt;
  if (!absl::ParseTime(absl::RFC3339_full, v->get_ref<const std::string&>(), &t, &err)) {
    Fail(Join(path, key), kTime);
    return std::nullopt;
  }
  return t;
}

std::optional<std::string> JsonReader::OptText(const Json& obj, std::string_view path,
                                               std::string_view key) {
  const std::string base64_key = Base64Key(key);
  if (const Json* b = Get(obj, path, base64_key, &Json::is_string, kString)) {
    std::string bytes;
    if (absl::Base64Unescape(b->get_ref<const std::string&>(), &bytes)) return bytes;
    Fail(Join(path, base64_key), kBase64);
    return std::nullopt;
  }
  return As<std::string>(Get(obj, path, key, &Json::is_string, kString));
}

const Json* JsonReader::Array(const Json& obj, std::string_view path, std::string_view key,
                              bool required) {
  const Json* v = Get(obj, path, key, &Json::is_array, "expected an array");
  if (v == nullptr && (required || obj.contains(key)) && ok()) {
    Fail(Join(path, key), obj.contains(key) ? "expected an array" : "missing");
  }
  return v;
}

const Json* JsonReader::Object(const Json& obj, std::string_view path, std::string_view key) {
  const Json* v = Get(obj, path, key, &Json::is_object, "expected an object");
  if (v == nullptr && ok()) {
    Fail(Join(path, key), obj.contains(key) ? "expected an object" : "missing");
  }
  return v;
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key, bool* out) {
  Require(r, obj, path, key, As<bool>(r.Get(obj, path, key.name, &Json::is_boolean, kBool)), kBool,
          out);
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key, char* out) {
  const std::optional<std::string> text = r.OptText(obj, path, key.name);
  if (!text) return r.Absent(obj, path, key.name, key.required, JsonReader::kString);
  if (text->size() != 1) return r.Fail(JsonReader::Join(path, key.name), "expected one character");
  *out = (*text)[0];
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key, int* out) {
  std::optional<int64_t> v = r.OptInt(obj, path, key.name);
  Require(r, obj, path, key, v ? std::optional<int>(*v) : std::nullopt, JsonReader::kInteger, out);
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key, uint64_t* out) {
  Require(r, obj, path, key, r.OptUint(obj, path, key.name), JsonReader::kUnsigned, out);
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key, double* out) {
  Require(r, obj, path, key, As<double>(r.Get(obj, path, key.name, &Json::is_number, kNumber)),
          kNumber, out);
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::string* out) {
  Require(r, obj, path, key, r.OptText(obj, path, key.name), JsonReader::kString, out);
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               CgroupMode* out) {
  const std::optional<std::string> name = r.OptText(obj, path, key.name);
  if (!name) return r.Absent(obj, path, key.name, key.required, JsonReader::kString);
  if (std::optional<CgroupMode> mode = ModeNamed(*name)) {
    *out = *mode;
  } else {
    r.Fail(JsonReader::Join(path, key.name), fmt::format("unknown mode \"{}\"", *name));
  }
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               absl::Time* out) {
  Require(r, obj, path, key, r.OptTime(obj, path, key.name), JsonReader::kTime, out);
}

// Milliseconds with a fraction, back to the nanosecond they were written from.
void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               absl::Duration* out) {
  double ms = 0;
  ReadField(r, obj, path, key, &ms);
  *out = std::isfinite(ms) && std::abs(ms) < 1e12 ? absl::Nanoseconds(std::llround(ms * 1e6))
                                                  : absl::Milliseconds(ms);
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::optional<int>* out) {
  std::optional<int64_t> v = r.OptInt(obj, path, key.name);
  *out = v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::optional<uint32_t>* out) {
  std::optional<int64_t> v = r.OptInt(obj, path, key.name, 0, UINT32_MAX);
  *out = v ? std::optional<uint32_t>(static_cast<uint32_t>(*v)) : std::nullopt;
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::optional<uint64_t>* out) {
  *out = r.OptUint(obj, path, key.name);
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::optional<absl::Time>* out) {
  *out = r.OptTime(obj, path, key.name);
}

// Null with `key`_unlimited true is unlimited; null alone is unknown (so is every null limit of
// a document written before the sibling existed).
void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::optional<Limit>* out) {
  const std::string unlimited_key = fmt::format("{}{}", key.name, kUnlimitedSuffix);
  const Json* unlimited = r.Get(obj, path, unlimited_key, &Json::is_boolean, kBool);
  if (unlimited != nullptr && unlimited->get<bool>()) {
    *out = Limit::Unlimited();
  } else if (std::optional<uint64_t> v = r.OptUint(obj, path, key.name)) {
    *out = Limit::Of(*v);
  } else {
    *out = std::nullopt;
  }
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::optional<Pressure>* out) {
  constexpr std::string_view kObjectOrNull = "expected an object or null";
  const Json* v = r.Get(obj, path, key.name, &Json::is_object, kObjectOrNull);
  if (v == nullptr) return out->reset();
  const std::string at = JsonReader::Join(path, key.name);
  Pressure pressure;
  for (auto [name, line] : {std::pair{"some", &pressure.some}, {"full", &pressure.full}}) {
    const Json* l = r.Get(*v, at, name, &Json::is_object, kObjectOrNull);
    if (l == nullptr) continue;
    line->emplace();
    ReadFields(r, *l, JsonReader::Join(at, name), fields::kPressureLineFields, &**line);
  }
  *out = pressure;
}

void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               MemoryStat* out) {
  if (const Json* v = r.Get(obj, path, key.name, &Json::is_object, "expected an object")) {
    ReadFields(r, *v, JsonReader::Join(path, key.name), fields::kMemoryStatFields, out);
  }
}

// The array, or the bytes of `key`_base64 when that is there.
void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::vector<std::string>* out) {
  const std::string base64_key = Base64Key(key.name);
  const Json* base64 = r.Get(obj, path, base64_key, &Json::is_array, "expected an array");
  const Json* array = base64 != nullptr ? base64 : r.Array(obj, path, key.name, key.required);
  if (array == nullptr) return;
  const std::string at = JsonReader::Join(path, base64 != nullptr ? base64_key : key.name);
  out->clear();
  out->reserve(array->size());
  for (size_t i = 0; i < array->size(); ++i) {
    const Json& element = (*array)[i];
    if (!element.is_string()) return r.Fail(Index(at, i), JsonReader::kString);
    if (base64 == nullptr) {
      out->push_back(element.get<std::string>());
      continue;
    }
    std::string bytes;
    if (!absl::Base64Unescape(element.get_ref<const std::string&>(), &bytes)) {
      return r.Fail(Index(at, i), kBase64);
    }
    out->push_back(std::move(bytes));
  }
}

// Lines as /proc/PID/cgroup has them; missing from documents of procleak before they were added.
void ReadField(JsonReader& r, const Json& obj, std::string_view path, ReadKey key,
               std::vector<CgroupMembership>* out) {
  std::vector<std::string> lines;
  key.required = false;
  ReadField(r, obj, path, key, &lines);
  out->clear();
  for (size_t i = 0; i < lines.size(); ++i) {
    std::optional<CgroupMembership> line = ParseCgroupLine(lines[i]);
    if (!line) {
      return r.Fail(Index(JsonReader::Join(path, key.name), i),
                    "expected hierarchy-ID:controllers:path");
    }
    out->push_back(*std::move(line));
  }
}

}  // namespace procleak
