// SPDX-License-Identifier: Apache-2.0
// Issue 18, cgroups that are not containers: on tests/data/v2-systemd, the memory table names
// services and scopes by systemd unit (containers by runtime and name), with memory and swap as
// the cgroup files say; JSON keeps the path beside the unit; a service near its limit, with OOM
// kills and under pressure, has those findings; with --pss, PSS summed per cgroup and container.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "base/keyed_values.h"
#include "base/text_format.h"
#include "fmt/format.h"
#include "testing/json_expect.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, FindBy, DataDir, Lines

constexpr char kTree[] = "v2-systemd";

std::optional<uint64_t> FileNumber(const std::string& path) {
  std::ifstream in(path);
  uint64_t value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

std::string CgroupDir(const std::string& path) {
  return DataDir(kTree) + "/sys/fs/cgroup" + (path == "/" ? "" : path);
}

// What the table should call each cgroup of the tree that holds processes: the unit for systemd's,
// the runtime and short id for the two containers (no runtime state names them), "/" for the root.
const std::map<std::string, std::string>& ExpectedNames() {
  static const auto* names = new std::map<std::string, std::string>{
      {"/", "/"},
      {"/init.scope", "init.scope"},
      {"/system.slice/backup.service", "backup.service"},
      {"/system.slice/containerd.service", "containerd.service"},
      {"/system.slice/docker.service", "docker.service"},
      {"/system.slice/ssh.service", "ssh.service"},
      {"/system.slice/docker-ae2a7b7d6e14d304f65fdc524edda060a4b86c7834657436fb88c3afa495de8d."
       "scope",
       "docker ae2a7b7d6e14"},
      {"/kubepods.slice/kubepods-burstable.slice/"
       "kubepods-burstable-pod3f1b7c2e_8d4a_4b6e_9c1f_2a7d5e8b0c13.slice/"
       "cri-containerd-7d206a247ff6050521fb53a544c82c10db427e78a276c5fefea405d0f1f37f02.scope",
       "containerd 7d206a247ff6"},
      {"/user.slice/user-1000.slice/session-3.scope", "session-3.scope"},
      {"/user.slice/user-1000.slice/user@1000.service/init.scope", "user@1000.service/init.scope"},
  };
  return *names;
}

// The memory table's rows (below its header, up to the blank line after them).
std::vector<std::string> TableRows(const std::string& text, std::string* header) {
  std::vector<std::string> rows;
  bool in = false;
  for (const std::string& line : Lines(text)) {
    if (!in && line.find("MEMORY") != std::string::npos && line.ends_with("CGROUP")) {
      in = true;
      *header = line;
      continue;
    }
    if (in && line.empty()) break;
    if (in) rows.push_back(line);
  }
  return rows;
}

// The cell of `row` under `column` of `header`, right-aligned at the header word's end.
std::string CellUnder(const std::string& header, const std::string& row, const std::string& column,
                      size_t width) {
  const size_t at = header.find(column);
  EXPECT_NE(at, std::string::npos) << column << " in " << header;
  const size_t end = at + column.size();
  if (at == std::string::npos || end < width || end > row.size()) return "";
  std::string cell = row.substr(end - width, width);
  return std::string(StripWhitespace(cell));
}

TEST(UnitTable, V2Systemd_NamesUnitsInMemoryOrder_WithMemoryAndSwapFromTheirFiles) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(kTree), "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::string header;
  const std::vector<std::string> rows = TableRows(run.out, &header);
  ASSERT_EQ(rows.size(), ExpectedNames().size()) << run.out;
  ASSERT_NE(header.find("SWAP"), std::string::npos) << "containerd.service has swap: " << header;

  // The order the files give: memory.current, largest first; the root (none) last.
  std::vector<std::pair<std::string, std::optional<uint64_t>>> by_memory;
  for (const auto& [path, name] : ExpectedNames()) {
    by_memory.emplace_back(path, FileNumber(CgroupDir(path) + "/memory.current"));
  }
  std::stable_sort(by_memory.begin(), by_memory.end(), [](const auto& a, const auto& b) {
    if (a.second.has_value() != b.second.has_value()) return a.second.has_value();
    return a.second.value_or(0) > b.second.value_or(0);
  });
  const size_t name_at = header.find("CGROUP");
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& [path, memory] = by_memory[i];
    const std::string& row = rows[i];
    EXPECT_LE(DisplayWidth(row), 80u) << row;
    EXPECT_EQ(row.substr(std::min(name_at, row.size())), ExpectedNames().at(path)) << row;
    EXPECT_EQ(CellUnder(header, row, "MEMORY", 10), memory ? FormatBytes(*memory) : "-") << row;
    const std::optional<uint64_t> swap = FileNumber(CgroupDir(path) + "/memory.swap.current");
    EXPECT_EQ(CellUnder(header, row, "SWAP", 10), swap ? FormatBytes(*swap) : "-") << row;
    EXPECT_EQ(CellUnder(header, row, "PROCS", 5),
              std::to_string(Lines(ReadAll(CgroupDir(path) + "/cgroup.procs")).size()))
        << row;
  }
}

