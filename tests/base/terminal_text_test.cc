// SPDX-License-Identifier: Apache-2.0
// Text from processes on a terminal: every class of hostile character escaped, widths in columns,
// cuts between grapheme clusters. Checked against utf8proc called directly and known widths.
#include "base/terminal_text.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "utf8proc.h"

namespace procleak {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::string Encode(char32_t c) {
  utf8proc_uint8_t buf[4];
  const auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buf);
  return std::string(reinterpret_cast<const char*>(buf), static_cast<size_t>(n));
}

// The code points of `text` by utf8proc's own decoder; false when it is not valid UTF-8.
bool DecodeAll(std::string_view text, std::vector<utf8proc_int32_t>* out) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  for (size_t i = 0; i < text.size();) {
    utf8proc_int32_t c;
    const utf8proc_ssize_t n =
        utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(text.size() - i), &c);
    if (n <= 0) return false;
    if (out != nullptr) out->push_back(c);
    i += static_cast<size_t>(n);
  }
  return true;
}

// The documented spelling of an escaped code point: \u and 4 hex digits, \U and 8 above U+FFFF.
std::string CodePointEscape(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, c > 0xFFFF ? "\\U%08x" : "\\u%04x", static_cast<unsigned>(c));
  return buf;
}

bool ValidUtf8(std::string_view text) { return DecodeAll(text, nullptr); }

// Whether `text` holds only what a terminal shows as it is: valid UTF-8 with no control (Cc),
// format (Cf, bidi included) or separator (Zl, Zp) character.
bool TerminalInert(std::string_view text) {
  std::vector<utf8proc_int32_t> cps;
  if (!DecodeAll(text, &cps)) return false;
  for (utf8proc_int32_t c : cps) {
    const utf8proc_category_t cat = utf8proc_category(c);
    if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF || cat == UTF8PROC_CATEGORY_ZL ||
        cat == UTF8PROC_CATEGORY_ZP) {
      return false;
    }
  }
  return true;
}

// Columns by utf8proc directly: the sum of utf8proc_charwidth over the code points.
size_t Utf8procWidth(std::string_view text) {
  std::vector<utf8proc_int32_t> cps;
  EXPECT_TRUE(DecodeAll(text, &cps)) << text;
  size_t width = 0;
  for (utf8proc_int32_t c : cps) width += static_cast<size_t>(utf8proc_charwidth(c));
  return width;
}

// Byte offsets where a grapheme cluster starts, by utf8proc's break function (valid UTF-8 only).
std::vector<size_t> ClusterStarts(std::string_view text) {
  std::vector<size_t> starts;
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_int32_t state = 0, previous = -1;
  for (size_t i = 0; i < text.size();) {
    utf8proc_int32_t c;
    const auto n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(text.size() - i), &c);
    if (n <= 0) break;
    if (previous < 0 || utf8proc_grapheme_break_stateful(previous, c, &state)) starts.push_back(i);
    previous = c;
    i += static_cast<size_t>(n);
  }
  starts.push_back(text.size());
  return starts;
}

bool OnClusterBoundary(std::string_view text, size_t offset) {
  for (size_t s : ClusterStarts(text)) {
    if (s == offset) return true;
  }
  return false;
}

// --- escaping -------------------------------------------------------------------------------

TEST(TerminalText, C0ControlsAndDel_AreEscapedAsBytes) {
  EXPECT_EQ(SanitizeForTerminal("a\nb\tc"), "a\\nb\\tc");
  EXPECT_EQ(SanitizeForTerminal("x\x1b[31mred"), "x\\x1b[31mred");
  EXPECT_EQ(SanitizeForTerminal(std::string("\0\r\x7f", 3)), "\\x00\\x0d\\x7f");
  for (int c = 0; c < 0x20; ++c) {
    const std::string out = SanitizeForTerminal(std::string(1, static_cast<char>(c)));
    EXPECT_EQ(out[0], '\\') << c;
    EXPECT_TRUE(TerminalInert(out)) << c;
  }
}

