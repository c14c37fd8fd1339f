// SPDX-License-Identifier: Apache-2.0
// The largest cgroups in the Prometheus exposition: bounded by memory, labelled by path, systemd
// unit and name, every label escaped.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "fmt/format.h"
#include "render/prometheus.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using testing::Lines;

std::vector<std::string> Samples(const std::string& text, const std::string& family) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(text)) {
    if (l.starts_with(family + "{") || l.starts_with(family + " ")) out.push_back(l);
  }
  return out;
}

// `count` services, service i using (i + 1) MiB with one process, and 1 MiB of swap each.
Snapshot Services(int count, const std::string& last_name) {
  std::vector<Process> processes;
  std::vector<Cgroup> cgroups;
  for (int i = 0; i < count; ++i) {
    Process p;
    p.pid = 100 + i;
    p.ppid = 1;
    p.comm = "svc";
    p.rss_bytes = 4096;
    p.pss_bytes = 1024 * (i + 1);
    Cgroup c;
    c.path = i == count - 1 ? last_name : fmt::format("/system.slice/svc{:02}.service", i);
    p.cgroup = c.path;
    c.memory_bytes = static_cast<uint64_t>(i + 1) << 20;
    c.memory_limit = Limit::Of(uint64_t{1} << 30);
    c.swap_bytes = uint64_t{1} << 20;
    c.oom_kills = i;
    c.pids = {p.pid};
    processes.push_back(p);
    cgroups.push_back(c);
  }
  ScanStats stats;
  stats.pss = true;
  return Snapshot::Build(Host{}, std::move(processes), std::move(cgroups), stats);
}

TEST(CgroupPrometheus, Exports_TheLargestCgroups_AndCountsTheRest) {
  const Snapshot s = Services(30, "/system.slice/svc29.service");
  PrometheusOptions options;
  options.max_cgroups = 5;
  const std::string text = RenderPrometheus(s, Analysis{}, options);
  const std::vector<std::string> memory = Samples(text, "procleak_cgroup_memory_bytes");
  ASSERT_EQ(memory.size(), 5u) << text;
  for (int rank = 0; rank < 5; ++rank) {
    const int i = 29 - rank;  // the largest first
    EXPECT_EQ(memory[rank],
              fmt::format("procleak_cgroup_memory_bytes{{cgroup=\"/system.slice/svc{:02}.service\","
                          "unit=\"svc{:02}.service\",name=\"svc{:02}.service\"}} {}",
                          i, i, i, (i + 1) << 20));
  }
  for (const char* family : {"procleak_cgroup_memory_limit_bytes", "procleak_cgroup_swap_bytes",
                             "procleak_cgroup_oom_kills_total", "procleak_cgroup_processes",
                             "procleak_cgroup_pss_bytes"}) {
    EXPECT_EQ(Samples(text, family).size(), 5u) << family << "\n" << text;
  }
  EXPECT_NE(text.find("# TYPE procleak_cgroup_oom_kills_total counter\n"), std::string::npos);
  EXPECT_EQ(Samples(text, "procleak_cgroups_omitted"),
            std::vector<std::string>{"procleak_cgroups_omitted 25"});
  EXPECT_EQ(Samples(text, "procleak_cgroup_pss_bytes").front(),
            "procleak_cgroup_pss_bytes{cgroup=\"/system.slice/svc29.service\",unit=\"svc29."
            "service\",name=\"svc29.service\"} " +
                std::to_string(1024 * 30));
}

TEST(CgroupPrometheus, EscapesEveryLabel) {
  const Snapshot s = Services(3, "/system.slice/a\"b\\c\n\x1b[2J\u202e.service");
  const std::string text = RenderPrometheus(s, Analysis{}, {});
  const std::vector<std::string> memory = Samples(text, "procleak_cgroup_memory_bytes");
  ASSERT_EQ(memory.size(), 3u) << text;
  EXPECT_EQ(memory.front(),
            "procleak_cgroup_memory_bytes{cgroup=\"/system.slice/a\\\"b\\\\c\\\\n\\\\x1b[2J"
            "\\\\u202e.service\",unit=\"a\\\"b\\\\c\\\\n\\\\x1b[2J\\\\u202e.service\","
            "name=\"a\\\"b\\\\c\\\\n\\\\x1b[2J\\\\u202e.service\"} 3145728");
  for (const std::string& line : Lines(text)) {
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << line;
  }
}

TEST(CgroupPrometheus, WithoutPss_HasNoPssSeries_AndUnlimitedHasNoLimitSeries) {
  Snapshot s = Services(2, "/system.slice/last.service");
  std::vector<Cgroup> cgroups;
  for (const auto& [path, c] : s.cgroups()) {
    Cgroup copy = c;
    copy.memory_limit = Limit::Unlimited();
    cgroups.push_back(copy);
  }
  std::vector<Process> processes(s.processes().begin(), s.processes().end());
  for (Process& p : processes) p.pss_bytes.reset();
  s = Snapshot::Build(Host{}, std::move(processes), std::move(cgroups), ScanStats{});
  const std::string text = RenderPrometheus(s, Analysis{}, {});
  EXPECT_EQ(Samples(text, "procleak_cgroup_memory_bytes").size(), 2u) << text;
  EXPECT_TRUE(Samples(text, "procleak_cgroup_pss_bytes").empty()) << text;
  EXPECT_TRUE(Samples(text, "procleak_cgroup_memory_limit_bytes").empty()) << text;
  EXPECT_EQ(Samples(text, "procleak_cgroups_omitted"),
            std::vector<std::string>{"procleak_cgroups_omitted 0"});
}

}  // namespace
}  // namespace procleak
