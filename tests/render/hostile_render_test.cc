// SPDX-License-Identifier: Apache-2.0
// The text renderers (scan report, --tree, diff, watch) and the Prometheus labels with names a
// process chooses: every class of hostile character escaped, CJK, fullwidth, emoji and combining
// marks at several widths kept in their columns, cuts valid UTF-8, colour shifting nothing.
// Widths are checked with base/terminal_text.h and again with utf8proc called directly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "analysis/analysis_fixture.h"
#include "base/terminal_text.h"
#include "procleak/diff.h"
#include "render/diff_text.h"
#include "render/findings_text.h"
#include "render/prometheus.h"
#include "render/text_report.h"
#include "render/watch_text.h"
#include "testing/run_procleak.h"
#include "utf8proc.h"

namespace procleak {
namespace {

using testing::Lines;
using testing::SnapshotBuilder;

constexpr uint64_t kMiB = 1ull << 20;
constexpr size_t kColumns = 80;

// One of each: C0, DEL, C1 encoded and as a raw byte, every bidi control, format characters,
// the separators, and invalid sequences (lone continuation, overlong, surrogate, cut short).
const std::string kHostile =
    "x\x1b[2J\x07\x7f\xC2\x9B"
    "31m\x9B"
    "1m\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061C"
    "\u200B\uFEFF\u2060\u2028\u2029\x80\xC0\xAF\xED\xA0\x80\xE8\xBF";

// Names of several display widths: 2-column CJK and fullwidth forms, emoji, combining marks.
const std::vector<std::string> kWideNames = {
    "进程管理器",
    "进程管理器进程管理器进程管理器进程管理器",
    "ｗｅｂ－ｆｒｏｎｔｅｎｄ",
    "😀😀-emoji-😀",
    "e\u0301e\u0301e\u0301-combining-a\u0308o\u0308u\u0308",
    "mixed 中文 and ＡＳＣＩＩ text that runs on and on past any column it is given",
};

// The code points of `text` by utf8proc's decoder; false when `text` is not valid UTF-8.
bool Decode(std::string_view text, std::vector<utf8proc_int32_t>* out) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  for (size_t i = 0; i < text.size();) {
    utf8proc_int32_t c;
    const auto n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(text.size() - i), &c);
    if (n <= 0) return false;
    out->push_back(c);
    i += static_cast<size_t>(n);
  }
  return true;
}

// Columns by utf8proc directly, independent of DisplayWidth; SIZE_MAX for invalid UTF-8.
size_t Utf8procWidth(std::string_view text) {
  std::vector<utf8proc_int32_t> cps;
  if (!Decode(text, &cps)) return SIZE_MAX;
  size_t width = 0;
  for (utf8proc_int32_t c : cps) width += static_cast<size_t>(std::max(0, utf8proc_charwidth(c)));
  return width;
}

// What a terminal must never receive from a name: invalid UTF-8, or a control (Cc, ESC
// included), format (Cf, bidi included) or separator (Zl, Zp) character.
void ExpectInert(const std::string& line) {
  std::vector<utf8proc_int32_t> cps;
  ASSERT_TRUE(Decode(line, &cps)) << "not valid UTF-8: " << line;
  for (utf8proc_int32_t c : cps) {
    const utf8proc_category_t cat = utf8proc_category(c);
    EXPECT_FALSE(cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
                 cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP)
        << "U+" << std::hex << c << " in " << line;
  }
}

// Each line inert, the two measures of its width agreeing, and at most `columns` wide.
void ExpectTerminalLines(const std::string& text, size_t columns = kColumns) {
  for (const std::string& line : Lines(text)) {
    ExpectInert(line);
    EXPECT_EQ(DisplayWidth(line), Utf8procWidth(line)) << line;
    EXPECT_LE(Utf8procWidth(line), columns) << line;
  }
}