TEST(TerminalText, C1Controls_AsUtf8AreCodePoints_AsRawBytesAreBytes) {
  // The 8-bit CSI: U+009B encoded (C2 9B) and the lone byte 9B a Latin-1 terminal would obey.
  EXPECT_EQ(SanitizeForTerminal("a\xC2\x9B"
                                "31mb"),
            "a\\u009b31mb");
  EXPECT_EQ(SanitizeForTerminal("a\x9B"
                                "31mb"),
            "a\\x9b31mb");
  for (char32_t c = 0x80; c <= 0x9F; ++c) {
    EXPECT_EQ(SanitizeForTerminal(Encode(c)), CodePointEscape(c)) << static_cast<int>(c);
    const std::string raw(1, static_cast<char>(c));
    EXPECT_EQ(SanitizeForTerminal(raw), "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) +
                                            std::string(1, "0123456789abcdef"[c & 15]));
  }
}

TEST(TerminalText, EveryBidiControl_IsEscapedAsItsCodePoint) {
  const std::vector<std::pair<char32_t, std::string>> bidi = {
      {0x202A, "\\u202a"}, {0x202B, "\\u202b"}, {0x202C, "\\u202c"}, {0x202D, "\\u202d"},
      {0x202E, "\\u202e"}, {0x2066, "\\u2066"}, {0x2067, "\\u2067"}, {0x2068, "\\u2068"},
      {0x2069, "\\u2069"}, {0x200E, "\\u200e"}, {0x200F, "\\u200f"}, {0x061C, "\\u061c"}};
  for (const auto& [c, escaped] : bidi) {
    // "evil<RLO>txt.exe" would show as "evilexe.txt".
    EXPECT_EQ(SanitizeForTerminal("evil" + Encode(c) + "txt.exe"), "evil" + escaped + "txt.exe");
  }
}

TEST(TerminalText, FormatCharactersAndSeparators_AreEscaped) {
  EXPECT_EQ(SanitizeForTerminal("a\u200Bb"), "a\\u200bb");          // zero width space
  EXPECT_EQ(SanitizeForTerminal("\uFEFFx"), "\\ufeffx");            // BOM
  EXPECT_EQ(SanitizeForTerminal("a\u2060b"), "a\\u2060b");          // word joiner
  EXPECT_EQ(SanitizeForTerminal("a\u00ADb"), "a\\u00adb");          // soft hyphen
  EXPECT_EQ(SanitizeForTerminal("a\u200Db"), "a\\u200db");          // zero width joiner
  EXPECT_EQ(SanitizeForTerminal("a\U000E0041b"), "a\\U000e0041b");  // tag character
  EXPECT_EQ(SanitizeForTerminal("a\u2028b\u2029c"), "a\\u2028b\\u2029c");
  // Every format character of the Basic Multilingual Plane, by utf8proc's category table.
  for (char32_t c = 0xA0; c < 0x10000; ++c) {
    if (c >= 0xD800 && c < 0xE000) continue;
    if (utf8proc_category(static_cast<utf8proc_int32_t>(c)) != UTF8PROC_CATEGORY_CF) continue;
    EXPECT_EQ(SanitizeForTerminal(Encode(c)), CodePointEscape(c)) << static_cast<int>(c);
  }
}

