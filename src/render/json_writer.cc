// SPDX-License-Identifier: Apache-2.0
#include "render/json_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "absl/strings/escaping.h"
#include "base/terminal_text.h"
#include "procleak/version.h"

namespace procleak {
namespace {

constexpr size_t kFlushAt = 64 * 1024;
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

void AppendEscaped(unsigned char c, std::string* out) {
  switch (c) {
    case '"':
      out->append("\\\"");
      return;
    case '\\':
      out->append("\\\\");
      return;
    case '\b':
      out->append("\\b");
      return;
    case '\f':
      out->append("\\f");
      return;
    case '\n':
      out->append("\\n");
      return;
    case '\r':
      out->append("\\r");
      return;
    case '\t':
      out->append("\\t");
      return;
    default: {
      constexpr char kHex[] = "0123456789abcdef";
      const char u[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out->append(u, sizeof u);
    }
  }
}

}  // namespace

std::string_view ProcleakVersion() { return PROCLEAK_VERSION; }

void WriteDocumentHeader(JsonWriter& w, std::string_view schema) {
  w.Key("schema");
  w.String(schema);
  w.Key("procleak_version");
  w.String(ProcleakVersion());
}

namespace {

// Whether any of the 8 bytes in `word` is a control character, '"', '\\' or not ASCII: the bytes
// a JSON string cannot hold as they are. (w - n * ones) & ~w & high is non-zero exactly when a
// byte of w is below n, for n <= 128 ("Bit Twiddling Hacks", S. E. Anderson).
bool NeedsCare(uint64_t word) {
  constexpr uint64_t kOnes = 0x0101010101010101, kHigh = 0x8080808080808080;
  auto below = [](uint64_t w, uint64_t n) { return (w - kOnes * n) & ~w & kHigh; };
  return (below(word, 0x20) | below(word ^ (kOnes * '"'), 1) |
          below(word ^ (kOnes * '\\'), 1) | (word & kHigh)) != 0;
}

}  // namespace

bool AppendJsonString(std::string_view text, std::string* out) {
  bool valid = true;
  out->push_back('"');
  size_t run = 0;  // start of the bytes copied as they are
  size_t i = 0;
  while (i < text.size()) {
    // Eight plain bytes at a time: most text is.
    uint64_t word;
    if (i + sizeof word <= text.size() &&
        (std::memcpy(&word, text.data() + i, sizeof word), !NeedsCare(word))) {
      i += sizeof word;
      continue;
    }
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (size_t n = Utf8SequenceLength(text, i); n != 0) {
        i += n;
        continue;
      }
    }
    out->append(text.data() + run, i - run);
    if (c < 0x80) {
      AppendEscaped(c, out);
    } else {
      out->append(kReplacement);
      valid = false;
    }
    run = ++i;
  }
  out->append(text.data() + run, text.size() - run);
  out->push_back('"');
  return valid;
}

JsonWriter::JsonWriter(int indent, std::FILE* out) : indent_(indent), out_(out) {
  if (out_ != nullptr) buffer_.reserve(kFlushAt + 4096);
}

void JsonWriter::NewLine(size_t depth) {
  if (indent_ < 0) return;
  buffer_.push_back('\n');
  buffer_.append(depth * static_cast<size_t>(indent_), ' ');
}

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (counts_.empty()) return;
  if (counts_.back()++ > 0) buffer_.push_back(',');
  NewLine(counts_.size());
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendJsonString(key, &buffer_);
  buffer_.append(indent_ < 0 ? ":" : ": ");
  after_key_ = true;
}

void JsonWriter::Open(char bracket) {
  BeforeValue();
  buffer_.push_back(bracket);
  counts_.push_back(0);
}

void JsonWriter::Close(char bracket) {
  const bool empty = counts_.back() == 0;
  counts_.pop_back();
  if (!empty) NewLine(counts_.size());
  buffer_.push_back(bracket);
  MaybeFlush();
}

bool JsonWriter::String(std::string_view text) {
  BeforeValue();
  return AppendJsonString(text, &buffer_);
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  char digits[24];
  buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

void JsonWriter::Uint(uint64_t value) {
  BeforeValue();
  char digits[24];
  buffer_.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

void JsonWriter::Double(double value) {
  if (!std::isfinite(value)) return Null();
  BeforeValue();
  char digits[32];
  const std::string_view text(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
  buffer_.append(text);
  // As nlohmann writes a whole double: "1.0", so that it reads back as a number with a fraction.
  if (text.find_first_of(".e") == std::string_view::npos) buffer_.append(".0");
}

void JsonWriter::Bool(bool value) {
  BeforeValue();
  buffer_.append(value ? "true" : "false");
}

void JsonWriter::Null() {
  BeforeValue();
  buffer_.append("null");
}

void JsonWriter::Value(const nlohmann::ordered_json& value) {
  using Type = nlohmann::ordered_json::value_t;
  switch (value.type()) {
    case Type::object:
      BeginObject();
      for (const auto& [key, member] : value.items()) {
        Key(key);
        Value(member);
      }
      return EndObject();
    case Type::array:
      BeginArray();
      for (const auto& element : value) Value(element);
      return EndArray();
    case Type::string:
      String(value.get_ref<const std::string&>());
      return;
    case Type::boolean:
      return Bool(value.get<bool>());
    case Type::number_integer:
      return Int(value.get<int64_t>());
    case Type::number_unsigned:
      return Uint(value.get<uint64_t>());
    case Type::number_float:
      return Double(value.get<double>());
    default:
      return Null();
  }
}

void JsonWriter::StringWithBytes(std::string_view key, std::string_view text) {
  Key(key);
  if (String(text)) return;
  std::string base64_key(key);
  base64_key.append("_base64");
  Key(base64_key);
  String(absl::Base64Escape(absl::string_view(text.data(), text.size())));
}

void JsonWriter::StringsWithBytes(std::string_view key, std::span<const std::string> texts) {
  Key(key);
  BeginArray();
  bool valid = true;
  for (const std::string& text : texts) valid &= String(text);
  EndArray();
  if (valid) return;
  std::string base64_key(key);
  base64_key.append("_base64");
  Key(base64_key);
  BeginArray();
  for (const std::string& text : texts)
    String(absl::Base64Escape(absl::string_view(text.data(), text.size())));
  EndArray();
}

JsonWriter JsonWriter::Continuation(size_t expected_bytes) const {
  JsonWriter part(indent_);
  part.buffer_.reserve(expected_bytes);
  part.counts_ = counts_;
  part.counts_.back() = 1;  // its first value follows one of this writer's: a comma before it
  return part;
}

void JsonWriter::Append(JsonWriter&& part) {
  counts_.back() += part.counts_.back() - 1;
  failed_ |= part.failed_;
  if (out_ == nullptr) {
    buffer_.append(part.buffer_);
    return;
  }
  Flush();
  buffer_.swap(part.buffer_);  // written as it is, not copied
  Flush();
  buffer_.swap(part.buffer_);
}

void JsonWriter::MaybeFlush() {
  if (out_ != nullptr && buffer_.size() >= kFlushAt) Flush();
}

void JsonWriter::Flush() {
  if (!failed_ && !buffer_.empty() &&
      std::fwrite(buffer_.data(), 1, buffer_.size(), out_) != buffer_.size()) {
    failed_ = true;
  }
  flushed_ += buffer_.size();
  buffer_.clear();
}

bool JsonWriter::Finish() {
  if (out_ == nullptr) return !failed_;
  Flush();
  if (std::fflush(out_) != 0) failed_ = true;
  return !failed_;
}

}  // namespace procleak