TEST(UnitTable, V2Systemd_JsonKeepsThePathBesideTheUnit) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(kTree), "--json", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json doc = ParseJson(run.out);
  const Json& cgroups = Field(doc, "cgroups");
  ASSERT_EQ(cgroups.size(), ExpectedNames().size()) << cgroups.dump(1);
  for (const Json& c : cgroups) {
    const std::string path = c.value("path", "");
    ASSERT_TRUE(ExpectedNames().contains(path)) << path;
    // The unit is the path's, for containers' scopes too (docker-<id>.scope); the root has none.
    const std::string& name = ExpectedNames().at(path);
    const std::string unit = path.substr(path.rfind('/') + 1);
    if (path == "/") {
      EXPECT_TRUE(Field(c, "unit").is_null()) << path;
    } else if (name.find(' ') != std::string::npos) {
      EXPECT_EQ(Field(c, "unit"), unit) << path;
    } else {
      EXPECT_EQ(Field(c, "unit"), name) << path;
    }
    const std::optional<uint64_t> swap = FileNumber(CgroupDir(path) + "/memory.swap.current");
    ExpectCount(c, "swap_bytes", swap, path);
    EXPECT_TRUE(Field(c, "pss_bytes").is_null()) << "no --pss: " << path;
  }
}

TEST(UnitTable, ServiceNearItsLimit_WithOomKillsAndPressure_HasTheFindings) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(kTree), "--json", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json doc = ParseJson(run.out);
  const std::string path = "/system.slice/backup.service";
  const std::string dir = CgroupDir(path);
  const uint64_t current = *FileNumber(dir + "/memory.current");
  const uint64_t max = *FileNumber(dir + "/memory.max");
  const std::string events = ReadAll(dir + "/memory.events");
  const size_t oom_at = events.find("\noom_kill ");
  ASSERT_NE(oom_at, std::string::npos) << events;
  const std::string oom_kills =
      events.substr(oom_at + 10, events.find('\n', oom_at + 1) - oom_at - 10);

  std::map<std::string, const Json*> of_backup;
  for (const Json& f : Field(doc, "findings")) {
    const std::string kind = f.value("kind", "");
    if (f["cgroup"] == path) {
      EXPECT_TRUE(f["container"].is_null()) << f.dump();
      of_backup[kind] = &f;
    }
    // Unlimited services are by design: no_memory_limit is a container's finding only.
    if (kind == "no_memory_limit") {
      EXPECT_FALSE(f["container"].is_null()) << f.dump();
    }
  }
  ASSERT_TRUE(of_backup.contains("near_memory_limit")) << doc["findings"].dump(1);
  const Json& near = *of_backup["near_memory_limit"];
  const double use = 100.0 * static_cast<double>(current) / static_cast<double>(max);
  EXPECT_EQ(near["severity"], use >= 95 ? "critical" : "warning");
  EXPECT_EQ(near["message"], fmt::format("backup.service uses {:.0f}% of its {} memory limit", use,
                                         FormatBytes(max)));
  EXPECT_NE(near["action"].get<std::string>().find("systemctl set-property backup.service "
                                                   "MemoryMax="),
            std::string::npos)
      << near["action"];
  ASSERT_TRUE(of_backup.contains("oom_kills")) << doc["findings"].dump(1);
  EXPECT_EQ((*of_backup["oom_kills"])["message"],
            "the OOM killer killed " + oom_kills + " process(es) in backup.service");
  ASSERT_TRUE(of_backup.contains("memory_pressure")) << doc["findings"].dump(1);
  EXPECT_EQ(of_backup.size(), 3u);

  // The same in the text report, by unit name.
  RunResult text = RunProcleak({"scan", "--root", DataDir(kTree), "--fail-on", "never"});
  EXPECT_NE(text.out.find("near_memory_limit host         backup.service uses"), std::string::npos)
      << text.out;
}

// PSS summed over the processes of each cgroup and container: the JSON sums equal those of the
// processes in it, and those of their smaps_rollup files read here.
// near_memory_limit (17 characters) beside oom_kills and memory_pressure: every summary row's
// container column starts where the others' does.
TEST(UnitTable, FindingsSummary_KindColumnFitsTheWidestKind) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(kTree), "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<size_t> starts;
  for (const std::string& line : Lines(run.out)) {
    if (!line.starts_with("  critical ") && !line.starts_with("  warning  ") &&
        !line.starts_with("  info     ")) {
      continue;
    }
    const size_t kind_end = line.find(' ', 11);
    starts.push_back(line.find_first_not_of(' ', kind_end));
  }
  ASSERT_GE(starts.size(), 3u) << run.out;
  EXPECT_EQ(std::count(starts.begin(), starts.end(), starts.front()),
            static_cast<long>(starts.size()))
      << run.out;
  EXPECT_EQ(starts.front(), 2u + 8 + 1 + 17 + 1) << run.out;
}

