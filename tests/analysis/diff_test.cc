// SPDX-License-Identifier: Apache-2.0
// Diff(): processes and chains by identity, group and container changes, findings new/resolved.
#include "procleak/diff.h"

#include <gtest/gtest.h>

#include "analysis_fixture.h"

namespace procleak {
namespace {

using testing::kBoot;
using testing::SnapshotBuilder;

constexpr char kHub[] = "0b6aa5f2967a07ea9b60e7c680931d4f8a4c1b2e3d4f5a6b7c8d9e0f1a2b3c4d";
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;
const absl::Time kFrom = kBoot + absl::Hours(10);
const absl::Time kTo = kFrom + absl::Minutes(30);

// SnapshotBuilder leaves scanned_at unset: the same snapshot taken at `at` with `available`.
Snapshot At(const Snapshot& s, absl::Time at, uint64_t available = 10 * kGiB) {
  Host host = s.host();
  host.scanned_at = at;
  host.mem_available_bytes = available;
  std::vector<Process> procs(s.processes().begin(), s.processes().end());
  std::vector<Cgroup> cgroups;
  for (const auto& [path, c] : s.cgroups()) cgroups.push_back(c);
  std::vector<Container> containers(s.containers().begin(), s.containers().end());
  return Snapshot::Build(host, std::move(procs), std::move(cgroups), s.stats(),
                         std::move(containers));
}

// One npm-exec chain (npm exec -> sh -c -> node) in mcp-hub, rooted at `pid`.
void AddChain(SnapshotBuilder& b, int pid, double minutes, uint64_t node_mib) {
  b.Add(pid, 2102, {"npm exec @scope/server-x"}, minutes, 78, kHub, "/usr/local/bin/node");
  b.Add(pid + 1, pid, {"sh", "-c", "server-x"}, minutes, 1, kHub, "/bin/dash");
  b.Add(pid + 2, pid + 1, {"node", "/root/.npm/_npx/9f8e/node_modules/.bin/server-x"}, minutes,
        node_mib, kHub, "/usr/local/bin/node");
}

// Half an hour of a host: the oldest server-x chain ends and a new one starts; pid 500 (a python
// job) exits and the kernel gives its pid to a sleep; web grows by 100 MiB; api sees OOM kills
// (a new finding); worker's task count falls back (a resolved finding).
Snapshot Scenario(bool later) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  Container& hub = b.AddContainer(kHub, "mcp-hub");
  hub.init_pid = 2101;
  hub.memory_bytes = 2 * kGiB;
  hub.memory_limit = Limit::Unlimited();
  b.Add(2101, 1, {"/sbin/tini", "--", "node", "/app/hub.js"}, 1, 1, kHub);
  b.Add(2102, 2101, {"node", "/app/hub.js"}, 1, 90, kHub, "/usr/local/bin/node");
  if (!later) AddChain(b, 3000, 10, 50);
  AddChain(b, 3003, 40, 50);
  AddChain(b, 3006, 70, 50);
  if (later) AddChain(b, 3009, 100, 60);
  if (later) {
    b.Add(500, 1, {"sleep", "100"}, 95, 1);
  } else {
    b.Add(500, 1, {"/usr/bin/python3", "job.py"}, 5, 20);
  }

