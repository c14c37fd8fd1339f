// SPDX-License-Identifier: Apache-2.0
// ReadContainers over hand-built processes and a temp tree holding Docker's state directory,
// kubelet's log links and containers' /etc/hostname.
#include "container/container_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "testing/temp_tree.h"

namespace procleak {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;
using testing::TempTree;

// Debian's abseil has its own string_view, which gmock's string matchers do not take.
std::string Msg(const absl::Status& status) { return std::string(status.message()); }

constexpr char kWeb[] = "ae2a1f6cd3cfb6ab5b1a3d0d6e36b6fb7c2c0a4b4e5d1c4c2a8f3b9e0d7cde8d";
constexpr char kWorker[] = "5b41362bc82b7f3d56edc5a306db22105707d01ff4819e26faef9724a2d406c9";
constexpr char kDns[] = "7d20b1a46e1f5b6e4c2d9a8b3c7e0f1a2b3c4d5e6f708192a3b4c5d6e7f87f02";
constexpr char kApi[] = "4ec6a1d9b2e5f3c7089a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e48645";

std::string S(const char* a) { return a; }

Process MakeProcess(int pid, int ppid, std::vector<CgroupMembership> lines, char state = 'S',
                    uint64_t start = 0) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = state;
  p.starttime_ticks = start ? start : static_cast<uint64_t>(pid);
  p.cgroup_lines = std::move(lines);
  return p;
}

std::vector<CgroupMembership> V2(const std::string& path) { return {{0, "", path}}; }

// A hybrid host's lines, highest hierarchy first as the kernel prints them.
std::vector<CgroupMembership> Hybrid(const std::string& memory, const std::string& others,
                                     const std::string& unified) {
  return {{9, "name=systemd", others}, {8, "pids", others}, {6, "freezer", others},
          {4, "memory", memory},       {1, "cpu", others},  {0, "", unified}};
}

std::string DockerConfig(const std::string& id, const std::string& name, bool running,
                         bool restarting, int pid, const std::string& started, int restarts) {
  auto b = [](bool v) { return v ? "true" : "false"; };
  return R"({"StreamConfig":{},"State":{"Running":)" + std::string(b(running)) +
         R"(,"Paused":false,"Restarting":)" + b(restarting) +
         R"(,"OOMKilled":false,"RemovalInProgress":false,"Dead":false,"Pid":)" +
         std::to_string(pid) + R"(,"ExitCode":0,"Error":"","StartedAt":")" + started +
         R"(","FinishedAt":"0001-01-01T00:00:00Z","Health":null},"ID":")" + id +
         R"(","Created":"2026-03-02T14:40:12.418273645Z","Name":")" + name +
         R"(","Driver":"overlay2","RestartCount":)" + std::to_string(restarts) + "}";
}

std::string HostConfig(uint64_t memory, const std::string& policy) {
  return R"({"NetworkMode":"bridge","RestartPolicy":{"Name":")" + policy +
         R"(","MaximumRetryCount":0},"Memory":)" + std::to_string(memory) + "}";
}

const Container* Find(const std::vector<Container>& containers, const std::string& id) {
  for (const Container& c : containers) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

ContainerReadOptions Options(const TempTree& tree) {
  ContainerReadOptions options;
  options.root = tree.root();
  return options;
}

TEST(ContainerReader, GroupsProcesses_InitIsTopmostInside) {
  TempTree tree;
  const std::string web = "/system.slice/docker-" + S(kWeb) + ".scope";
  std::vector<Process> processes = {
      MakeProcess(1, 0, V2("/init.scope")),
      MakeProcess(1402, 1, V2("/system.slice/containerd.service")),
      MakeProcess(1425, 1402, V2(web)),
      MakeProcess(1461, 1425, V2(web)),
      MakeProcess(1462, 1425, V2(web + "/sub")),
      // `docker exec` child of the shim: also topmost, but started later than the init.
      MakeProcess(1480, 1402, V2(web), 'S', 99999),
  };
  SkipCounter skips;
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, &skips);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 1u);
  const Container& c = containers->front();
  EXPECT_EQ(c.id, kWeb);
  EXPECT_EQ(c.runtime, "docker");
  EXPECT_EQ(c.cgroup, web);
  EXPECT_THAT(c.pids, ElementsAre(1425, 1461, 1462, 1480));
  EXPECT_EQ(c.init_pid, 1425);
  EXPECT_EQ(c.name, "");
  EXPECT_EQ(processes[0].container, "");
  EXPECT_EQ(processes[1].container, "");
  EXPECT_EQ(processes[2].container, kWeb);
  EXPECT_EQ(processes[4].container, kWeb);
  EXPECT_EQ(skips.denied, 0);
}