TEST(UnitTable, Pss_SummedPerCgroupAndContainer) {
  RunResult run =
      RunProcleak({"scan", "--root", DataDir(kTree), "--json", "--pss", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Json doc = ParseJson(run.out);
  std::map<int, const Json*> processes;
  for (const Json& p : Field(doc, "processes")) processes[p.value("pid", 0)] = &p;
  auto file_pss = [](int pid) -> uint64_t {
    const std::string text =
        ReadAll(DataDir(kTree) + "/proc/" + std::to_string(pid) + "/smaps_rollup");
    const size_t at = text.find("\nPss:");
    if (at == std::string::npos) return 0;
    return std::stoull(text.substr(at + 5)) * 1024;
  };
  int sums = 0;
  for (const Json& c : Field(doc, "cgroups")) {
    uint64_t from_processes = 0, from_files = 0;
    bool known = true;
    for (const std::string& line :
         Lines(ReadAll(CgroupDir(c.value("path", "")) + "/cgroup.procs"))) {
      const int pid = std::stoi(line);
      const Json& p = *processes.at(pid);
      if (p["pss_bytes"].is_null()) {
        known = known && p["rss_bytes"].is_null();  // kernel threads and zombies have neither
        continue;
      }
      from_processes += p["pss_bytes"].get<uint64_t>();
      from_files += file_pss(pid);
    }
    ASSERT_TRUE(known) << c.dump();
    ExpectCount(c, "pss_bytes", from_processes, c.value("path", ""));
    EXPECT_EQ(from_processes, from_files) << c.dump();
    sums += from_files > 0;
  }
  EXPECT_GE(sums, 8);
  for (const Json& c : Field(doc, "containers")) {
    uint64_t from_files = 0;
    for (const auto& [pid, p] : processes) {
      if ((*p)["container"] == c["id"]) from_files += file_pss(pid);
    }
    ASSERT_GT(from_files, 0u) << c.dump();
    ExpectCount(c, "pss_bytes", from_files, c.value("id", ""));
  }

  // And in the table, a PSS column; its rows come in the document's order (by memory).
  RunResult text = RunProcleak({"scan", "--root", DataDir(kTree), "--pss", "--fail-on", "never"});
  std::string header;
  const std::vector<std::string> rows = TableRows(text.out, &header);
  const Json& cgroups = Field(doc, "cgroups");
  ASSERT_EQ(rows.size(), cgroups.size()) << text.out;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Json& c = cgroups[i];
    EXPECT_EQ(CellUnder(header, rows[i], "PSS", 10),
              c["pss_bytes"].is_null() ? "-" : FormatBytes(c["pss_bytes"].get<uint64_t>()))
        << rows[i];
    EXPECT_EQ(CellUnder(header, rows[i], "MEMORY", 10),
              c["memory_bytes"].is_null() ? "-" : FormatBytes(c["memory_bytes"].get<uint64_t>()))
        << rows[i];
  }
}

// v1 swap is memsw less usage: v1-docker's api container has swap accounting and 32 MiB swapped,
// so its table has a SWAP column; hybrid's cgroups have no memsw files, so swap is unknown there
// and no column.
TEST(UnitTable, V1Swap_FromMemsw_AndNoColumnWhereUnknown) {
  RunResult v1 = RunProcleak({"scan", "--root", DataDir("v1-docker"), "--fail-on", "never"});
  std::string header;
  std::vector<std::string> rows = TableRows(v1.out, &header);
  ASSERT_NE(header.find("SWAP"), std::string::npos) << v1.out;
  const std::string api = DataDir("v1-docker") +
                          "/sys/fs/cgroup/memory/docker/"
                          "4ec6993fbaf778d23b48bb41973eebbdf171fb024ae923c7f1625789a80b8645/";
  const uint64_t swap =
      *FileNumber(api + "memory.memsw.usage_in_bytes") - *FileNumber(api + "memory.usage_in_bytes");
  auto row = std::find_if(rows.begin(), rows.end(),
                          [](const std::string& r) { return r.ends_with("docker 4ec6993fbaf7"); });
  ASSERT_NE(row, rows.end()) << v1.out;
  EXPECT_EQ(CellUnder(header, *row, "SWAP", 10), FormatBytes(swap)) << *row;

  RunResult hybrid = RunProcleak({"scan", "--root", DataDir("hybrid"), "--fail-on", "never"});
  rows = TableRows(hybrid.out, &header);
  ASSERT_FALSE(rows.empty()) << hybrid.out;
  EXPECT_EQ(header.find("SWAP"), std::string::npos) << hybrid.out;
}

}  // namespace
}  // namespace procleak
