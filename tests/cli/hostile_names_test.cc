// SPDX-License-Identifier: Apache-2.0
// The procleak binary on tests/data/hostile-names (tests/data/README.md): scan, --tree and diff
// print every name escaped, valid UTF-8 and within 80 columns by utf8proc's widths; errors that
// quote a file name or its contents are escaped too; JSON keeps the names as they were.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"
#include "utf8proc.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, DataDir, Lines, ParseJson, ...

constexpr char kTree[] = "hostile-names";

// Columns of `line` by utf8proc; fails the test on invalid UTF-8 or a control, format (bidi
// included) or separator character.
size_t InertColumns(const std::string& line) {
  const auto* p = reinterpret_cast<const utf8proc_uint8_t*>(line.data());
  size_t width = 0;
  for (size_t i = 0; i < line.size();) {
    utf8proc_int32_t c;
    const auto n = utf8proc_iterate(p + i, static_cast<utf8proc_ssize_t>(line.size() - i), &c);
    if (n <= 0) {
      ADD_FAILURE() << "not valid UTF-8 at byte " << i << ": " << line;
      return 0;
    }
    const utf8proc_category_t cat = utf8proc_category(c);
    EXPECT_FALSE(cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
                 cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP)
        << "U+" << std::hex << c << " reached the terminal: " << line;
    width += static_cast<size_t>(std::max(0, utf8proc_charwidth(c)));
    i += static_cast<size_t>(n);
  }
  return width;
}

void ExpectTerminalSafe(const std::string& text) {
  for (const std::string& line : Lines(text)) EXPECT_LE(InertColumns(line), 80u) << line;
}

bool Has(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(HostileNames, Scan_EscapesEveryNameAndFitsEightyColumns) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(kTree), "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  ExpectTerminalSafe(run.out);
  // The hostile container's name, escaped: OSC, BEL, the 8-bit CSI, the override.
  EXPECT_TRUE(Has(run.out, "x\\x1b]0;owned\\x07\\u009b31m\\u202egnp.exe")) << run.out;
  // The wide names as they are.
  EXPECT_TRUE(Has(run.out, "进程管理器")) << run.out;
  EXPECT_TRUE(Has(run.out, "ｗｅｂ－ｆｒｏｎｔ")) << run.out;
  // The service's unit (its cgroup below system.slice) with its override escaped.
  EXPECT_TRUE(Has(run.out, "  进程管理器\\u202e.service")) << run.out;
}

TEST(HostileNames, ContainerTable_RuntimeColumnAlignedAcrossWideNames) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(kTree), "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // The rows below the CONTAINER header, up to the empty line after them.
  size_t rows = 0;
  bool in_table = false;
  for (const std::string& line : Lines(run.out)) {
    if (in_table && line.empty()) break;
    if (!in_table) {
      in_table = line.starts_with("CONTAINER ");
      continue;
    }
    ++rows;
    const size_t at = line.find(" docker ");
    ASSERT_NE(at, std::string::npos) << line;
    EXPECT_EQ(InertColumns(line.substr(0, at)), 22u) << line;
  }
  EXPECT_EQ(rows, 3u) << run.out;
}

TEST(HostileNames, Tree_EscapesCommandsAndCutsWholeCharacters) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(kTree), "--tree", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  ExpectTerminalSafe(run.out);
  // 900's argv: ESC, BEL, C2 9B, a raw 9B, cut after the escape of the last, never inside it.
  EXPECT_TRUE(Has(run.out, "900 /usr/bin/evil --title=\\x1b]0;owned\\x07\\u009b31m\\x9b1~\n"))
      << run.out;
  // 920's comm, byte by byte: cut sequence, overlong, surrogate, continuation; then U+202E.
  EXPECT_TRUE(Has(run.out, "920 [\\xe8\\xbf\\xc0\\xaf\\xed\\xa0\\x80\\x80\\u202e]\n")) << run.out;
  // The nginx worker's 30 CJK characters are cut to the line, on a character.
  bool worker = false;
  for (const std::string& line : Lines(run.out)) {
    if (!Has(line, "1320 nginx: worker")) continue;
    worker = true;
    EXPECT_TRUE(line.ends_with("~")) << line;
    EXPECT_GE(InertColumns(line), 79u) << line;
  }
  EXPECT_TRUE(worker) << run.out;
}