TEST(ContainerReader, HybridHost_MemoryLineShowsContainer_UnifiedLineDoesNot) {
  TempTree tree;
  const std::string api = "/docker/" + S(kApi);
  std::vector<Process> processes = {
      MakeProcess(1, 0, Hybrid("/", "/", "/")),
      MakeProcess(1230, 1203, Hybrid(api, api, "/")),
      MakeProcess(1251, 1230, Hybrid(api, api, "/")),
      // A v1 zombie: every v1 line reads "/"; it stays in its parent's container.
      MakeProcess(1262, 1251, Hybrid("/", "/", "/"), 'Z'),
  };
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, nullptr);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ(containers->front().cgroup, api);
  EXPECT_EQ(containers->front().runtime, "docker");
  EXPECT_THAT(containers->front().pids, ElementsAre(1230, 1251, 1262));
  EXPECT_EQ(containers->front().init_pid, 1230);
  EXPECT_EQ(processes[3].container, kApi);
}

TEST(ContainerReader, DisagreeingV1Lines_ContainerWithoutAccountingCgroup) {
  // moby#34220: freezer still says /docker/<id> after systemd moved memory to user.slice. The
  // process is in the container, but the container has no memory cgroup to read.
  TempTree tree;
  std::vector<Process> processes = {
      MakeProcess(900, 1, {{6, "freezer", "/docker/" + S(kApi)}, {4, "memory", "/user.slice"}})};
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, nullptr);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ(containers->front().id, kApi);
  EXPECT_EQ(containers->front().cgroup, "");
  EXPECT_EQ(processes[0].container, kApi);
}

TEST(ContainerReader, ScannerAccountingPath_TakesPrecedence) {
  TempTree tree;
  Process p = MakeProcess(50, 1, Hybrid("/", "/", "/"), 'Z');
  p.cgroup = "/docker/" + S(kApi);  // a v1 zombie's path, inherited by the scanner
  std::vector<Process> processes = {p};
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, nullptr);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ(containers->front().cgroup, "/docker/" + S(kApi));
}