  AddDiffContainers(b, later);
  return At(b.Build(), later ? kTo : kFrom, later ? 9 * kGiB : 10 * kGiB);
}

struct Pair {
  Snapshot a, b;
  Analysis aa, ba;
  SnapshotDiff diff;
};

Pair DiffOf(Snapshot a, Snapshot b) {
  Pair p{std::move(a), std::move(b), {}, {}, {}};
  p.aa = Analyze(p.a, nullptr);
  p.ba = Analyze(p.b, nullptr);
  p.diff = Diff(p.a, p.aa, p.b, p.ba);
  return p;
}

const GroupChange* FindChange(const SnapshotDiff& d, std::string_view signature_part) {
  for (const GroupChange& g : d.groups) {
    if (g.signature.find(signature_part) != std::string::npos) return &g;
  }
  return nullptr;
}

TEST(Diff, Times_AreTheScansAndHostAvailableDeltaIsSigned) {
  Pair p = DiffOf(Scenario(false), Scenario(true));
  EXPECT_EQ(p.diff.from, kFrom);
  EXPECT_EQ(p.diff.to, kTo);
  EXPECT_EQ(p.diff.host_available_delta_bytes, -static_cast<int64_t>(kGiB));
}

TEST(Diff_Counts, ReusedPidAsEndedAndStarted) {
  Pair p = DiffOf(Scenario(false), Scenario(true));
  ASSERT_EQ(p.diff.processes_started.size(), 4u);
  const ProcessRef& sleep = p.diff.processes_started[0];  // by pid
  EXPECT_EQ(sleep.pid, 500);
  EXPECT_EQ(sleep.comm, "sleep");
  EXPECT_EQ(sleep.starttime_ticks, 95u * 60 * 100);
  EXPECT_EQ(sleep.container, "");
  EXPECT_EQ(sleep.rss_bytes, 1 * kMiB);
  EXPECT_EQ(p.diff.processes_started[1].pid, 3009);
  EXPECT_EQ(p.diff.processes_started[3].pid, 3011);
  EXPECT_EQ(p.diff.processes_started[3].container, kHub);
  EXPECT_EQ(p.diff.processes_started[3].rss_bytes, 60 * kMiB);

  ASSERT_EQ(p.diff.processes_ended.size(), 4u);
  const ProcessRef& python = p.diff.processes_ended[0];
  EXPECT_EQ(python.pid, 500);
  EXPECT_EQ(python.comm, "python3");
  EXPECT_EQ(python.starttime_ticks, 5u * 60 * 100);
  EXPECT_EQ(python.rss_bytes, 20 * kMiB);
  EXPECT_EQ(p.diff.processes_ended[1].pid, 3000);
  EXPECT_EQ(p.diff.processes_ended[3].pid, 3002);

  // The reused pid is a chain of its own on each side.
  ASSERT_EQ(p.diff.chains_ended.size(), 2u);
  EXPECT_EQ(p.diff.chains_ended[0].root_pid, 500);  // oldest first
  EXPECT_NE(p.diff.chains_ended[0].signature.find("python3"), std::string::npos);
  EXPECT_EQ(p.diff.chains_ended[0].rss_bytes, 20 * kMiB);
  ASSERT_EQ(p.diff.chains_started.size(), 2u);
  EXPECT_EQ(p.diff.chains_started[0].root_pid, 500);
  EXPECT_NE(p.diff.chains_started[0].signature.find("sleep"), std::string::npos);
  EXPECT_EQ(p.diff.chains_started[0].started_at, kBoot + absl::Minutes(95));
}

TEST(Diff_Chains, OneEndsAndOneStartsInTheSameGroup) {
  Pair p = DiffOf(Scenario(false), Scenario(true));
  ASSERT_EQ(p.diff.chains_started.size(), 2u);
  const ChainRef& started = p.diff.chains_started[1];
  EXPECT_EQ(started.root_pid, 3009);
  EXPECT_EQ(started.signature, "npm exec @scope/server-x > sh > node");
  EXPECT_EQ(started.container, kHub);
  EXPECT_EQ(started.started_at, kBoot + absl::Minutes(100));
  EXPECT_EQ(started.rss_bytes, (78 + 1 + 60) * kMiB);
  ASSERT_EQ(p.diff.chains_ended.size(), 2u);
  const ChainRef& ended = p.diff.chains_ended[1];
  EXPECT_EQ(ended.root_pid, 3000);
  EXPECT_EQ(ended.signature, started.signature);
  EXPECT_EQ(ended.rss_bytes, (78 + 1 + 50) * kMiB);

  const GroupChange* g = FindChange(p.diff, "server-x");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->container, kHub);
  EXPECT_EQ(g->count_before, 3);
  EXPECT_EQ(g->count_after, 3);
  EXPECT_EQ(g->chains_started, 1);
  EXPECT_EQ(g->chains_ended, 1);
  EXPECT_EQ(g->classification_after, Classification::kLeak);
  EXPECT_EQ(g->rss_delta_bytes, static_cast<int64_t>(10 * kMiB));
  EXPECT_FALSE(g->pss_delta_bytes.has_value());   // neither scan read PSS
  EXPECT_DOUBLE_EQ(g->spawn_rate_per_hour, 2.0);  // one in half an hour
  EXPECT_DOUBLE_EQ(g->rss_slope_bytes_per_hour, 20.0 * kMiB);
}

