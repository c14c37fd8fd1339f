// SPDX-License-Identifier: Apache-2.0
// Issue 17: the USE% columns of the text report keep their width whatever the numbers (a limit of
// a few bytes, of 0, of 2^64 - 1 bytes charged), and a limit of 0 B reads "full".
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "analysis/analysis_fixture.h"
#include "render/format.h"
#include "render/text_report.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using testing::Lines;

TEST(UseOfLimit, WholePercentagesUpTo999) {
  EXPECT_EQ(UseOfLimit(uint64_t{5}, Limit::Of(100)).cell, "5");
  EXPECT_EQ(UseOfLimit(uint64_t{9994}, Limit::Of(1000)).cell, "999");
  EXPECT_DOUBLE_EQ(UseOfLimit(uint64_t{9994}, Limit::Of(1000)).fraction, 9.994);
  EXPECT_EQ(UseOfLimit(uint64_t{0}, Limit::Of(1)).cell, "0");
}

TEST(UseOfLimit, Above999_IsMoreThan999) {
  EXPECT_EQ(UseOfLimit(uint64_t{9996}, Limit::Of(1000)).cell, ">999");  // would print 1000
  EXPECT_EQ(UseOfLimit(uint64_t{10000}, Limit::Of(1000)).cell, ">999");
  EXPECT_EQ(UseOfLimit(uint64_t{25165824}, Limit::Of(512)).cell, ">999");
  EXPECT_EQ(UseOfLimit(UINT64_MAX, Limit::Of(1)).cell, ">999");
}

TEST(UseOfLimit, LimitOfZero_IsFull) {
  for (uint64_t used : {uint64_t{0}, uint64_t{4096}}) {
    MemoryUse use = UseOfLimit(used, Limit::Of(0));
    EXPECT_EQ(use.cell, "full");
    EXPECT_TRUE(std::isinf(use.fraction));
  }
}

TEST(UseOfLimit, UnknownOrUnlimited_IsADash) {
  EXPECT_EQ(UseOfLimit(std::nullopt, Limit::Of(100)).cell, "-");
  EXPECT_EQ(UseOfLimit(uint64_t{5}, std::nullopt).cell, "-");
  EXPECT_EQ(UseOfLimit(uint64_t{5}, Limit::Unlimited()).cell, "-");
  EXPECT_EQ(UseOfLimit(uint64_t{5}, Limit::Unlimited()).fraction, 0);
}

Cgroup MakeCgroup(std::string path, std::optional<uint64_t> memory, std::optional<Limit> limit) {
  Cgroup c;
  c.path = std::move(path);
  c.memory_bytes = memory;
  c.memory_limit = limit;
  return c;
}

// Containers and cgroups with every extreme of use against limit.
Snapshot ExtremeSnapshot() {
  struct Row {
    std::string id;
    std::optional<uint64_t> memory;
    std::optional<Limit> limit;
  };
  const std::vector<Row> rows = {
      {"a1", uint64_t{25165824}, Limit::Of(512)},    // a few bytes: 4915200%
      {"a2", uint64_t{25165824}, Limit::Of(0)},      // every charge fails
      {"a3", UINT64_MAX, Limit::Of(1)},              // the largest charge
      {"a4", uint64_t{9994}, Limit::Of(1000)},       // 999%
      {"a5", uint64_t{0}, Limit::Of(0)},             // nothing charged, no room either
      {"a6", uint64_t{1} << 20, Limit::Unlimited()}  // no limit
  };
  std::vector<Container> containers;
  std::vector<Cgroup> cgroups;
  for (const Row& r : rows) {
    Container c;
    c.id = r.id + std::string(62, '0');
    c.runtime = "docker";
    c.name = r.id;
    c.cgroup = "/system.slice/docker-" + c.id + ".scope";
    c.memory_bytes = r.memory;
    c.memory_limit = r.limit;
    cgroups.push_back(MakeCgroup(c.cgroup, r.memory, r.limit));
    containers.push_back(std::move(c));
  }
  Host host;
  host.mem_total_bytes = 8ull << 30;
  host.mem_available_bytes = 4ull << 30;
  return Snapshot::Build(host, {}, std::move(cgroups), ScanStats(), std::move(containers));
}

// The USE% cell of each row of the table whose header holds `title`, checked to stay in its
// column: the four characters under "USE%", with a space on either side.
std::vector<std::string> UseColumn(const std::string& text, const std::string& title) {
  std::vector<std::string> lines = Lines(text), cells;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(title) == std::string::npos || lines[i].find("USE%") == std::string::npos) {
      continue;
    }
    const size_t at = lines[i].find("USE%");
    for (size_t j = i + 1; j < lines.size() && !lines[j].empty(); ++j) {
      if (lines[j].starts_with("  (") || lines[j].starts_with("  ?:")) continue;  // notes
      EXPECT_LE(lines[j].size(), 80u) << lines[j];
      EXPECT_EQ(lines[j].substr(at - 1, 1) + lines[j].substr(at + 4, 1), "  ") << lines[j];
      cells.push_back(lines[j].substr(at, 4));
    }
  }
  return cells;
}

TEST(UsePercentColumns, KeepTheirWidth_WhateverTheNumbers) {
  Snapshot s = ExtremeSnapshot();
  Analysis analysis = Analyze(s, nullptr);
  TextOptions options;
  options.analysis = &analysis;
  const std::string text = RenderScanText(s, options);
  // Containers by memory, then id: a3 (2^64 - 1), a1, a2, a6, a4, a5.
  EXPECT_EQ(UseColumn(text, "CONTAINER"),
            (std::vector<std::string>{">999", ">999", "full", "   -", " 999", "full"}))
      << text;
  EXPECT_EQ(UseColumn(text, "CGROUP"),
            (std::vector<std::string>{">999", ">999", "full", "   -", " 999", "full"}))
      << text;
}

TEST(UsePercentColumns, LimitOfZero_IsACriticalFindingEvenWithNothingCharged) {
  Snapshot s = ExtremeSnapshot();
  Analysis analysis = Analyze(s, nullptr);
  size_t zero_limit = 0;
  for (const Finding& f : analysis.findings) {
    if (f.message.find("memory limit of 0 B") == std::string::npos) continue;
    ++zero_limit;
    EXPECT_EQ(f.kind, FindingKind::kNearMemoryLimit);
    EXPECT_EQ(f.severity, Severity::kCritical);
  }
  // a2 and a5 have no process: the container findings are about containers that run something.
  EXPECT_EQ(zero_limit, 0u);

  testing::SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(10, 1, {"app"}, 1, 5, "f00d" + std::string(60, '0'));
  Container& app = b.AddContainer("f00d" + std::string(60, '0'), "app");
  app.memory_limit = Limit::Of(0);
  app.memory_bytes = 0;  // all it had was reclaimed; its process runs on, unable to allocate
  Snapshot one = b.Build();
  Analysis a = Analyze(one, nullptr);
  const Finding* found = nullptr;
  for (const Finding& f : a.findings) {
    if (f.kind == FindingKind::kNearMemoryLimit) found = &f;
  }
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->severity, Severity::kCritical);
  EXPECT_EQ(found->message,
            "docker app (f00d00000000) has a memory limit of 0 B: every allocation in it fails");
  EXPECT_EQ(found->evidence.front(),
            "memory 0 B charged; memory.max (v2) or memory.limit_in_bytes (v1) reads 0");
}

}  // namespace
}  // namespace procleak