TEST(ContainerReader, DockerState_RunningAndRestartLoopingWithoutProcess) {
  TempTree tree;
  const std::string dir = "var/lib/docker/containers/";
  tree.Write(dir + kWeb + "/config.v2.json",
             DockerConfig(kWeb, "/web", true, false, 1425, "2026-03-02T14:41:03.118645127Z", 0));
  tree.Write(dir + kWeb + "/hostconfig.json", HostConfig(536870912, "unless-stopped"));
  tree.Write(dir + kWeb + "/hostname", "ae2a1f6cd3cf\n");
  tree.Write(dir + kWorker + "/config.v2.json",
             DockerConfig(kWorker, "/worker", true, true, 0, "2026-03-02T16:58:41.90215573Z", 37));
  tree.Write(dir + kWorker + "/hostconfig.json", HostConfig(0, "always"));
  // Leftovers that are not containers: a stray file, and a directory without config.v2.json.
  tree.Write(dir + "README", "not a container\n");
  tree.MakeDir(dir + "0000000000000000000000000000000000000000000000000000000000000000");

  const std::string web = "/system.slice/docker-" + S(kWeb) + ".scope";
  std::vector<Process> processes = {
      MakeProcess(1402, 1, V2("/system.slice/containerd.service")),
      MakeProcess(1425, 1402, V2(web)),
      MakeProcess(1461, 1425, V2(web)),
  };
  SkipCounter skips;
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, &skips);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 2u);
  // Sorted by id: 5b41... (worker) before ae2a... (web).
  EXPECT_EQ((*containers)[0].id, kWorker);
  EXPECT_EQ((*containers)[1].id, kWeb);

  const Container* w = Find(*containers, kWeb);
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->name, "web");
  EXPECT_EQ(w->runtime, "docker");
  EXPECT_EQ(w->state, "running");
  EXPECT_EQ(w->restart_count, 0u);
  EXPECT_EQ(w->restart_policy, "unless-stopped");
  EXPECT_EQ(w->memory_limit, Limit::Of(536870912));
  EXPECT_EQ(w->started_at, absl::FromUnixSeconds(1772462463) + absl::Nanoseconds(118645127));
  EXPECT_EQ(w->init_pid, 1425);
  EXPECT_EQ(w->cgroup, web);
  EXPECT_THAT(w->pids, ElementsAre(1425, 1461));

  const Container* r = Find(*containers, kWorker);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->name, "worker");
  EXPECT_EQ(r->runtime, "docker");
  EXPECT_EQ(r->state, "restarting");
  EXPECT_EQ(r->restart_count, 37u);
  EXPECT_EQ(r->restart_policy, "always");
  EXPECT_FALSE(r->memory_limit.has_value());
  EXPECT_EQ(r->cgroup, "");
  EXPECT_THAT(r->pids, IsEmpty());
  EXPECT_EQ(r->init_pid, 0);
  EXPECT_EQ(skips.denied, 0);
}

TEST(ContainerReader, DockerState_PidPicksInitAmongTopmostProcesses) {
  TempTree tree;
  tree.Write("var/lib/docker/containers/" + S(kWeb) + "/config.v2.json",
             DockerConfig(kWeb, "/web", true, false, 1480, "2026-03-02T14:41:03Z", 0));
  const std::string web = "/docker/" + S(kWeb);
  std::vector<Process> processes = {
      MakeProcess(1425, 1402, V2(web), 'S', 100),
      MakeProcess(1480, 1402, V2(web), 'S', 200),
  };
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, nullptr);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ(containers->front().init_pid, 1480);
}

TEST(ContainerReader, DockerRoot_IsAnOption) {
  TempTree tree;
  tree.Write("data/docker/containers/" + S(kWorker) + "/config.v2.json",
             DockerConfig(kWorker, "/worker", false, false, 0, "2026-03-02T16:58:41Z", 2));
  std::vector<Process> processes;
  ContainerReadOptions options = Options(tree);
  options.docker_root = "/data/docker";
  absl::StatusOr<std::vector<Container>> containers = ReadContainers(options, processes, nullptr);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ(containers->front().name, "worker");
  EXPECT_EQ(containers->front().state, "exited");
}

TEST(ContainerReader, MalformedDockerJson_IsErrorNamingTheFile) {
  TempTree tree;
  const std::string path = "var/lib/docker/containers/" + S(kWeb) + "/config.v2.json";
  tree.Write(path, R"({"State":{"Running":true,"Pid":1425},"Name":"/web")");
  std::vector<Process> processes;
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, nullptr);
  ASSERT_FALSE(containers.ok());
  EXPECT_THAT(Msg(containers.status()), StartsWith(tree.Path(path) + ": invalid JSON"));
  EXPECT_THAT(Msg(containers.status()), ::testing::Not(HasSubstr("\n")));

  TempTree host_tree;
  const std::string host_path = "var/lib/docker/containers/" + S(kWeb) + "/hostconfig.json";
  host_tree.Write("var/lib/docker/containers/" + S(kWeb) + "/config.v2.json",
                  DockerConfig(kWeb, "/web", false, false, 0, "0001-01-01T00:00:00Z", 0));
  host_tree.Write(host_path, "{\"Memory\":");
  containers = ReadContainers(Options(host_tree), processes, nullptr);
  ASSERT_FALSE(containers.ok());
  EXPECT_THAT(Msg(containers.status()), StartsWith(host_tree.Path(host_path) + ": invalid JSON"));
}