// A line cut with "~": the cut kept every escape whole (no "\x1" or "\u20" before the "~"),
// so it may fall short of `edge` by at most the widest escape less one column (\U + 8 digits).
void ExpectCutAt(const std::string& line, size_t edge) {
  static const std::regex kPartialEscape(R"(\\(x[0-9a-f]?|u[0-9a-f]{0,3}|U[0-9a-f]{0,7})?~$)");
  EXPECT_FALSE(std::regex_search(line, kPartialEscape)) << line;
  EXPECT_LE(Utf8procWidth(line), edge) << line;
  EXPECT_GE(Utf8procWidth(line), edge - 9) << line;
}

std::string StripColour(const std::string& text) {
  static const std::regex kSgr("\x1b\\[[0-9;]*m");
  return std::regex_replace(text, kSgr, "");
}

// The columns before the first `part` in `line`, by utf8proc.
size_t ColumnOf(const std::string& line, std::string_view part) {
  const size_t at = line.find(part);
  EXPECT_NE(at, std::string::npos) << part << " not in " << line;
  return at == std::string::npos ? SIZE_MAX : Utf8procWidth(line.substr(0, at));
}

// The rows of the table whose header line starts with `header`: up to the first empty line.
std::vector<std::string> TableRows(const std::string& text, std::string_view header) {
  std::vector<std::string> rows;
  bool in = false;
  for (const std::string& line : Lines(text)) {
    if (in && (line.empty() || line.starts_with("  (+"))) break;
    if (in) rows.push_back(line);
    if (line.find(header) != std::string::npos && !in) in = true;
  }
  return rows;
}

// Containers named with every width and the hostile string, each with one process of a wide
// or hostile command line; a spawner in the first that leaks chains with a CJK signature.
Snapshot Hostile(bool later = false) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  std::vector<std::string> names = kWideNames;
  names.push_back(kHostile);
  names.push_back("api");
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string id = std::string(64, static_cast<char>('a' + i));
    Container& c = b.AddContainer(id, names[i]);
    c.memory_bytes = (100 + 10 * i + (later ? 50 : 0)) * kMiB;
    c.memory_limit = Limit::Of(1024 * kMiB);
    const int pid = 100 + static_cast<int>(i);
    b.Add(pid, 1, {i % 2 == 0 ? names[i] : "/usr/bin/" + names[i], "--name", names[i]}, 1, 20 + i,
          id);
    b.SetComm(pid, names[i].substr(0, 15));  // the kernel cuts comm at 15 bytes, mid-character
  }
  // A hub that starts `npm exec 进程-server` chains and never stops them.
  const std::string hub = std::string(64, 'a');
  b.Add(200, 1, {"node", "/app/中心.js"}, 1, 90, hub, "/usr/local/bin/node");
  const int copies = later ? 6 : 4;
  for (int i = 0; i < copies; ++i) {
    const int pid = 300 + 3 * i;
    const double at = 10 + 30.0 * i;
    b.Add(pid, 200, {"npm exec @scope/进程管理器-server" + kHostile}, at, 78, hub,
          "/usr/local/bin/node");
    b.Add(pid + 1, pid, {"sh", "-c", "进程管理器-server"}, at, 1, hub, "/bin/dash");
    b.Add(pid + 2, pid + 1, {"node", "/x/进程管理器-server"}, at, 50, hub, "/usr/local/bin/node");
  }
  return b.Build();
}

TEST(HostileRender, ScanReport_EscapesEveryClassAndFitsEightyColumns) {
  const Snapshot s = Hostile();
  const Analysis a = Analyze(s, nullptr);
  TextOptions options;
  options.analysis = &a;
  options.max_processes = 40;
  const std::string text = RenderScanText(s, options);
  ExpectTerminalLines(text);
  // The escapes are there, visible: \x1b, \u009b (C1 encoded), \x9b (raw), \u202e, \x80.
  for (const char* escape : {"\\x1b", "\\u009b", "\\x9b", "\\u202e", "\\u2066", "\\u061c",
                             "\\u200b", "\\ufeff", "\\u2028"}) {
    EXPECT_NE(text.find(escape), std::string::npos) << escape << "\n" << text;
  }
}