TEST(Diff_Groups, OnlyChangedGroupsByLargestRssDelta) {
  Pair p = DiffOf(Scenario(false), Scenario(true));
  ASSERT_EQ(p.diff.groups.size(), 3u);  // python3 gone, server-x, sleep new; the rest unchanged
  const GroupChange& python = p.diff.groups[0];
  EXPECT_NE(python.signature.find("python3"), std::string::npos);
  EXPECT_EQ(python.container, "");
  EXPECT_EQ(python.count_before, 1);
  EXPECT_EQ(python.count_after, 0);
  EXPECT_EQ(python.chains_ended, 1);
  EXPECT_EQ(python.chains_started, 0);
  EXPECT_EQ(python.classification_after, Classification::kSingle);  // before's
  EXPECT_EQ(python.rss_delta_bytes, -static_cast<int64_t>(20 * kMiB));
  EXPECT_NE(p.diff.groups[1].signature.find("server-x"), std::string::npos);
  const GroupChange& sleep = p.diff.groups[2];
  EXPECT_NE(sleep.signature.find("sleep"), std::string::npos);
  EXPECT_EQ(sleep.count_before, 0);
  EXPECT_EQ(sleep.count_after, 1);
  EXPECT_EQ(sleep.chains_started, 1);
  EXPECT_EQ(sleep.rss_delta_bytes, static_cast<int64_t>(kMiB));
}

TEST(Diff_Containers, GrowingMemoryWithSlopeOthersUnchangedLeftOut) {
  Pair p = DiffOf(Scenario(false), Scenario(true));
  ASSERT_EQ(p.diff.containers.size(), 1u);  // hub, api and worker kept their memory and processes
  const ContainerChange& web = p.diff.containers[0];
  EXPECT_EQ(web.id, "bbb");
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.runtime, "docker");
  EXPECT_FALSE(web.appeared);
  EXPECT_FALSE(web.disappeared);
  EXPECT_EQ(web.memory_before, 200 * kMiB);
  EXPECT_EQ(web.memory_after, 300 * kMiB);
  EXPECT_EQ(web.processes_before, 1);
  EXPECT_EQ(web.processes_after, 1);
  ASSERT_TRUE(web.memory_slope_bytes_per_hour.has_value());
  EXPECT_DOUBLE_EQ(*web.memory_slope_bytes_per_hour, 200.0 * kMiB);
}

TEST(Diff_Containers, AppearedAndDisappearedByIdWithUnknownCharge) {
  SnapshotBuilder before;
  before.Add(1, 0, {"/sbin/init"}, 0, 10);
  before.AddContainer("old", "gone").memory_bytes = 40 * kMiB;
  before.Add(1700, 1, {"/usr/bin/old"}, 3, 30, "old");
  SnapshotBuilder after;
  after.Add(1, 0, {"/sbin/init"}, 0, 10);
  after.AddContainer("new", "");  // memory unknown
  after.Add(1800, 1, {"/usr/bin/new"}, 50, 5, "new");
  after.Add(1801, 1800, {"/usr/bin/new", "--child"}, 50, 5, "new");
  Pair p = DiffOf(At(before.Build(), kFrom), At(after.Build(), kTo));
  ASSERT_EQ(p.diff.containers.size(), 2u);
  const ContainerChange& fresh = p.diff.containers[0];  // ties on delta: by id
  EXPECT_EQ(fresh.id, "new");
  EXPECT_TRUE(fresh.appeared);
  EXPECT_FALSE(fresh.memory_before.has_value());
  EXPECT_FALSE(fresh.memory_after.has_value());
  EXPECT_EQ(fresh.processes_before, 0);
  EXPECT_EQ(fresh.processes_after, 2);
  EXPECT_FALSE(fresh.memory_slope_bytes_per_hour.has_value());
  const ContainerChange& gone = p.diff.containers[1];
  EXPECT_EQ(gone.id, "old");
  EXPECT_EQ(gone.name, "gone");
  EXPECT_TRUE(gone.disappeared);
  EXPECT_EQ(gone.memory_before, 40 * kMiB);
  EXPECT_EQ(gone.processes_before, 1);
  EXPECT_EQ(gone.processes_after, 0);
}

