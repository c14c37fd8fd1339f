// SPDX-License-Identifier: Apache-2.0
// Issue 17: edge values in a copy of tests/data/docker-systemd through the built binary. A
// malformed number or an impossible start time is one line naming the file; a limit of 0 or of a
// few bytes is shown as it is, in columns that keep their width, and a limit of 0 is a finding.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, FindBy, ...

constexpr char kWeb[] = "a0d9d4cf6dc599b8fe9b1e3dd4322b254e1b9290d68470d4ad90c2dc20e00f30";

std::string WebScope() {
  return std::string("sys/fs/cgroup/system.slice/docker-") + kWeb + ".scope";
}

// The cells of `line` at the columns the header's `title` spans, right-aligned to its end.
std::string CellUnder(const std::string& header, const std::string& line, const std::string& title,
                      size_t width) {
  const size_t end = header.find(title) + title.size();
  if (end < width || line.size() < end) return "<short line>";
  return line.substr(end - width, width);
}

// Every row of the table whose header starts with `header_start`: its USE% cell, and a check that
// the columns around it did not move.
std::vector<std::string> UseCells(const std::string& text, const std::string& header_start) {
  std::vector<std::string> lines = Lines(text), cells;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(header_start) == std::string::npos) continue;
    const std::string& header = lines[i];
    for (size_t j = i + 1; j < lines.size() && !lines[j].empty(); ++j) {
      if (lines[j].starts_with("  (") || lines[j].starts_with("  ?:")) continue;  // notes
      const size_t use_end = header.find("USE%") + 4;
      EXPECT_EQ(lines[j][use_end - 5], ' ') << "USE% overflowed its column: " << lines[j];
      EXPECT_EQ(lines[j][use_end], ' ') << "USE% overflowed its column: " << lines[j];
      cells.push_back(CellUnder(header, lines[j], "USE%", 4));
    }
  }
  return cells;
}

struct Tree {
  TempTree tmp;
  std::string root = CopyFixture("docker-systemd", tmp.Path("docker-systemd"));
  void Write(const std::string& relative, const std::string& content) {
    tmp.Write("docker-systemd/" + relative, content);
  }
};

TEST(EdgeValues, MemoryMaxOfZero_IsShownFullAndIsACriticalFinding) {
  Tree tree;
  tree.Write(WebScope() + "/memory.max", "0\n");
  RunResult text = RunProcleak({"scan", "--root", tree.root});
  EXPECT_EQ(text.exit_code, 1) << text.err;
  EXPECT_EQ(UseCells(text.out, "CONTAINER"), (std::vector<std::string>{"full", "   -"}))
      << text.out;
  EXPECT_EQ(UseCells(text.out, "CGROUP"),
            (std::vector<std::string>{"   -", "   -", "full", "   -", "   -"}))
      << text.out;
  EXPECT_NE(text.out.find("web                    docker       24.0 MiB        0 B full"),
            std::string::npos)
      << text.out;

  Json doc = ParseJson(RunProcleak({"scan", "--root", tree.root, "--json"}).out);
  const Json* web = FindBy(Field(doc, "containers"), "name", "web");
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(Field(*web, "memory_limit_bytes"), 0);
  bool found = false;
  for (const Json& f : Field(doc, "findings")) {
    if (f["kind"] != "near_memory_limit") continue;
    found = true;
    EXPECT_EQ(f["severity"], "critical");
    EXPECT_EQ(f["message"],
              "docker web (a0d9d4cf6dc5) has a memory limit of 0 B: every allocation in it fails");
    EXPECT_NE(f["action"].get<std::string>().find("docker update --memory"), std::string::npos)
        << f["action"];
  }
  EXPECT_TRUE(found) << doc["findings"].dump(1);
}