TEST(TerminalText, InvalidSequences_AreEscapedByteByByte) {
  EXPECT_EQ(SanitizeForTerminal("a\x80z"), "a\\x80z");                         // lone continuation
  EXPECT_EQ(SanitizeForTerminal("\xC0\xAF"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(SanitizeForTerminal("\xE0\x80\xAF"), "\\xe0\\x80\\xaf");           // overlong, 3 bytes
  EXPECT_EQ(SanitizeForTerminal("\xED\xA0\x80"), "\\xed\\xa0\\x80");           // surrogate D800
  EXPECT_EQ(SanitizeForTerminal("\xF4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(SanitizeForTerminal("\xFF\xFE"), "\\xff\\xfe");
  // A sequence cut short at the end, as a byte-wise cut of "进" or an emoji leaves it.
  EXPECT_EQ(SanitizeForTerminal("ab\xE8\xBF"), "ab\\xe8\\xbf");
  EXPECT_EQ(SanitizeForTerminal("\xF0\x9F\x98"), "\\xf0\\x9f\\x98");
  // ... and in the middle: the next character is kept.
  EXPECT_EQ(SanitizeForTerminal("\xE8\xBF"
                                "a"),
            "\\xe8\\xbfa");
}

TEST(TerminalText, PrintableTextPassesUnchanged) {
  for (const std::string s : {"node /app/server.js", "进程管理器", "ＡＢＣ", "e\u0301", "😀",
                              "C:\\path\\x1b", "café", "\u00A0nbsp", "\uE000private"}) {
    EXPECT_EQ(SanitizeForTerminal(s), s);
  }
}

TEST(TerminalText, EveryCodePointAndByte_SanitisesToInertValidUtf8_Idempotently) {
  for (char32_t c = 0; c < 0x110000; ++c) {
    if (c >= 0xD800 && c < 0xE000) continue;
    const std::string out = SanitizeForTerminal("a" + Encode(c) + "b");
    ASSERT_TRUE(TerminalInert(out)) << static_cast<int>(c);
    ASSERT_EQ(SanitizeForTerminal(out), out) << static_cast<int>(c);
    ASSERT_EQ(DisplayWidth(out), DisplayWidth("a" + Encode(c) + "b")) << static_cast<int>(c);
  }
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const std::string raw = {static_cast<char>(a), static_cast<char>(b)};
      const std::string out = SanitizeForTerminal(raw);
      ASSERT_TRUE(TerminalInert(out)) << a << " " << b;
      ASSERT_EQ(SanitizeForTerminal(out), out) << a << " " << b;
    }
  }
}

TEST(TerminalText, Utf8SequenceLength_FollowsTheStandardTable) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9", 0), 2u);
  EXPECT_EQ(Utf8SequenceLength("进", 0), 3u);
  EXPECT_EQ(Utf8SequenceLength("😀", 0), 4u);
  for (const char* bad : {"\x80", "\xC1\xBF", "\xE0\x9F\xBF", "\xED\xA0\x80", "\xF4\x90\x80\x80",
                          "\xF5\x80\x80\x80", "\xE8\xBF"}) {
    EXPECT_EQ(Utf8SequenceLength(bad, 0), 0u) << bad;
  }
}

// --- widths ---------------------------------------------------------------------------------

TEST(TerminalText, DisplayWidth_KnownWidths) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("进程管理器"), 10u);  // CJK: 2 columns each
  EXPECT_EQ(DisplayWidth("ＡＢＣ"), 6u);       // fullwidth forms
  EXPECT_EQ(DisplayWidth("😀"), 2u);            // emoji
  EXPECT_EQ(DisplayWidth("e\u0301"), 1u);      // combining acute
  EXPECT_EQ(DisplayWidth("a\u0301\u0302\u0303"), 1u);
  EXPECT_EQ(DisplayWidth("\u3000"), 2u);  // ideographic space
  EXPECT_EQ(DisplayWidth("café"), 4u);
  // Escaped characters count their escape: \x1b and \u202e.
  EXPECT_EQ(DisplayWidth("\x1b"), 4u);
  EXPECT_EQ(DisplayWidth("\u202E"), 6u);
}

TEST(TerminalText, DisplayWidth_AgreesWithUtf8procOnSanitisedText) {
  for (const std::string s :
       {"进程管理器 --queue 邮件", "ｆｕｌｌ ｗｉｄｔｈ", "e\u0301e\u0301", "😀😀 x", "한국어",
        "Ä\u0308", "mixed ascii 和 中文 and ＦＵＬＬ", "\u0E01\u0E33", "x\u20DD"}) {
    EXPECT_EQ(DisplayWidth(s), Utf8procWidth(s)) << s;
  }
}

// --- cutting and padding --------------------------------------------------------------------