// Runs ReadContainers on `root` as an unprivileged user (root reads mode-000 files, so the test
// drops to nobody in a child when it runs as root). Returns denied * 100 + containers, -1 on error.
int DeniedAndCountAsNobody(const std::string& root) {
  auto run = [&root]() {
    ContainerReadOptions options;
    options.root = root;
    std::vector<Process> processes;
    SkipCounter skips;
    absl::StatusOr<std::vector<Container>> containers = ReadContainers(options, processes, &skips);
    if (!containers.ok()) return -1;
    return skips.denied * 100 + static_cast<int>(containers->size());
  };
  if (geteuid() != 0) return run();
  pid_t child = fork();
  if (child == 0) {
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(255);
    int result = run();
    _exit(result < 0 ? 254 : result);
  }
  int status = 0;
  if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) return -2;
  return WEXITSTATUS(status) >= 254 ? -1 : WEXITSTATUS(status);
}

TEST(ContainerReader, UnreadableDockerFiles_CountedAsDenied) {
  TempTree tree;
  ASSERT_EQ(chmod(tree.root().c_str(), 0755), 0);
  const std::string path = "var/lib/docker/containers/" + S(kWeb) + "/config.v2.json";
  tree.Write(path, DockerConfig(kWeb, "/web", true, false, 1, "2026-03-02T14:41:03Z", 0));
  ASSERT_EQ(chmod(tree.Path(path).c_str(), 0), 0);
  // The directory is there, so Docker knows the container: it is kept, with no name.
  EXPECT_EQ(DeniedAndCountAsNobody(tree.root()), 101);

  // containers/ itself unreadable (Docker creates it 0710): counted once, nothing listed.
  ASSERT_EQ(chmod(tree.Path("var/lib/docker/containers").c_str(), 0700), 0);
  EXPECT_EQ(DeniedAndCountAsNobody(tree.root()), 100);
}

TEST(ContainerReader, KubernetesNames_FromKubeletLogLinks) {
  TempTree tree;
  const std::string pod =
      "/kubepods.slice/kubepods-burstable.slice/"
      "kubepods-burstable-pod3f1b7c2e_8d4a_4b6e_9c1f_2a7d5e8b0c13.slice";
  tree.Write("var/log/containers/coredns-76f75df574-8xkzq_kube-system_coredns-" + S(kDns) + ".log",
             "");
  // Logs of other containers (exited ones linger) and unrelated files are ignored.
  tree.Write("var/log/containers/coredns-76f75df574-8xkzq_kube-system_coredns-" + S(kApi) + ".log",
             "");
  tree.Write("var/log/containers/README", "");
  tree.Write("var/log/containers/a_b-" + S(kWeb) + ".log", "");
  // A hostname exists too, but the kubelet name wins.
  tree.Write("proc/1530/root/etc/hostname", "coredns-76f75df574-8xkzq\n");
  std::vector<Process> processes = {
      MakeProcess(1502, 1, V2("/system.slice/containerd.service")),
      MakeProcess(1530, 1502, V2(pod + "/cri-containerd-" + S(kDns) + ".scope")),
  };
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, nullptr);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 1u);
  EXPECT_EQ(containers->front().runtime, "containerd");
  EXPECT_EQ(containers->front().name, "kube-system/coredns-76f75df574-8xkzq/coredns");
  EXPECT_EQ(containers->front().init_pid, 1530);
}