TEST(Diff_Findings, NewAndResolvedByKindContainerSignature) {
  Pair p = DiffOf(Scenario(false), Scenario(true));
  // duplicate_chain (server-x) and no_memory_limit (hub) are on both sides: neither new nor gone.
  ASSERT_EQ(p.diff.findings_new.size(), 1u);
  EXPECT_EQ(p.diff.findings_new[0].kind, FindingKind::kOomKills);
  EXPECT_EQ(p.diff.findings_new[0].container, "ccc");
  EXPECT_EQ(p.diff.findings_new[0].severity, Severity::kWarning);
  ASSERT_EQ(p.diff.findings_resolved.size(), 1u);
  EXPECT_EQ(p.diff.findings_resolved[0].kind, FindingKind::kPidsNearLimit);
  EXPECT_EQ(p.diff.findings_resolved[0].container, "ddd");
  EXPECT_EQ(p.diff.findings_resolved[0].severity, Severity::kWarning);
}

TEST(Diff_Interval, ZeroGivesZeroRatesAndSlopes) {
  Snapshot a = Scenario(false);
  Snapshot b = At(Scenario(true), kFrom);
  Pair p = DiffOf(std::move(a), std::move(b));
  const GroupChange* g = FindChange(p.diff, "server-x");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->chains_started, 1);
  EXPECT_EQ(g->spawn_rate_per_hour, 0);
  EXPECT_EQ(g->rss_slope_bytes_per_hour, 0);
  ASSERT_EQ(p.diff.containers.size(), 1u);
  EXPECT_EQ(p.diff.containers[0].memory_slope_bytes_per_hour, 0.0);
}

TEST(Diff_Interval, SameSnapshotHasNoChanges) {
  Snapshot a = Scenario(false);
  Pair p = DiffOf(a, a);
  EXPECT_EQ(p.diff.host_available_delta_bytes, 0);
  EXPECT_TRUE(p.diff.processes_started.empty());
  EXPECT_TRUE(p.diff.processes_ended.empty());
  EXPECT_TRUE(p.diff.chains_started.empty());
  EXPECT_TRUE(p.diff.chains_ended.empty());
  EXPECT_TRUE(p.diff.groups.empty());
  EXPECT_TRUE(p.diff.containers.empty());
  EXPECT_TRUE(p.diff.findings_new.empty());
  EXPECT_TRUE(p.diff.findings_resolved.empty());
}

TEST(Diff_Groups, PssDeltaOnlyWhenBothScansReadPss) {
  auto with_pss = [](uint64_t pss_mib, bool pss_scan) {
    SnapshotBuilder b;
    b.Add(1, 0, {"/sbin/init"}, 0, 10);
    Snapshot s = b.Build();
    std::vector<Process> procs(s.processes().begin(), s.processes().end());
    procs[0].pss_bytes = pss_mib * kMiB;
    ScanStats stats;
    stats.pss = pss_scan;
    return Snapshot::Build(s.host(), std::move(procs), {}, stats);
  };
  Pair both = DiffOf(with_pss(4, true), with_pss(6, true));
  ASSERT_EQ(both.diff.groups.size(), 1u);  // same RSS, PSS changed
  EXPECT_EQ(both.diff.groups[0].rss_delta_bytes, 0);
  EXPECT_EQ(both.diff.groups[0].pss_delta_bytes, static_cast<int64_t>(2 * kMiB));
  Pair one = DiffOf(with_pss(4, false), with_pss(6, true));
  EXPECT_TRUE(one.diff.groups.empty());
}

}  // namespace
}  // namespace procleak