TEST(HostileNames, Diff_OfTwoScans_EscapesAndAligns) {
  TempTree tmp;
  RunResult before = RunProcleak({"scan", "--root", DataDir("v2-systemd"), "--json"});
  RunResult after = RunProcleak({"scan", "--root", DataDir(kTree), "--json", "--fail-on", "never"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  tmp.Write("before.json", before.out);
  tmp.Write("after.json", after.out);
  RunResult run = RunProcleak({"diff", tmp.Path("before.json"), tmp.Path("after.json")});
  ASSERT_EQ(run.exit_code, 1) << run.err;  // changes
  ExpectTerminalSafe(run.out);
  EXPECT_TRUE(Has(run.out, "进程管理器")) << run.out;
  // Started processes: "  + PID  COMM(16) CONTAINER(12) RSS(10)", every row 53 columns.
  size_t rows = 0;
  for (const std::string& line : Lines(run.out)) {
    if (!line.starts_with("  + ")) continue;
    ++rows;
    EXPECT_EQ(InertColumns(line), 53u) << line;
  }
  EXPECT_GT(rows, 5u) << run.out;
  // Comm "a ESC [2J RLO b ZWSP", escaped and cut to 16 columns, never inside an escape.
  EXPECT_TRUE(Has(run.out, "  a\\x1b[2J\\u202eb~ ")) << run.out;
  // The emoji comm the kernel cut mid-character: three emoji and the remains, escaped.
  EXPECT_TRUE(Has(run.out, "  😀😀😀\\xf0\\x9f~ ")) << run.out;
}

TEST(HostileNames, Json_KeepsTheNamesLossless) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(kTree), "--json", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json doc = ParseJson(run.out);
  ASSERT_FALSE(doc.is_discarded());
  bool comm = false, container = false;
  for (const Json& p : doc["processes"]) {
    if (p["pid"] == 900) {
      comm = true;
      EXPECT_EQ(p["comm"],
                "a\x1b[2J\u202E"
                "b\u200B");
    }
  }
  for (const Json& c : doc["containers"]) {
    if (c["name"] ==
        "x\x1b]0;owned\x07\u009B"
        "31m\u202Egnp.exe")
      container = true;
  }
  EXPECT_TRUE(comm);
  EXPECT_TRUE(container) << doc["containers"].dump();
}

TEST(HostileNames, Errors_QuotingNamesOrContents_AreEscapedOnOneLine) {
  TempTree tmp;
  // A --root that does not exist, named with ESC, CSI and an override.
  const std::string root = tmp.Path("evil\x1b[2J\xC2\x9B\u202Eroot");
  RunResult run = RunProcleak({"scan", "--root", root});
  EXPECT_EQ(run.exit_code, 2);
  ASSERT_EQ(Lines(run.err).size(), 1u) << run.err;
  InertColumns(Lines(run.err)[0]);
  EXPECT_TRUE(Has(run.err, "evil\\x1b[2J\\u009b\\u202eroot")) << run.err;
  // A rules file whose bad line is quoted back.
  tmp.Write("bad.rules", "\x1b]0;owned\x07\xE8\xBF comm x\n");
  run = RunProcleak({"scan", "--root", DataDir(kTree), "--rules", tmp.Path("bad.rules")});
  EXPECT_EQ(run.exit_code, 2);
  ASSERT_EQ(Lines(run.err).size(), 1u) << run.err;
  InertColumns(Lines(run.err)[0]);
  EXPECT_TRUE(Has(run.err, "\\x1b]0;owned\\x07\\xe8\\xbf")) << run.err;
}

}  // namespace
}  // namespace procleak