const std::vector<std::string>& CutCorpus() {
  static const std::vector<std::string> corpus = {
      "进程管理器进程管理器",
      "ａｂｃｄｅｆｇ",
      "e\u0301e\u0301e\u0301e\u0301",
      "a\u0301\u0302\u0303b\u0308c",
      "😀x😀y😀",
      "🇩🇪🇫🇷🇯🇵",  // flags: pairs of regional indicators
      "한\u1100\u1161\u11A8글",
      "node 进程 --name=ｗｅｂ e\u0301 😀 end",
      SanitizeForTerminal("evil\x1b[2J\u202Etxt\xE8\xBF"),
  };
  return corpus;
}

TEST(TerminalText, TruncateToWidth_NeverSplitsAClusterAndFillsTheWidth) {
  for (const std::string& s : CutCorpus()) {
    const std::vector<size_t> starts = ClusterStarts(s);
    for (size_t width = 0; width <= DisplayWidth(s) + 1; ++width) {
      const std::string_view cut = TruncateToWidth(s, width);
      EXPECT_TRUE(ValidUtf8(cut)) << s << " @" << width;
      EXPECT_LE(DisplayWidth(cut), width) << s << " @" << width;
      EXPECT_LE(Utf8procWidth(cut), width) << s << " @" << width;
      EXPECT_TRUE(OnClusterBoundary(s, cut.size())) << s << " @" << width << ": " << cut;
      // The longest such prefix: the next cluster would not have fitted (escapes: see below).
      if (cut.size() < s.size() && s.find('\\') == std::string::npos) {
        size_t next = s.size();
        for (size_t st : starts) {
          if (st > cut.size()) {
            next = st;
            break;
          }
        }
        EXPECT_GT(Utf8procWidth(s.substr(0, next)), width) << s << " @" << width;
      }
    }
  }
}

TEST(TerminalText, TruncateToWidth_KeepsBaseAndMarksTogether) {
  EXPECT_EQ(TruncateToWidth("进程管理器", 3), "进");
  EXPECT_EQ(TruncateToWidth("ae\u0301x", 1), "a");
  EXPECT_EQ(TruncateToWidth("ae\u0301x", 2), "ae\u0301");
  EXPECT_EQ(TruncateToWidth("🇩🇪x", 1), "");  // a flag is one cluster of two columns
  EXPECT_EQ(TruncateToWidth("🇩🇪x", 2), "🇩🇪");
}

TEST(TerminalText, Cuts_KeepAnEscapeWhole) {
  const std::string safe = SanitizeForTerminal("ab\x1b\u202E\xE8z");  // ab\x1b\u202e\xe8z
  EXPECT_EQ(TruncateToWidth(safe, 5), "ab");
  EXPECT_EQ(TruncateToWidth(safe, 6), "ab\\x1b");
  EXPECT_EQ(TruncateToWidth(safe, 11), "ab\\x1b");
  EXPECT_EQ(TruncateToWidth(safe, 12), "ab\\x1b\\u202e");
  EXPECT_EQ(ShortenEnd(safe, 8), "ab\\x1b~");
  EXPECT_EQ(ShortenMiddle(safe, 9), "ab~\\xe8z");
  EXPECT_EQ(TruncateToBytes(safe, 9), "ab\\x1b");
  // A backslash that starts no escape is one column like any other.
  EXPECT_EQ(TruncateToWidth("a\\qb", 2), "a\\");
}

TEST(TerminalText, TruncateToBytes_CutsBetweenClusters) {
  EXPECT_EQ(TruncateToBytes("abc", 2), "ab");
  EXPECT_EQ(TruncateToBytes("进程", 5), "进");
  EXPECT_EQ(TruncateToBytes("ae\u0301", 2), "a");  // e + U+0301 is three bytes
  for (const std::string& s : CutCorpus()) {
    for (size_t bytes = 0; bytes <= s.size(); ++bytes) {
      const std::string_view cut = TruncateToBytes(s, bytes);
      EXPECT_LE(cut.size(), bytes);
      EXPECT_TRUE(ValidUtf8(cut)) << s << " @" << bytes;
      EXPECT_TRUE(OnClusterBoundary(s, cut.size())) << s << " @" << bytes;
    }
  }
}