TEST(EdgeValues, LimitOfAFewBytes_IsMoreThan999PercentInItsColumn) {
  Tree tree;
  tree.Write(WebScope() + "/memory.max", "512\n");  // 24 MiB charged: 4915200%
  RunResult run = RunProcleak({"scan", "--root", tree.root});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // near_memory_limit, critical
  EXPECT_EQ(UseCells(run.out, "CONTAINER"), (std::vector<std::string>{">999", "   -"})) << run.out;
  EXPECT_EQ(UseCells(run.out, "CGROUP"),
            (std::vector<std::string>{"   -", "   -", ">999", "   -", "   -"}))
      << run.out;
  EXPECT_NE(run.out.find("\nweb                    docker       24.0 MiB      512 B >999     3"
                         "        0\n"),
            std::string::npos)
      << run.out;
  // The finding's message, free text, says how far over: 4915200%.
  EXPECT_NE(run.out.find("uses 4915200% of its 512 B memory limit"), std::string::npos);
}

TEST(EdgeValues, LimitWithALeadingSpace_IsOneLineNamingTheFile) {
  Tree tree;
  tree.Write(WebScope() + "/memory.max", " 512\n");
  RunResult run = RunProcleak({"scan", "--root", tree.root});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "procleak: " + tree.root + "/" + WebScope() + "/memory.max: not a number: \" 512\"\n");
}

TEST(EdgeValues, CurrentWithTwoLinesOrATrailingSpace_IsOneLineNamingTheFile) {
  for (const char* content : {"25165824\n\n", "25165824 \n", "25165824\n7\n"}) {
    Tree tree;
    tree.Write(WebScope() + "/memory.current", content);
    RunResult run = RunProcleak({"scan", "--root", tree.root, "--json"});
    EXPECT_EQ(run.exit_code, 2) << content;
    EXPECT_EQ(Lines(run.err).size(), 1u) << run.err;
    EXPECT_TRUE(run.err.starts_with("procleak: " + tree.root + "/" + WebScope() +
                                    "/memory.current: not a number: \""))
        << run.err;
  }
}

// /proc/1410/stat with field 22 (starttime) replaced.
std::string StatWithStart(const std::string& stat, const std::string& start) {
  std::vector<std::string> tokens;
  const size_t close = stat.rfind(')');
  std::string head = stat.substr(0, close + 1), rest = stat.substr(close + 2);
  size_t at = 0;
  for (int field = 3; field < 22; ++field) at = rest.find(' ', at) + 1;
  const size_t end = rest.find(' ', at);
  return head + " " + rest.substr(0, at) + start + rest.substr(end);
}

TEST(EdgeValues, StartTimeOfTwoTo64Minus1_IsOneLineNamingTheFile) {
  Tree tree;
  const std::string stat = ReadAll(tree.root + "/proc/1410/stat");
  ASSERT_NE(stat.find(" 150231 "), std::string::npos) << stat;
  tree.Write("proc/1410/stat", StatWithStart(stat, "18446744073709551615"));
  // The text report's brief read, the JSON document's full one, and the tree view.
  for (const char* format : {"--no-sandbox", "--json", "--tree"}) {
    RunResult run = RunProcleak({"scan", "--root", tree.root, format});
    EXPECT_EQ(run.exit_code, 2) << format;
    EXPECT_EQ(run.err, "procleak: " + tree.root +
                           "/proc/1410/stat: field 22 (starttime) is out of range: "
                           "18446744073709551615\n")
        << format;
  }
}

TEST(EdgeValues, LargestStartTimeAKernelCanShow_IsReadAndDated) {
  Tree tree;
  const std::string stat = ReadAll(tree.root + "/proc/1410/stat");
  tree.Write("proc/1410/stat", StatWithStart(stat, "9223372036854"));  // INT64_MAX / 10^6
  RunResult run = RunProcleak({"scan", "--root", tree.root, "--json"});
  ASSERT_EQ(run.err, "");
  Json doc = ParseJson(run.out);
  const Json* nginx = FindBy(Field(doc, "processes"), "pid", 1410);
  ASSERT_NE(nginx, nullptr);
  EXPECT_EQ(Field(*nginx, "starttime"), 9223372036854u);
  // 92233720368.54 s (2,922 years) after boot (2026-11-17T16:00:00Z), not before it.
  EXPECT_TRUE(Field(*nginx, "started_at").get<std::string>().starts_with("4949-")) << *nginx;
}

}  // namespace
}  // namespace procleak
