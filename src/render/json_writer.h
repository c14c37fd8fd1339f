// SPDX-License-Identifier: Apache-2.0
#pragma once
// A streaming JSON writer: documents are written element by element into a bounded buffer that
// goes to a FILE (or is kept as a string), never built as a tree first.

#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"

namespace procleak {

// The version of procleak that wrote a document: every document's "procleak_version".
std::string_view ProcleakVersion();

// Writes exactly what nlohmann::ordered_json::dump(indent) would for the same calls (indent < 0:
// one line), except for strings that are not valid UTF-8: each byte of an invalid sequence is
// written as U+FFFD, and String() returns false so that the caller can add the exact bytes
// (StringWithBytes). Control characters are escaped; nothing else is.
class JsonWriter {
 public:
  // To `out` (flushed every 64 KiB and by Finish()), or kept for Take() when `out` is null.
  explicit JsonWriter(int indent, std::FILE* out = nullptr);

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  void Key(std::string_view key);

  bool String(std::string_view text);  // false: not valid UTF-8 (written with U+FFFD)
  void Int(int64_t value);
  void Uint(uint64_t value);
  void Double(
      double value);  // shortest text that reads back to the same double; null if not finite
  void Bool(bool value);
  void Null();
  void Value(const nlohmann::ordered_json& value);  // a section still built as a tree

  // `key`: `text`, and when `text` is not valid UTF-8 also `key`_base64: its exact bytes in
  // base64 (RFC 4648 with padding).
  void StringWithBytes(std::string_view key, std::string_view text);
  // `key`: [strings], and when one is not valid UTF-8 also `key`_base64: every element's bytes.
  void StringsWithBytes(std::string_view key, std::span<const std::string> texts);

  // A writer for the values that follow those written so far in the innermost open array, to be
  // formatted apart (on another thread) and then added by Append(): same indent and depth, kept
  // as a string (with room for `expected_bytes`). At least one value must be in that array before
  // the continuation is appended.
  JsonWriter Continuation(size_t expected_bytes = 0) const;
  // Adds what `part`, a Continuation() of this writer, wrote; nothing else may be written to
  // this writer's innermost array in between but the values that precede `part`'s.
  void Append(JsonWriter&& part);

  // Writes what is buffered to `out` and flushes it; false if `out` refused it (now or earlier).
  bool Finish();
  // Bytes written so far, to `out` or buffered.
  size_t bytes() const { return flushed_ + buffer_.size(); }
  // The document written so far (without a FILE).
  std::string Take() { return std::move(buffer_); }

 private:
  void Open(char bracket);
  void Close(char bracket);
  void BeforeValue();
  void NewLine(size_t depth);
  void MaybeFlush();
  void Flush();

  int indent_;
  std::FILE* out_;
  bool failed_ = false;
  size_t flushed_ = 0;
  bool after_key_ = false;
  std::string buffer_;
  std::vector<int> counts_;  // elements written in each open object or array
};

// Writes "schema" and "procleak_version", the first members of every procleak document.
void WriteDocumentHeader(JsonWriter& w, std::string_view schema);

// Appends `text` as a JSON string literal; returns false (and writes U+FFFD for each byte of an
// invalid sequence) when `text` is not valid UTF-8.
bool AppendJsonString(std::string_view text, std::string* out);

}  // namespace procleak