TEST(TerminalText, ShortenEndAndMiddle_FitTheWidthAsValidUtf8) {
  EXPECT_EQ(ShortenEnd("进程管理器", 6), "进程~");
  EXPECT_EQ(ShortenEnd("进程管理器", 5), "进程~");
  EXPECT_EQ(ShortenEnd("进程管理器", 10), "进程管理器");
  // The head takes 6 columns, the tail what is left of 11: "器" would make it 6.
  EXPECT_EQ(ShortenMiddle("/docker/进程管理器/abc", 12), "/docke~/abc");
  EXPECT_EQ(ShortenMiddle("进程管理器进程管理器", 9), "进程~理器");
  EXPECT_EQ(ShortenMiddle("abcdefghij", 7), "abc~hij");  // ASCII as before
  for (const std::string& s : CutCorpus()) {
    for (size_t width = 0; width <= DisplayWidth(s) + 1; ++width) {
      for (const std::string& out : {ShortenEnd(s, width), ShortenMiddle(s, width)}) {
        EXPECT_TRUE(ValidUtf8(out)) << s << " @" << width;
        EXPECT_LE(DisplayWidth(out), width) << s << " @" << width;
        EXPECT_LE(Utf8procWidth(out), width) << s << " @" << width;
        if (DisplayWidth(s) <= width) {
          EXPECT_EQ(out, s);
        }
      }
      const std::string end = ShortenEnd(s, width);
      if (DisplayWidth(s) > width && width > 0) {
        ASSERT_EQ(end.back(), '~');
        EXPECT_TRUE(OnClusterBoundary(s, end.size() - 1)) << s << " @" << width;
        EXPECT_EQ(s.substr(0, end.size() - 1), end.substr(0, end.size() - 1));
      }
    }
  }
}

TEST(TerminalText, PadAndFitColumn_PadToDisplayWidth) {
  EXPECT_EQ(PadEnd("进程", 6), "进程  ");
  EXPECT_EQ(PadStart("进程", 6), "  进程");
  EXPECT_EQ(PadEnd("e\u0301", 3), "e\u0301  ");
  EXPECT_EQ(PadEnd("toolong", 3), "toolong");
  EXPECT_EQ(FitColumn("进程管理器", 6), "进程~ ");
  EXPECT_EQ(FitColumn("toolong", 3), "to~");
  for (const std::string& s : CutCorpus()) {
    for (size_t width = 0; width < 30; ++width) {
      EXPECT_EQ(Utf8procWidth(PadEnd(s, width)), std::max(width, Utf8procWidth(s))) << s;
      EXPECT_EQ(Utf8procWidth(PadStart(s, width)), std::max(width, Utf8procWidth(s))) << s;
      // A column is exactly its width, whatever it holds.
      EXPECT_EQ(Utf8procWidth(FitColumn(s, width)), width) << s;
    }
  }
}

TEST(TerminalText, HostileTextCutAnywhere_StaysInert) {
  const std::string hostile =
      "\x1b]0;owned\x07\xC2\x9B"
      "2J\u202Egnp.exe\u2066x\u2069\xE8\xBF\xF0\x9F\x98\u200B\uFEFF\u2028进程"
      "\xC0\xAF\xED\xA0\x80"
      "e\u0301";
  const std::string safe = SanitizeForTerminal(hostile);
  EXPECT_THAT(safe, Not(HasSubstr("\x1b")));
  EXPECT_THAT(safe, Not(HasSubstr("\xC2\x9B")));
  for (size_t width = 0; width <= DisplayWidth(safe); ++width) {
    EXPECT_TRUE(TerminalInert(ShortenEnd(safe, width))) << width;
    EXPECT_TRUE(TerminalInert(ShortenMiddle(safe, width))) << width;
  }
}

}  // namespace
}  // namespace procleak