TEST(ContainerReader, Hostname_FromInitRoot) {
  TempTree tree;
  tree.Write("proc/2210/root/etc/hostname", "  build01\n");
  // LXC's state verifies the containers: only then is a name read from inside.
  tree.Write("var/lib/lxc/build01/config", "lxc.uts.name = build01\n");
  tree.Write("var/lib/lxc/empty/config", "");
  std::vector<Process> processes = {
      MakeProcess(2200, 1, V2("/lxc.monitor.build01")),
      MakeProcess(2210, 2200, V2("/lxc.payload.build01/init.scope")),
      MakeProcess(2290, 2210, V2("/lxc.payload.build01/system.slice/cron.service")),
      // Another container whose root has no /etc/hostname: no name, no error.
      MakeProcess(3001, 1, V2("/lxc/empty")),
  };
  SkipCounter skips;
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, &skips);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 2u);
  const Container* lxc = Find(*containers, "build01");
  ASSERT_NE(lxc, nullptr);
  EXPECT_EQ(lxc->runtime, "lxc");
  EXPECT_EQ(lxc->name, "build01");
  EXPECT_EQ(lxc->cgroup, "/lxc.payload.build01");
  EXPECT_EQ(lxc->init_pid, 2210);
  EXPECT_THAT(lxc->pids, ElementsAre(2210, 2290));
  const Container* empty = Find(*containers, "empty");
  ASSERT_NE(empty, nullptr);
  EXPECT_EQ(empty->name, "");
  EXPECT_EQ(empty->init_pid, 3001);
  EXPECT_EQ(processes[0].container, "");  // the monitor runs on the host
  EXPECT_EQ(skips.denied, 0);
}

TEST(ContainerReader, Hostname_NeverFollowsLinksOutOfTheContainer) {
  TempTree tree;
  // The container controls its own tree: an absolute link would resolve on the host.
  tree.Write("host-secret", "root:$6$secret\n");
  tree.MakeDir("proc/10/root/etc");
  ASSERT_EQ(
      symlink(tree.Path("host-secret").c_str(), tree.Path("proc/10/root/etc/hostname").c_str()), 0);
  tree.MakeDir("proc/20/root");
  ASSERT_EQ(symlink(tree.Path("proc/10/root/etc").c_str(), tree.Path("proc/20/root/etc").c_str()),
            0);
  tree.Write("proc/10/root/etc/real", "x\n");
  // A FIFO must not block the scan.
  tree.MakeDir("proc/30/root/etc");
  ASSERT_EQ(mkfifo(tree.Path("proc/30/root/etc/hostname").c_str(), 0644), 0);
  // Only the first line counts.
  tree.Write("proc/40/root/etc/hostname", "box40\nsecond line\n");
  for (const char* name : {"c10", "c20", "c30", "c40"}) {
    tree.Write(std::string("var/lib/lxc/") + name + "/config", "");
  }
  std::vector<Process> processes = {
      MakeProcess(10, 1, V2("/lxc/c10")), MakeProcess(20, 1, V2("/lxc/c20")),
      MakeProcess(30, 1, V2("/lxc/c30")), MakeProcess(40, 1, V2("/lxc/c40"))};
  SkipCounter skips;
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, &skips);
  ASSERT_TRUE(containers.ok()) << containers.status();
  ASSERT_EQ(containers->size(), 4u);
  EXPECT_EQ(Find(*containers, "c10")->name, "");
  EXPECT_EQ(Find(*containers, "c20")->name, "");
  EXPECT_EQ(Find(*containers, "c30")->name, "");
  EXPECT_EQ(Find(*containers, "c40")->name, "box40");
  EXPECT_EQ(skips.denied, 0);
}

TEST(ContainerReader, NoRuntimeState_NoContainers) {
  TempTree tree;
  std::vector<Process> processes = {MakeProcess(1, 0, V2("/init.scope")),
                                    MakeProcess(2, 0, V2("/"))};
  absl::StatusOr<std::vector<Container>> containers =
      ReadContainers(Options(tree), processes, nullptr);
  ASSERT_TRUE(containers.ok()) << containers.status();
  EXPECT_THAT(*containers, IsEmpty());
}

}  // namespace
}  // namespace procleak
