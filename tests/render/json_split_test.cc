// SPDX-License-Identifier: Apache-2.0
// From 2,048 processes on, the process array of procleak.scan/1 is formatted on two threads
// (WriteProcesses: the second half into a JsonWriter::Continuation, appended after the first).
// The document must be the one a single thread writes, byte for byte. The single-thread text comes
// from the same snapshot: two --pid subtrees of fewer than 2,048 processes each, whose process
// arrays are spliced; every process object, its children and subtree sums included, is that of the
// whole snapshot.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "render/json_report.h"

namespace procleak {
namespace {

constexpr int kFirstPid = 300;
constexpr int kPidStep = 3;  // sparse pids, as on a host

// Hostile and ordinary names: escapes, wide and combining characters, bidi, invalid UTF-8.
const std::vector<std::string>& Names() {
  static const std::vector<std::string> names = {
      "worker",
      "tab\there \"quoted\" \\ back",
      "\x1b[31mred\x1b[0m",
      "名前-サーバ",
      "emoji 🙂 e\xcc\x81",
      "\xff\xfe bytes",
      "cut \xe5\x90",
      "\xe2\x80\xae bidi",
      "nul-free\x7f",
      "",
  };
  return names;
}

// Process `i` of a snapshot, with every optional field absent in some and present in others.
Process Varied(int i, int pid, int ppid, absl::Time boot) {
  const std::vector<std::string>& names = Names();
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = "RSDZTI"[i % 6];
  p.pgid = i % 4 == 0 ? pid : ppid;
  p.sid = i % 8 == 0 ? pid : kFirstPid;
  p.tty_nr = i % 10 == 0 ? 34816 + i % 5 : 0;
  if (i % 7 == 0) p.ns_pid = 1 + i % 50;
  p.starttime_ticks = 1000 + static_cast<uint64_t>(i) * 37;
  p.started_at = boot + absl::Milliseconds(10 * static_cast<int64_t>(p.starttime_ticks));
  p.comm = names[i % names.size()] + "-" + std::to_string(i);
  p.kernel_thread = i % 17 == 0;
  if (!p.kernel_thread) {
    p.argv = {"node", names[(i / 3) % names.size()], "--id=" + std::to_string(i)};
    if (i % 11 == 0) p.argv.push_back(std::string(200 + i % 300, 'a'));
    if (i % 13 == 0) p.argv.push_back("\x80\xbf");
    p.rss_bytes = (static_cast<uint64_t>(i) % 900 + 1) << 20;
    if (i % 4 == 0) p.pss_bytes = *p.rss_bytes / 2;
    if (i % 6 != 0) p.exe = "/usr/bin/node" + std::string(i % 9 == 0 ? " (deleted)" : "");
  }
  if (i % 5 != 0) p.uid = i % 3 == 0 ? 0 : 1000 + i % 40;
  p.threads = 1 + i % 12;
  p.cgroup = i % 9 == 0 ? "/docker/" + std::string(64, 'a' + i % 6) : "/system.slice/x.service";
  if (i % 2 == 0) p.cgroup_lines.push_back({0, "", p.cgroup});
  if (i % 4 == 0) p.cgroup_lines.push_back({12, "memory", p.cgroup});
  if (i % 9 == 0) p.container = std::string(64, 'a' + i % 6);
  return p;
}

int PidOf(int i) { return kFirstPid + kPidStep * i; }

// `count` processes in two trees: the first `first_tree` below PidOf(0), the rest below
// PidOf(first_tree); each process's parent is an earlier one of its tree (a bushy tree).
Snapshot TwoTrees(int count, int first_tree) {
  Host host;
  host.hostname = "split\n\"host\"";
  host.kernel = "6.1.0";
  host.boot_time = absl::FromUnixSeconds(1795387045);
  host.scanned_at = host.boot_time + absl::Hours(5);
  host.cgroup_mode = CgroupMode::kV2;
  host.mem_total_bytes = 64ull << 30;
  std::vector<Process> procs;
  procs.reserve(count);
  for (int i = 0; i < count; ++i) {
    const int root = i < first_tree ? 0 : first_tree;
    const int ppid = i == root ? 1 : PidOf(root + (i - root - 1) / 3);
    procs.push_back(Varied(i, PidOf(i), ppid, host.boot_time));
  }
  Cgroup service;
  service.path = "/system.slice/x.service";
  service.memory_bytes = 5ull << 30;
  service.memory_limit = Limit::Unlimited();
  ScanStats stats;
  stats.duration = absl::Milliseconds(40);
  return Snapshot::Build(host, std::move(procs), {service}, stats);
}

std::string Render(const Snapshot& s, std::optional<int> subtree, int indent) {
  JsonOptions options;
  options.subtree_of = subtree;
  return ScanJsonString(s, nullptr, options, indent);
}

// Offsets of the '[' and ']' of the document's top-level "processes" array (npos when absent),
// found by walking the text outside strings, so that no name can fake them.
std::pair<size_t, size_t> ProcessArray(const std::string& doc) {
  size_t open = std::string::npos;
  int depth = 0;
  size_t string_start = 0;
  bool in_string = false;
  std::string_view last_key;
  for (size_t i = 0; i < doc.size(); ++i) {
    const char c = doc[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
        last_key = std::string_view(doc).substr(string_start, i - string_start);
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
      string_start = i + 1;
    } else if (c == '{' || c == '[') {
      if (c == '[' && depth == 1 && last_key == "processes") open = i;
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (c == ']' && depth == 1 && open != std::string::npos) return {open, i};
    }
  }
  return {std::string::npos, std::string::npos};
}

// The whole snapshot's document as one thread writes it: the document of the first tree, with its
// process array followed by the second tree's.
std::string SplicedReference(const Snapshot& s, int first_tree, int indent) {
  const std::string first = Render(s, PidOf(0), indent);
  const std::string second = Render(s, PidOf(first_tree), indent);
  const auto [open1, close1] = ProcessArray(first);
  const auto [open2, close2] = ProcessArray(second);
  if (close1 == std::string::npos || close2 == std::string::npos) return "no process array";
  std::string items = first.substr(open1 + 1, close1 - open1 - 1);
  items.erase(items.find_last_not_of(" \n") + 1);  // the first array's closing line
  items += ',';
  items += second.substr(open2 + 1, close2 - open2 - 1);
  return first.substr(0, open1 + 1) + items + first.substr(close1);
}

// The document streamed to a FILE, flushed every 64 KiB, the continuation written as it is.
std::string RenderToFile(const Snapshot& s, int indent) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::tmpfile(), &std::fclose);
  if (file == nullptr) return "no temporary file";
  JsonWriter w(indent, file.get());
  WriteScanJson(w, s, nullptr, JsonOptions{});
  if (!w.Finish()) return "write failed";
  std::rewind(file.get());
  std::string text;
  char chunk[65536];
  for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, file.get())) > 0;) text.append(chunk, n);
  return text;
}