TEST(HostileRender, ContainerTable_ColumnsStayAlignedWithWideNames) {
  const Snapshot s = Hostile();
  const Analysis a = Analyze(s, nullptr);
  TextOptions options;
  options.analysis = &a;
  const std::string text = RenderScanText(s, options);
  const std::vector<std::string> rows = TableRows(text, "CONTAINER");
  ASSERT_EQ(rows.size(), kWideNames.size() + 2) << text;
  // CONTAINER is 22 columns, then RUNTIME; every row as wide as the others (75 columns).
  for (const std::string& row : rows) {
    EXPECT_EQ(ColumnOf(row, " docker "), 22u) << row;
    EXPECT_EQ(Utf8procWidth(row), 75u) << row;
  }
}

TEST(HostileRender, ProcessTable_CommandColumnFilledToItsWidthNeverSplit) {
  const Snapshot s = Hostile();
  TextOptions options;
  options.max_processes = 40;
  const std::string text = RenderScanText(s, options);
  const std::vector<std::string> rows = TableRows(text, "COMMAND");
  ASSERT_GT(rows.size(), kWideNames.size()) << text;
  size_t cut = 0;
  for (const std::string& row : rows) {
    ExpectInert(row);
    // The command starts in column 30 and has 48 columns; a cut one ends in "~" near the edge.
    EXPECT_LE(Utf8procWidth(row), 78u) << row;
    if (row.ends_with("~")) {
      ++cut;
      ExpectCutAt(row, 78);
    }
    // A wide name cut where no escape is: within a column of the edge (a 2-column character
    // that did not fit leaves one empty).
    if (row.ends_with("~") && row.find('\\') == std::string::npos) {
      EXPECT_GE(Utf8procWidth(row), 77u) << row;
    }
  }
  EXPECT_GE(cut, 3u) << text;
}

TEST(HostileRender, Tree_KeepsColumnsAndCutsWholeCharacters) {
  const Snapshot s = Hostile();
  const Analysis a = Analyze(s, nullptr);
  TextOptions options;
  options.analysis = &a;
  const std::string text = RenderTree(s, options);
  ExpectTerminalLines(text);
  size_t cut = 0;
  for (const std::string& line : Lines(text)) {
    if (line.ends_with("~")) {
      ++cut;
      ExpectCutAt(line, kColumns);
    }
  }
  EXPECT_GE(cut, 2u) << text;
  // The children of init, at depth 1: their pid starts in column 23 (6 + 2 + 10 + 2 + "|- ").
  size_t children = 0;
  for (size_t i = 0; i < kWideNames.size() + 2; ++i) {
    const std::string pid = "- " + std::to_string(100 + i) + " ";
    for (const std::string& line : Lines(text)) {
      if (line.find(pid) == std::string::npos) continue;
      ++children;
      EXPECT_EQ(ColumnOf(line, pid) + 2, 23u) << line;
    }
  }
  EXPECT_EQ(children, kWideNames.size() + 2) << text;
  // The hub's chains are one collapsed line.
  EXPECT_NE(text.find("4x npm exec @scope/"), std::string::npos) << text;
}

TEST(HostileRender, Colour_ShiftsNoColumn) {
  const Snapshot before = Hostile(false), after = Hostile(true);
  const Analysis a = Analyze(before, nullptr), b = Analyze(after, nullptr);
  TextOptions plain;
  plain.analysis = &b;
  plain.max_processes = 40;
  TextOptions coloured = plain;
  coloured.color = true;
  const std::string report = RenderScanText(after, coloured);
  EXPECT_NE(report.find("\x1b["), std::string::npos);
  EXPECT_EQ(StripColour(report), RenderScanText(after, plain));
  EXPECT_EQ(StripColour(RenderTree(after, coloured)), RenderTree(after, plain));
  const SnapshotDiff diff = Diff(before, a, after, b);
  EXPECT_EQ(StripColour(RenderDiffText(diff, before, after, true)),
            RenderDiffText(diff, before, after, false));
  WatchTextOptions watch;
  const std::string watch_plain = RenderWatchText(after, b, diff, diff, watch);
  watch.color = true;
  const std::string watch_coloured = RenderWatchText(after, b, diff, diff, watch);
  EXPECT_NE(watch_coloured.find("\x1b[31;1m"), std::string::npos) << "a leak's count in red";
  EXPECT_EQ(StripColour(watch_coloured), watch_plain);
}

