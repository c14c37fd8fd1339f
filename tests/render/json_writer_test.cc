// SPDX-License-Identifier: Apache-2.0
// JsonWriter: exact JSON escaping, invalid UTF-8 kept recoverable, nlohmann's spelling, streaming.
#include "render/json_writer.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <limits>

#include "absl/strings/escaping.h"

namespace procleak {
namespace {

using Json = nlohmann::ordered_json;
using namespace std::string_literals;  // NOLINT: "...\0..."s keeps the NUL

std::string Literal(std::string_view text, bool* valid = nullptr) {
  std::string out;
  const bool ok = AppendJsonString(text, &out);
  if (valid != nullptr) *valid = ok;
  return out;
}

TEST(JsonWriter, ValidUtf8_EscapedExactlyAsNlohmannDoes) {
  const std::string texts[] = {
      "plain",
      "quote \" backslash \\ slash /",
      "nul \0 bell \a esc \x1b del \x7f"s,
      "\b\f\n\r\t\x01\x1f",
      "right-to-left \u202E override, line \u2028 separator",
      "two bytes \u00e9, three \u20ac, four \U0001F600, last \U0010FFFF",
  };
  for (const std::string& text : texts) {
    bool valid = false;
    EXPECT_EQ(Literal(text, &valid), Json(text).dump()) << text;
    EXPECT_TRUE(valid) << text;
    EXPECT_EQ(Json::parse(Literal(text)).get<std::string>(), text);
  }
}

// Text is scanned eight bytes at a time: each byte value at each place in and around a word
// (and in a tail shorter than one) is still escaped, replaced or kept as one byte at a time would.
TEST(JsonWriter, EveryByteAtEveryOffset_SameAsOneAtATime) {
  for (size_t size : {size_t{5}, size_t{8}, size_t{17}}) {
    for (size_t at = 0; at < size; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(size, 'a');
        text[at] = static_cast<char>(byte);
        bool valid = false;
        const std::string got = Literal(text, &valid);
        std::string want;
        if (byte < 0x80) {
          want = Json(text).dump();
        } else {
          want = "\"" + text.substr(0, at) + "\xEF\xBF\xBD" + text.substr(at + 1) + "\"";
        }
        ASSERT_EQ(got, want) << "byte " << byte << " at " << at << " of " << size;
        ASSERT_EQ(valid, byte < 0x80) << "byte " << byte;
      }
    }
  }
}

TEST(JsonWriter, InvalidUtf8_OneReplacementPerByteAndStillValidJson) {
  const struct {
    std::string text;
    std::string want;
  } cases[] = {
      {"a\xff"
       "b",
       "a\uFFFD"
       "b"},
      {"\xC0\x80", "\uFFFD\uFFFD"},                      // overlong NUL
      {"\xED\xA0\x80", "\uFFFD\uFFFD\uFFFD"},            // a surrogate, UTF-8 encoded
      {"\xF4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"},  // above U+10FFFF
      {"\xF5\x80", "\uFFFD\uFFFD"},
      {"end \xE2\x82", "end \uFFFD\uFFFD"},  // cut short
      {"\x80 lone continuation", "\uFFFD lone continuation"},
      {"\xE2\x82\xAC\xE2", "\u20AC\uFFFD"},
  };
  for (const auto& c : cases) {
    bool valid = true;
    const std::string literal = Literal(c.text, &valid);
    EXPECT_FALSE(valid) << literal;
    const Json parsed = Json::parse(literal);  // throws if it is not UTF-8 JSON
    EXPECT_EQ(parsed.get<std::string>(), c.want) << literal;
  }
}

TEST(JsonWriter, StringWithBytes_AddsBase64OnlyWhenNotUtf8) {
  JsonWriter w(-1);
  w.BeginObject();
  w.StringWithBytes("comm", "ok \u00e9");
  w.StringWithBytes("exe", "/bin/\xff\xfe\n");
  w.StringsWithBytes("cmdline", std::vector<std::string>{"a", "b"});
  w.StringsWithBytes("argv", std::vector<std::string>{"x", "\xc3(", ""});
  w.EndObject();
  const Json doc = Json::parse(w.Take());
  EXPECT_FALSE(doc.contains("comm_base64"));
  EXPECT_FALSE(doc.contains("cmdline_base64"));
  std::string bytes;
  ASSERT_TRUE(absl::Base64Unescape(doc["exe_base64"].get<std::string>(), &bytes));
  EXPECT_EQ(bytes, "/bin/\xff\xfe\n");
  ASSERT_EQ(doc["argv_base64"].size(), 3u);
  ASSERT_TRUE(absl::Base64Unescape(doc["argv_base64"][1].get<std::string>(), &bytes));
  EXPECT_EQ(bytes, "\xc3(");
  EXPECT_EQ(doc["argv_base64"][2], "");
}

TEST(JsonWriter, Numbers_SpelledAsNlohmannAndReadBackExactly) {
  const double doubles[] = {0.0,
                            -0.0,
                            1.0,
                            12.5,
                            0.1,
                            1.0 / 3,
                            1e-7,
                            1e21,
                            123456789012.345,
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::min()};
  for (double d : doubles) {
    JsonWriter w(-1);
    w.Double(d);
    const std::string text = w.Take();
    EXPECT_EQ(text, Json(d).dump()) << d;
    EXPECT_EQ(Json::parse(text).get<double>(), d) << text;
  }
  JsonWriter w(-1);
  w.BeginArray();
  w.Double(std::numeric_limits<double>::quiet_NaN());
  w.Double(std::numeric_limits<double>::infinity());
  w.Int(std::numeric_limits<int64_t>::min());
  w.Uint(std::numeric_limits<uint64_t>::max());
  w.EndArray();
  EXPECT_EQ(w.Take(), "[null,null,-9223372036854775808,18446744073709551615]");
}

TEST(JsonWriter, Value_WritesATreeAsNlohmannDumpsIt) {
  const Json tree = {{"a", 1},
                     {"b", Json::array()},
                     {"c", Json::object()},
                     {"d", {{"e", nullptr}, {"f", {true, false, -2, 2.5, "x\ny"}}}}};
  for (int indent : {-1, 2}) {
    JsonWriter w(indent);
    w.Value(tree);
    EXPECT_EQ(w.Take(), tree.dump(indent)) << indent;
  }
}

// Far past one 64 KiB flush: the file gets exactly the text the string writer keeps.
TEST(JsonWriter, ToFile_WritesTheSameTextAcrossFlushes) {
  auto write = [](JsonWriter& w) {
    w.BeginObject();
    w.Key("rows");
    w.BeginArray();
    for (int i = 0; i < 20000; ++i) {
      w.BeginObject();
      w.Key("i");
      w.Int(i);
      w.StringWithBytes("s", i % 7 == 0 ? "\xff" : "row");
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  };
  JsonWriter in_memory(2);
  write(in_memory);
  const std::string want = in_memory.Take();
  ASSERT_GT(want.size(), 256u * 1024);
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  JsonWriter to_file(2, file);
  write(to_file);
  ASSERT_TRUE(to_file.Finish());
  EXPECT_EQ(to_file.bytes(), want.size());
  std::rewind(file);
  std::string got(want.size() + 1, '\0');
  got.resize(std::fread(got.data(), 1, got.size(), file));
  std::fclose(file);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace procleak