struct SplitCase {
  int count;
  int first_tree;  // both trees under 2,048 processes: each rendered on one thread
};

void PrintTo(const SplitCase& c, std::ostream* out) {
  *out << c.count << " processes, trees of " << c.first_tree << " and " << c.count - c.first_tree;
}

// Where `text` parts from `expected`, with what follows there (EXPECT_EQ would print megabytes).
std::string FirstDifference(const std::string& text, const std::string& expected) {
  const auto [at, other] =
      std::mismatch(text.begin(), text.end(), expected.begin(), expected.end());
  if (at == text.end() && other == expected.end()) return "";
  const size_t offset = at - text.begin();
  return "byte " + std::to_string(offset) + " of " + std::to_string(text.size()) + " (expected " +
         std::to_string(expected.size()) + "): \"" + text.substr(offset, 80) + "\" where \"" +
         expected.substr(offset, 80) + "\"";
}

class JsonSplit : public ::testing::TestWithParam<SplitCase> {};

TEST_P(JsonSplit, Document_IsWhatOneThreadWrites) {
  const auto [count, first_tree] = GetParam();
  ASSERT_LT(first_tree, 2048);
  ASSERT_LT(count - first_tree, 2048);
  const Snapshot s = TwoTrees(count, first_tree);
  ASSERT_EQ(s.roots().size(), 2u);
  for (int indent : {2, -1}) {
    SCOPED_TRACE(indent);
    const std::string text = Render(s, std::nullopt, indent);
    EXPECT_EQ(FirstDifference(text, SplicedReference(s, first_tree, indent)), "");
    EXPECT_EQ(FirstDifference(RenderToFile(s, indent), text), "") << "streamed to a file";
    if (indent >= 0) continue;
    // Valid JSON as nlohmann would print it, with every process once, in pid order.
    const nlohmann::ordered_json doc = nlohmann::ordered_json::parse(text);
    EXPECT_EQ(FirstDifference(doc.dump(indent), text), "");
    const nlohmann::ordered_json& procs = doc["processes"];
    ASSERT_EQ(procs.size(), static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
      const Process& p = s.processes()[i];
      ASSERT_EQ(procs[i]["pid"], p.pid) << i;
      ASSERT_EQ(procs[i]["children"], p.children.size()) << i;
      ASSERT_EQ(procs[i]["subtree_rss_bytes"], p.subtree_rss_bytes) << i;
      ASSERT_EQ(procs[i].contains("comm_base64"), procs[i]["comm"] != p.comm) << i;
    }
  }
}

// Below, at and above the threshold (2,047 stays on one thread), an odd count whose halves differ
// by one, and 3,000 with the trees cut away from the halves.
INSTANTIATE_TEST_SUITE_P(Counts, JsonSplit,
                         ::testing::Values(SplitCase{2047, 1024}, SplitCase{2048, 1500},
                                           SplitCase{2049, 1025}, SplitCase{3000, 2000},
                                           SplitCase{3001, 1501}),
                         [](const ::testing::TestParamInfo<SplitCase>& info) {
                           return std::to_string(info.param.count) + "_Processes";
                         });

}  // namespace
}  // namespace procleak
