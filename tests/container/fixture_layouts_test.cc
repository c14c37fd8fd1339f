// SPDX-License-Identifier: Apache-2.0
// ReadContainers on the runtime fixture trees of tests/data (k8s-containerd, crio, podman, lxc,
// nspawn, docker-systemd; see tests/data/README.md), with processes read by the procfs reader.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "container/container_reader.h"
#include "procfs/pid_listing.h"
#include "procfs/process_reader.h"
#include "testing/fixture_trees.h"

namespace procleak {
namespace {

using testing::DataDir;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

// Every process under TREE/proc, as ReadProcess and ReadProcessCgroup read them.
std::vector<Process> ReadTree(const std::string& root) {
  ProcessReadContext ctx;
  ctx.proc_path = root + "/proc";
  ctx.proc_fd = open(ctx.proc_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  EXPECT_GE(ctx.proc_fd, 0) << ctx.proc_path;
  std::vector<Process> processes;
  if (ctx.proc_fd < 0) return processes;
  absl::StatusOr<std::vector<int>> pids = ListPids(ctx.proc_fd, ctx.proc_path);
  EXPECT_TRUE(pids.ok()) << pids.status();
  if (pids.ok()) {
    for (int pid : *pids) {
      Process p;
      absl::StatusOr<ProcessRead> read = ReadProcess(pid, &ctx, &p);
      if (read.ok() && *read == ProcessRead::kRead)
        read = ReadProcessCgroup(p, &ctx, &p.cgroup_lines);
      EXPECT_TRUE(read.ok()) << read.status();
      if (read.ok() && *read == ProcessRead::kRead) processes.push_back(std::move(p));
    }
  }
  close(ctx.proc_fd);
  return processes;
}

struct Layout {
  std::vector<Process> processes;
  std::vector<Container> containers;
  SkipCounter skips;

  const Container& Get(const std::string& id) const {
    for (const Container& c : containers) {
      if (c.id == id) return c;
    }
    ADD_FAILURE() << "no container " << id;
    static const Container kNone;
    return kNone;
  }
  // pid -> Process::container for every process.
  std::map<int, std::string> Membership() const {
    std::map<int, std::string> out;
    for (const Process& p : processes) out[p.pid] = p.container;
    return out;
  }
  std::vector<std::string> Ids() const {
    std::vector<std::string> ids;
    for (const Container& c : containers) ids.push_back(c.id);
    return ids;
  }
};

Layout Read(const std::string& tree) {
  Layout layout;
  ContainerReadOptions options;
  options.root = DataDir(tree);
  layout.processes = ReadTree(options.root);
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(options, layout.processes, &layout.skips);
  EXPECT_TRUE(containers.ok()) << containers.status();
  if (containers.ok()) layout.containers = *std::move(containers);
  EXPECT_EQ(layout.skips.denied, 0);
  return layout;
}

// The ids runtime_fixtures.py derives with hex_id(label) (sha256 of the label).
constexpr char kFrontend[] = "1265336ae459bce924a604f7a3d9115e02b6887a540618f5cf2c5417311dacb8";
constexpr char kReportSandbox[] =
    "257c645fa4a4982a221f8c41ed2083b96c9e31826ac1d738475d5b176369c821";
constexpr char kFrontendSandbox[] =
    "6d4b002f8a34f3cea4c1f887c48eb23c6f625f5939f654ab83b068aac1409820";
constexpr char kBuilder[] = "e435585b1bf7e5d21e7442f5a58b3e63429094816a80e5cf0723aacdf7cd8c5a";
constexpr char kAgent[] = "677b89e012729b85503aa0a078b4f0dd04517ebf5a8ee0418d0f8f161e9d2438";
constexpr char kPgDev[] = "aede9f172f53362a5d714a5a3923951fb3c83e9e578f30c168e9144433459091";
constexpr char kWorker[] = "53e7d11aaecd6e2d91cfb99e02913ab29d938b9e7d0c730cec0394b98f90f606";
constexpr char kWeb[] = "a0d9d4cf6dc599b8fe9b1e3dd4322b254e1b9290d68470d4ad90c2dc20e00f30";

constexpr char kShopPod[] =
    "/kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-pod6e0f3b2a_41c7_4d8e_9b25_7f1a0c3d5e91.slice";
constexpr char kBatchPod[] =
    "/kubepods.slice/kubepods-burstable.slice/"
    "kubepods-burstable-podc2d94e17_8a3b_4f60_b1d5_93e2a7f04c68.slice";

std::string Scope(const char* pod, const char* id) {
  return std::string(pod) + "/cri-containerd-" + id + ".scope";
}

TEST(FixtureLayouts, K8sContainerd_TwoPodsNamedFromKubeletLogs) {
  Layout l = Read("k8s-containerd");
  // Sorted by id; the exited builder whose log link lingers is not a container.
  ASSERT_THAT(l.Ids(), ElementsAre(kFrontend, kReportSandbox, kFrontendSandbox, kBuilder));
  for (const Container& c : l.containers) {
    EXPECT_EQ(c.runtime, "containerd") << c.id;
    EXPECT_EQ(c.state, "") << c.id;
    EXPECT_FALSE(c.memory_limit.has_value());  // the scanner reads it from the cgroup
  }
  const Container& frontend = l.Get(kFrontend);
  EXPECT_EQ(frontend.name, "shop/frontend-7c9d8f6b5-x2kqp/frontend");
  EXPECT_EQ(frontend.cgroup, Scope(kShopPod, kFrontend));
  EXPECT_THAT(frontend.pids, ElementsAre(1850, 1871));
  EXPECT_EQ(frontend.init_pid, 1850);

  const Container& builder = l.Get(kBuilder);
  EXPECT_EQ(builder.name, "batch/report-builder-28815840-qq7wl/builder");
  EXPECT_EQ(builder.cgroup, Scope(kBatchPod, kBuilder));
  EXPECT_THAT(builder.pids, ElementsAre(2050, 2061));
  EXPECT_EQ(builder.init_pid, 2050);

  // The pause sandboxes have no log link and no /etc/hostname.
  const Container& shop_pause = l.Get(kFrontendSandbox);
  EXPECT_EQ(shop_pause.name, "");
  EXPECT_EQ(shop_pause.cgroup, Scope(kShopPod, kFrontendSandbox));
  EXPECT_THAT(shop_pause.pids, ElementsAre(1810));
  EXPECT_EQ(shop_pause.init_pid, 1810);
  const Container& batch_pause = l.Get(kReportSandbox);
  EXPECT_EQ(batch_pause.name, "");
  EXPECT_THAT(batch_pause.pids, ElementsAre(2010));
  EXPECT_EQ(batch_pause.init_pid, 2010);

  std::map<int, std::string> in = l.Membership();
  EXPECT_EQ(in[1], "");
  EXPECT_EQ(in[640], "");
  EXPECT_EQ(in[702], "");
  EXPECT_EQ(in[1790], "");  // the shims stay in containerd.service
  EXPECT_EQ(in[1990], "");
  EXPECT_EQ(in[1871], kFrontend);
  EXPECT_EQ(in[2061], kBuilder);
}

TEST(FixtureLayouts, Crio_ConmonIsOutsideTheContainer) {
  Layout l = Read("crio");
  ASSERT_THAT(l.Ids(), ElementsAre(kAgent));
  const Container& c = l.containers.front();
  EXPECT_EQ(c.runtime, "cri-o");
  EXPECT_EQ(c.name, "monitoring/node-agent-h7x2k/agent");
  EXPECT_THAT(c.pids, ElementsAre(1520, 1541));
  EXPECT_EQ(c.init_pid, 1520);
  EXPECT_THAT(c.cgroup, ::testing::EndsWith("/crio-" + c.id + ".scope"));
  EXPECT_EQ(l.Membership()[1500], "");  // conmon
}

TEST(FixtureLayouts, Podman_RootlessScopeWithCrunSubgroup) {
  Layout l = Read("podman");
  ASSERT_THAT(l.Ids(), ElementsAre(kPgDev));
  const Container& c = l.containers.front();
  EXPECT_EQ(c.runtime, "podman");
  EXPECT_EQ(c.name, "pg-dev");  // from /proc/2310/root/etc/hostname
  EXPECT_THAT(c.pids, ElementsAre(2310, 2330, 2331));
  EXPECT_EQ(c.init_pid, 2310);
  EXPECT_EQ(c.cgroup,
            "/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + c.id + ".scope");
  std::map<int, std::string> in = l.Membership();
  EXPECT_EQ(in[2300], "");  // conmon
  EXPECT_EQ(in[1100], "");  // systemd --user
}

TEST(FixtureLayouts, Lxc_PayloadIsTheContainer_MonitorIsNot) {
  Layout l = Read("lxc");
  ASSERT_EQ(l.containers.size(), 1u);
  const Container& c = l.containers.front();
  EXPECT_EQ(c.id, "web01");
  EXPECT_EQ(c.runtime, "lxc");
  EXPECT_EQ(c.name, "web01");
  EXPECT_EQ(c.cgroup, "/lxc.payload.web01");
  EXPECT_THAT(c.pids, ElementsAre(910, 960, 1010, 1011));
  EXPECT_EQ(c.init_pid, 910);
  EXPECT_EQ(l.Membership()[900], "");  // lxc-start's monitor
}

TEST(FixtureLayouts, Nspawn_MachineScopeWithoutItsSupervisor) {
  Layout l = Read("nspawn");
  ASSERT_EQ(l.containers.size(), 1u);
  const Container& c = l.containers.front();
  EXPECT_EQ(c.id, "my-box");
  EXPECT_EQ(c.runtime, "nspawn");
  EXPECT_EQ(c.name, "my-box");
  EXPECT_EQ(c.cgroup, "/machine.slice/machine-my\\x2dbox.scope");
  EXPECT_THAT(c.pids, ElementsAre(1210, 1250));
  EXPECT_EQ(c.init_pid, 1210);
  EXPECT_EQ(l.Membership()[1200], "");  // systemd-nspawn in .../supervisor
}

TEST(FixtureLayouts, DockerSystemd_RunningWebAndRestartLoopingWorker) {
  Layout l = Read("docker-systemd");
  ASSERT_THAT(l.Ids(), ElementsAre(kWorker, kWeb));
  const Container* web = &l.Get(kWeb);
  const Container* worker = &l.Get(kWorker);
  EXPECT_EQ(web->runtime, "docker");
  EXPECT_EQ(web->name, "web");
  EXPECT_EQ(worker->runtime, "docker");
  EXPECT_EQ(worker->name, "worker");

  EXPECT_EQ(web->state, "running");
  EXPECT_EQ(web->restart_count, 0u);
  EXPECT_EQ(web->restart_policy, "unless-stopped");
  EXPECT_EQ(web->memory_limit, Limit::Of(536870912));
  EXPECT_THAT(web->pids, ElementsAre(1410, 1440, 1441));
  EXPECT_EQ(web->init_pid, 1410);
  EXPECT_EQ(web->cgroup, "/system.slice/docker-" + web->id + ".scope");
  // 2026-11-17T16:25:02.118645127Z: 1502 s after btime 1794931200.
  EXPECT_EQ(web->started_at, absl::FromUnixSeconds(1794932702) + absl::Nanoseconds(118645127));

  EXPECT_EQ(worker->state, "restarting");
  EXPECT_EQ(worker->restart_count, 37u);
  EXPECT_EQ(worker->restart_policy, "always");
  EXPECT_FALSE(worker->memory_limit.has_value());
  EXPECT_THAT(worker->pids, IsEmpty());
  EXPECT_EQ(worker->init_pid, 0);
  EXPECT_EQ(worker->cgroup, "");
  EXPECT_EQ(worker->started_at, absl::FromUnixSeconds(1794938410) + absl::Nanoseconds(90215573));

  std::map<int, std::string> in = l.Membership();
  EXPECT_EQ(in[1390], "");  // containerd-shim
  EXPECT_EQ(in[720], "");
  EXPECT_EQ(in[1441], kWeb);
}

// What stat and status say of who leads which process group and session, as each runtime
// makes them: pid, pgid, sid, ns_pid.
struct Leads {
  int pid, pgid, sid;
  std::optional<int> ns_pid;
};

void ExpectLeads(const std::string& tree, const std::vector<Leads>& want) {
  SCOPED_TRACE(tree);
  const Layout l = Read(tree);
  for (const Leads& w : want) {
    auto p = std::find_if(l.processes.begin(), l.processes.end(),
                          [&](const Process& q) { return q.pid == w.pid; });
    ASSERT_NE(p, l.processes.end()) << w.pid;
    EXPECT_EQ(p->pgid, w.pgid) << w.pid;
    EXPECT_EQ(p->sid, w.sid) << w.pid;
    EXPECT_EQ(p->tty_nr, 0) << w.pid;
    EXPECT_EQ(p->ns_pid, w.ns_pid) << w.pid;
  }
}

TEST(FixtureLayouts, EveryRuntime_GroupsAndSessionsAsItMakesThem) {
  // Monitors (conmon, lxc-start, systemd-nspawn) are daemons leading their sessions; every
  // container's init leads one too; tini puts its child in a group of its own; services that a
  // container's systemd starts lead theirs; other children stay in their parent's.
  ExpectLeads("crio", {{1500, 1500, 1500, {}}, {1520, 1520, 1520, 1}, {1541, 1541, 1520, 7}});
  ExpectLeads("podman", {{1100, 1100, 1100, {}},
                         {2300, 2300, 2300, {}},
                         {2310, 2310, 2310, 1},
                         {2330, 2310, 2310, 26}});
  ExpectLeads("lxc", {{900, 900, 900, {}},
                      {910, 910, 910, 1},
                      {960, 960, 960, 48},
                      {1010, 1010, 1010, 112},
                      {1011, 1010, 1010, 113}});
  ExpectLeads("nspawn", {{1200, 1200, 1200, {}}, {1210, 1210, 1210, 1}, {1250, 1250, 1250, 71}});
  ExpectLeads("k8s-containerd", {{1790, 1790, 1790, {}},
                                 {1810, 1810, 1810, 1},
                                 {1850, 1850, 1850, 1},
                                 {1871, 1850, 1850, 14},
                                 {2061, 2050, 2050, 9}});
  ExpectLeads(
      "docker-systemd",
      {{2, 0, 0, {}}, {1390, 1390, 1390, {}}, {1410, 1410, 1410, 1}, {1441, 1410, 1410, 30}});
}

TEST(FixtureLayouts, OlderTrees_KeepTheirContainers) {
  Layout v2 = Read("v2-systemd");
  ASSERT_EQ(v2.containers.size(), 2u);
  EXPECT_EQ(v2.containers[0].runtime, "containerd");  // 7d20... sorts before ae2a...
  EXPECT_THAT(v2.containers[0].pids, ElementsAre(1530));
  EXPECT_EQ(v2.containers[1].runtime, "docker");
  EXPECT_THAT(v2.containers[1].pids, ElementsAre(1425, 1461, 1462, 1470));
  EXPECT_EQ(v2.containers[1].init_pid, 1425);

  Layout v1 = Read("v1-docker");
  ASSERT_EQ(v1.containers.size(), 2u);
  for (const Container& c : v1.containers) {
    EXPECT_EQ(c.runtime, "docker");
    EXPECT_EQ(c.cgroup, "/docker/" + c.id);
  }
  // The v1 zombie 1262 reads "/" everywhere and joins its parent's container.
  std::map<int, std::string> in = v1.Membership();
  EXPECT_EQ(in[1262], in[1251]);
  EXPECT_NE(in[1262], "");

  Layout hybrid = Read("hybrid");
  ASSERT_EQ(hybrid.containers.size(), 1u);  // the pause container on the ':' path
  EXPECT_EQ(hybrid.containers[0].runtime, "containerd");
  EXPECT_EQ(hybrid.containers[0].id,
            "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459");
  EXPECT_THAT(hybrid.containers[0].pids, ElementsAre(520));
  EXPECT_EQ(hybrid.containers[0].cgroup,
            "/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:cri-containerd:"
            "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459");
}

}  // namespace
}  // namespace procleak