TEST(HostileRender, Diff_RowsAlignedWithWideAndHostileNames) {
  const Snapshot before = Hostile(false), after = Hostile(true);
  const SnapshotDiff diff = Diff(before, Analyze(before, nullptr), after, Analyze(after, nullptr));
  const std::string text = RenderDiffText(diff, before, after, false);
  ExpectTerminalLines(text);
  const std::vector<std::string> containers = TableRows(text, "NAME");
  ASSERT_EQ(containers.size(), kWideNames.size() + 2) << text;
  for (const std::string& row : containers) EXPECT_EQ(ColumnOf(row, " -> "), 29u) << row;
  // Started processes: "  + PID  COMM CONTAINER RSS", every row 53 columns.
  size_t rows = 0;
  for (const std::string& line : Lines(text)) {
    if (!line.starts_with("  + ")) continue;
    ++rows;
    EXPECT_EQ(Utf8procWidth(line), 53u) << line;
  }
  EXPECT_EQ(rows, 6u) << text;
}

TEST(HostileRender, Watch_ColumnsAlignedAndNamesEscaped) {
  const Snapshot before = Hostile(false), after = Hostile(true);
  const Analysis b = Analyze(after, nullptr);
  const SnapshotDiff diff = Diff(before, Analyze(before, nullptr), after, b);
  const std::string text = RenderWatchText(after, b, diff, diff, {});
  // Its width is the watch screen's business (its groups table is wider than 80 columns).
  ExpectTerminalLines(text, SIZE_MAX);
  // Container rows: name in 24 columns, then the memory column right-aligned in 10.
  const std::vector<std::string> rows = TableRows(text, "  name ");
  ASSERT_EQ(rows.size(), kWideNames.size() + 2) << text;
  for (const std::string& row : rows) {
    EXPECT_EQ(Utf8procWidth(row.substr(0, row.find(" MiB") + 4)), 2u + 24 + 1 + 10) << row;
  }
}

TEST(HostileRender, Wrap_BreaksAWordWiderThanTheLineBetweenCharacters) {
  const std::string word = "进程管理器进程管理器进程管理器-e\u0301e\u0301e\u0301e\u0301";
  const std::string wrapped = Wrap("a " + word + " z", 10, "  ");
  const std::vector<std::string> lines = Lines(wrapped);
  ASSERT_GE(lines.size(), 4u) << wrapped;
  EXPECT_EQ(lines[0], "a");
  for (const std::string& line : lines) {
    ExpectInert(line);
    EXPECT_LE(Utf8procWidth(line), 12u) << line;  // the indent and 10 columns
  }
  // Nothing lost: the pieces put together are the text.
  std::string joined;
  for (size_t i = 1; i < lines.size(); ++i) joined += lines[i].substr(2);
  EXPECT_EQ(joined, word + " z");
}

TEST(HostileRender, PrometheusLabels_HoldNoControlOrBidiCharacter) {
  const Snapshot s = Hostile();
  const std::string text = RenderPrometheus(s, Analyze(s, nullptr), {});
  for (const std::string& line : Lines(text)) ExpectInert(line);
  EXPECT_NE(text.find("\\\\u202e"), std::string::npos) << "escaped, its backslash doubled";
  EXPECT_NE(text.find("进程管理器"), std::string::npos) << "CJK kept as it is";
}

}  // namespace
}  // namespace procleak
