// SPDX-License-Identifier: Apache-2.0
// Runs the procleak binary ($PROCLEAK_BIN) on the fixture trees in tests/data (described in
// tests/data/README.md) and checks the procleak.scan/1 document field by field, the --tree text,
// and the one-line errors that come with exit status 2.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, ExpectCount, FindBy, ...

constexpr std::nullopt_t kNull = std::nullopt;

// `procleak scan --root TREE --json --fail-on never`, parsed; null on failure (after reporting
// it). Findings and their exit status are checked in incident_test.cc; here only the document.
Json ScanJson(const std::string& tree) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(tree), "--json", "--fail-on", "never"});
  EXPECT_EQ(run.exit_code, 0) << "stderr: " << run.err;
  EXPECT_EQ(run.err, "");
  Json doc = ParseJson(run.out);
  return doc.is_discarded() ? Json() : doc;
}

// containerd-shim-runc-v2 as containerd starts it for container `id`.
std::vector<std::string> ShimArgv(const std::string& containerd_namespace, const std::string& id) {
  return {
      "/usr/bin/containerd-shim-runc-v2", "-namespace", containerd_namespace, "-id", id, "-address",
      "/run/containerd/containerd.sock"};
}

struct HostWant {
  std::string hostname, kernel, boot_time, cgroup_mode;
  uint64_t mem_total_bytes, mem_available_bytes;
  int processes;
};

void ExpectHost(const Json& doc, const HostWant& w) {
  EXPECT_EQ(Field(doc, "schema"), "procleak.scan/1");
  const Json& host = Field(doc, "host");
  EXPECT_EQ(Field(host, "hostname"), w.hostname);
  EXPECT_EQ(Field(host, "kernel"), w.kernel);
  EXPECT_EQ(Field(host, "boot_time"), w.boot_time);
  EXPECT_EQ(Field(host, "cgroup_mode"), w.cgroup_mode);
  ExpectCount(host, "mem_total_bytes", w.mem_total_bytes, "host");
  ExpectCount(host, "mem_available_bytes", w.mem_available_bytes, "host");
  ExpectCount(host, "processes", w.processes, "host");
  ExpectCount(host, "skipped_vanished", 0, "host");
  ExpectCount(host, "skipped_denied", 0, "host");
  const Json& scanned_at = Field(host, "scanned_at");
  ASSERT_TRUE(scanned_at.is_string()) << scanned_at;
  EXPECT_TRUE(std::regex_match(scanned_at.get<std::string>(),
                               std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)")))
      << scanned_at;
  const Json& scan_ms = Field(host, "scan_ms");
  EXPECT_TRUE(scan_ms.is_number()) << scan_ms;
  if (scan_ms.is_number()) {
    EXPECT_GE(scan_ms.get<double>(), 0.0);
  }
}

struct CgroupWant {
  std::string path;
  std::optional<uint64_t> memory_bytes, memory_limit_bytes, memory_peak_bytes, oom_kills,
      limit_hits, pids_current, pids_max;
  int processes;
};

// Checks the whole cgroups array: its order (memory_bytes descending, unknown last, then path)
// and every listed field of every entry.
void ExpectCgroups(const Json& doc, const std::vector<CgroupWant>& want) {
  const Json& cgroups = Field(doc, "cgroups");
  ASSERT_TRUE(cgroups.is_array());
  std::vector<std::string> got_paths, want_paths;
  for (const Json& c : cgroups) got_paths.push_back(c.value("path", "<no path>"));
  for (const CgroupWant& w : want) want_paths.push_back(w.path);
  EXPECT_EQ(got_paths, want_paths);
  for (const CgroupWant& w : want) {
    const Json* c = FindBy(cgroups, "path", w.path);
    if (c == nullptr) continue;  // reported by the order check
    const std::string where = "cgroup " + w.path;
    ExpectCount(*c, "memory_bytes", w.memory_bytes, where);
    ExpectCount(*c, "memory_limit_bytes", w.memory_limit_bytes, where);
    ExpectCount(*c, "memory_peak_bytes", w.memory_peak_bytes, where);
    ExpectCount(*c, "oom_kills", w.oom_kills, where);
    ExpectCount(*c, "limit_hits", w.limit_hits, where);
    ExpectCount(*c, "pids_current", w.pids_current, where);
    ExpectCount(*c, "pids_max", w.pids_max, where);
    ExpectCount(*c, "processes", w.processes, where);
    EXPECT_TRUE(Field(*c, "memory_stat").is_object()) << where;
    EXPECT_TRUE(c->contains("memory_pressure")) << where;
  }
}

struct ProcessWant {
  int pid, ppid;
  uint64_t starttime;
  std::string started_at, state, comm;
  std::vector<std::string> cmdline;
  int uid, threads;
  std::optional<uint64_t> rss_bytes;
  std::string cgroup;
  bool kernel_thread;
  int children, descendants;
  uint64_t subtree_rss_bytes;
};

// Checks the whole processes array: sorted by pid, one entry per fixture process, every field.
void ExpectProcesses(const Json& doc, const std::vector<ProcessWant>& want) {
  const Json& processes = Field(doc, "processes");
  ASSERT_TRUE(processes.is_array());
  std::vector<int> got_pids, want_pids;
  for (const Json& p : processes) got_pids.push_back(p.value("pid", -1));
  for (const ProcessWant& w : want) want_pids.push_back(w.pid);
  EXPECT_EQ(got_pids, want_pids);
  for (const ProcessWant& w : want) {
    const Json* p = FindBy(processes, "pid", w.pid);
    if (p == nullptr) continue;
    const std::string where = "pid " + std::to_string(w.pid);
    EXPECT_EQ(Field(*p, "ppid"), w.ppid) << where;
    ExpectCount(*p, "starttime", w.starttime, where);
    EXPECT_EQ(Field(*p, "started_at"), w.started_at) << where;
    EXPECT_EQ(Field(*p, "state"), w.state) << where;
    EXPECT_EQ(Field(*p, "comm"), w.comm) << where;
    EXPECT_EQ(Field(*p, "cmdline"), Json(w.cmdline)) << where;
    ExpectCount(*p, "uid", w.uid, where);
    ExpectCount(*p, "threads", w.threads, where);
    ExpectCount(*p, "rss_bytes", w.rss_bytes, where);
    EXPECT_EQ(Field(*p, "cgroup"), w.cgroup) << where;
    EXPECT_EQ(Field(*p, "kernel_thread"), w.kernel_thread) << where;
    ExpectCount(*p, "children", w.children, where);
    ExpectCount(*p, "descendants", w.descendants, where);
    ExpectCount(*p, "subtree_rss_bytes", w.subtree_rss_bytes, where);
  }
}

struct SessionWant {
  int pid, pgid, sid, tty_nr;
  std::optional<int> ns_pid;
};

// Checks each process's pgid, sid, tty_nr and ns_pid (every process of the tree, in pid order).
void ExpectSessions(const Json& doc, const std::vector<SessionWant>& want) {
  const Json& processes = Field(doc, "processes");
  ASSERT_EQ(processes.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const Json& p = processes[i];
    const SessionWant& w = want[i];
    const std::string where = "pid " + std::to_string(w.pid);
    EXPECT_EQ(Field(p, "pid"), w.pid) << where;
    EXPECT_EQ(Field(p, "pgid"), w.pgid) << where;
    EXPECT_EQ(Field(p, "sid"), w.sid) << where;
    EXPECT_EQ(Field(p, "tty_nr"), w.tty_nr) << where;
    ExpectCount(p, "ns_pid", w.ns_pid ? std::optional<uint64_t>(*w.ns_pid) : std::nullopt, where);
  }
}

// --------------------------------------------------------------------------------------------
// v1-docker: cgroup v1 only, Docker with the cgroupfs driver (/docker/<id>).

constexpr char kApiId[] = "4ec6993fbaf778d23b48bb41973eebbdf171fb024ae923c7f1625789a80b8645";
constexpr char kBatchId[] = "c984aa2fe6cb2fd81da26d71c871d6dbb7a6b09c650d2b4e2902d349b4577f22";

TEST(ScanFixture, V1Docker_ReportsEveryField) {
  const std::string kApiPath = std::string("/docker/") + kApiId;
  const std::string kBatchPath = std::string("/docker/") + kBatchId;
  Json doc = ScanJson("v1-docker");
  ExpectHost(doc, {.hostname = "ip-10-0-3-17.ec2.internal",
                   .kernel = "5.10.220-209.869.amzn2.x86_64",
                   .boot_time = "2026-11-20T08:00:00Z",
                   .cgroup_mode = "v1",
                   .mem_total_bytes = 16181320ull * 1024,
                   .mem_available_bytes = 11235404ull * 1024,
                   .processes = 13});
  // clang-format off
  // path, memory_bytes, memory_limit_bytes, memory_peak_bytes, oom_kills, limit_hits,
  // pids_current, pids_max, processes
  ExpectCgroups(doc, {
      {"/", 4831838208, kNull, 6012342272, 0, 0, kNull, kNull, 3},
      {kApiPath, 501219328, 536870912, 536870912, 3, 17, 20, 100, 4},
      {"/system.slice/docker.service", 142606336, kNull, 190840832, 0, 0, 18, kNull, 1},
      {"/system.slice/containerd.service", 93454336, kNull, 120586240, 0, 0, 33, kNull, 3},
      {kBatchPath, 61440000, kNull, 70254592, 0, 0, 5, kNull, 2},
  });
  // pid, ppid, starttime, started_at, state, comm, cmdline, uid, threads, rss_bytes, cgroup,
  // kernel_thread, children, descendants, subtree_rss_bytes
  ExpectProcesses(doc, {
      {1, 0, 12, "2026-11-20T08:00:00.12Z", "S", "systemd",
          {"/usr/lib/systemd/systemd", "--switched-root", "--system", "--deserialize", "22"}, 0, 1,
          11759616, "/", false, 4, 10, 364408832},
      {2, 0, 12, "2026-11-20T08:00:00.12Z", "S", "kthreadd", {}, 0, 1, kNull, "/", true, 1, 1, 0},
      {24, 2, 91, "2026-11-20T08:00:00.91Z", "I", "kworker/u16:3-events_unbound", {}, 0, 1, kNull,
          "/", true, 0, 0, 0},
      {620, 1, 1502, "2026-11-20T08:00:15.02Z", "S", "containerd", {"/usr/bin/containerd"}, 0, 12,
          52613120, "/system.slice/containerd.service", false, 0, 0, 52613120},
      {890, 1, 1733, "2026-11-20T08:00:17.33Z", "S", "dockerd",
          {"/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"}, 0,
          18, 89579520, "/system.slice/docker.service", false, 0, 0, 89579520},
      {1203, 1, 4120, "2026-11-20T08:00:41.2Z", "S", "containerd-shim",
          ShimArgv("moby", kApiId),
          0, 11, 10719232, "/system.slice/containerd.service", false, 1, 4, 162451456},
      {1230, 1203, 4134, "2026-11-20T08:00:41.34Z", "S", "tini",
          {"/sbin/tini", "--", "node", "/app/server.js"}, 1000, 1, 737280, kApiPath, false, 1, 3,
          151732224},
      {1251, 1230, 4141, "2026-11-20T08:00:41.41Z", "S", "node) x", {"node", "/app/server.js"},
          1000, 11, 100663296, kApiPath, false, 2, 2, 150994944},
      {1262, 1251, 5230, "2026-11-20T08:00:52.3Z", "Z", "sh", {}, 1000, 1, kNull, kApiPath, false,
          0, 0, 0},
      {1263, 1251, 4190, "2026-11-20T08:00:41.9Z", "S", "node",
          {"node", "/app/worker.js", "--queue", "emails"}, 1000, 7, 50331648, kApiPath, false, 0, 0,
          50331648},
      {1310, 1, 6011, "2026-11-20T08:01:00.11Z", "S", "containerd-shim",
          ShimArgv("moby", kBatchId),
          0, 10, 10608640, "/system.slice/containerd.service", false, 1, 2, 48005120},
      {1335, 1310, 6030, "2026-11-20T08:01:00.3Z", "S", "python3",
          {"python3", "-m", "http.server", "8080"}, 0, 4, 36864000, kBatchPath, false, 1, 1,
          37396480},
      {1360, 1335, 6075, "2026-11-20T08:01:00.75Z", "S", "sleep", {"sleep", "infinity"}, 0, 1,
          532480, kBatchPath, false, 0, 0, 532480},
  });
  // Services of the host's init and containerd's shims lead their sessions, as does each
  // container's init (runc calls setsid); tini puts its child in a group of its own.
  // pid, pgid, sid, tty_nr, ns_pid
  ExpectSessions(doc, {
      {1, 1, 1, 0, kNull}, {2, 0, 0, 0, kNull}, {24, 0, 0, 0, kNull},
      {620, 620, 620, 0, kNull}, {890, 890, 890, 0, kNull}, {1203, 1203, 1203, 0, kNull},
      {1230, 1230, 1230, 0, 1}, {1251, 1251, 1230, 0, 7}, {1262, 1251, 1230, 0, 19},
      {1263, 1251, 1230, 0, 8}, {1310, 1310, 1310, 0, kNull}, {1335, 1335, 1335, 0, 1},
      {1360, 1335, 1335, 0, 9},
  });
  // clang-format on
}

// --------------------------------------------------------------------------------------------
// v2-systemd: cgroup v2 only, Docker and Kubernetes (containerd CRI) with the systemd driver.

constexpr char kWebId[] = "ae2a7b7d6e14d304f65fdc524edda060a4b86c7834657436fb88c3afa495de8d";
constexpr char kCorednsId[] = "7d206a247ff6050521fb53a544c82c10db427e78a276c5fefea405d0f1f37f02";
constexpr char kSandboxId[] = "89cc8ad0578455b126352d09a5f4ac77c3aaacae5a86e5cc88b1167b3fc8e395";
constexpr char kPodSlice[] = "kubepods-burstable-pod3f1b7c2e_8d4a_4b6e_9c1f_2a7d5e8b0c13.slice";

constexpr char kSessionPath[] = "/user.slice/user-1000.slice/session-3.scope";
constexpr char kUserManagerPath[] = "/user.slice/user-1000.slice/user@1000.service/init.scope";

std::string WebPath() { return std::string("/system.slice/docker-") + kWebId + ".scope"; }
std::string CriPath() {
  return std::string("/kubepods.slice/kubepods-burstable.slice/") + kPodSlice + "/cri-containerd-" +
         kCorednsId + ".scope";
}

TEST(ScanFixture, V2Systemd_ReportsEveryField) {
  const std::string kWebPath = WebPath();
  const std::string kCriPath = CriPath();
  Json doc = ScanJson("v2-systemd");
  ExpectHost(doc, {.hostname = "web-03",
                   .kernel = "6.8.0-51-generic",
                   .boot_time = "2026-03-02T14:30:00Z",
                   .cgroup_mode = "v2",
                   .mem_total_bytes = 8139464ull * 1024,
                   .mem_available_bytes = 5012344ull * 1024,
                   .processes = 17});
  // clang-format off
  // path, memory_bytes, memory_limit_bytes, memory_peak_bytes, oom_kills, limit_hits,
  // pids_current, pids_max, processes
  ExpectCgroups(doc, {
      {"/system.slice/backup.service", 260046848, 268435456, 268431360, 4, 96, 5, 1228, 1},
      {"/system.slice/containerd.service", 187236352, kNull, 233832448, 0, 0, 37, kNull, 3},
      {"/system.slice/docker.service", 104857600, kNull, 161480704, 0, 0, 20, kNull, 1},
      {kCriPath, 58720256, 268435456, 268410880, 1, 14, 13, kNull, 1},
      {kWebPath, 47185920, kNull, 73400320, 2, 0, 4, 4096, 4},
      {kSessionPath, 15728640, kNull, 20971520, 0, 0, 2, kNull, 2},
      {"/init.scope", 13172736, kNull, 41943040, 0, 0, 1, kNull, 1},
      {kUserManagerPath, 9437184, kNull, 12582912, 0, 0, 1, kNull, 1},
      {"/system.slice/ssh.service", 6291456, kNull, 9437184, 0, 0, 1, 1228, 1},
      {"/", kNull, kNull, kNull, kNull, kNull, kNull, kNull, 2},
  });
  // pid, ppid, starttime, started_at, state, comm, cmdline, uid, threads, rss_bytes, cgroup,
  // kernel_thread, children, descendants, subtree_rss_bytes
  ExpectProcesses(doc, {
      {1, 0, 3, "2026-03-02T14:30:00.03Z", "S", "systemd", {"/sbin/init"}, 0, 1, 13344768,
          "/init.scope", false, 7, 14, 510001152},
      {2, 0, 3, "2026-03-02T14:30:00.03Z", "S", "kthreadd", {}, 0, 1, kNull, "/", true, 1, 1, 0},
      {47, 2, 61, "2026-03-02T14:30:00.61Z", "I", "kworker/1:1H-kblockd", {}, 0, 1, kNull, "/",
          true, 0, 0, 0},
      {655, 1, 812, "2026-03-02T14:30:08.12Z", "S", "containerd", {"/usr/bin/containerd"}, 0, 14,
          48455680, "/system.slice/containerd.service", false, 0, 0, 48455680},
      {712, 1, 951, "2026-03-02T14:30:09.51Z", "S", "dockerd",
          {"/usr/bin/dockerd", "-H", "fd://", "--containerd=/run/containerd/containerd.sock"}, 0,
          20, 81965056, "/system.slice/docker.service", false, 0, 0, 81965056},
      {1402, 1, 5210, "2026-03-02T14:30:52.1Z", "S", "containerd-shim",
          ShimArgv("moby", kWebId),
          0, 12, 11644928, "/system.slice/containerd.service", false, 1, 4, 24268800},
      {1425, 1402, 5231, "2026-03-02T14:30:52.31Z", "S", "nginx",
          {"nginx: master process nginx -g daemon off;"}, 0, 1, 5939200, kWebPath, false, 3, 3,
          12623872},
      {1461, 1425, 5290, "2026-03-02T14:30:52.9Z", "S", "nginx", {"nginx: worker process"}, 101, 1,
          3358720, kWebPath, false, 0, 0, 3358720},
      {1462, 1425, 5290, "2026-03-02T14:30:52.9Z", "S", "nginx", {"nginx: worker process"}, 101, 1,
          3325952, kWebPath, false, 0, 0, 3325952},
      {1470, 1425, 9921, "2026-03-02T14:31:39.21Z", "Z", "nginx", {}, 101, 1, kNull, kWebPath,
          false, 0, 0, 0},
      {1502, 1, 7120, "2026-03-02T14:31:11.2Z", "S", "containerd-shim",
          ShimArgv("k8s.io", kSandboxId),
          0, 11, 11063296, "/system.slice/containerd.service", false, 1, 1, 64749568},
      {1530, 1502, 7190, "2026-03-02T14:31:11.9Z", "S", "coredns",
          {"/coredns", "-conf", "/etc/coredns/Corefile"}, 65532, 13, 53686272, kCriPath, false, 0,
          0, 53686272},
      {1600, 1, 9050, "2026-03-02T14:31:30.5Z", "S", "systemd", {"/lib/systemd/systemd", "--user"},
          1000, 1, 10485760, kUserManagerPath, false, 0, 0, 10485760},
      {1650, 1, 1210, "2026-03-02T14:30:12.1Z", "S", "sshd",
          {"sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups"}, 0, 1, 7340032,
          "/system.slice/ssh.service", false, 1, 2, 20971520},
      {1700, 1650, 9010, "2026-03-02T14:31:30.1Z", "S", "sshd", {"sshd: alice [priv]"}, 0, 1,
          8388608, kSessionPath, false, 1, 1, 13631488},
      {1710, 1700, 9100, "2026-03-02T14:31:31Z", "S", "bash", {"-bash"}, 1000, 1, 5242880,
          kSessionPath, false, 0, 0, 5242880},
      {1800, 1, 20400, "2026-03-02T14:33:24Z", "S", "python3",
          {"/usr/bin/python3", "/opt/backup/run.py"}, 0, 4, 245760000,
          "/system.slice/backup.service", false, 0, 0, 245760000},
  });
  // nginx's workers and its zombie stay in the master's group and session.
  // pid, pgid, sid, tty_nr, ns_pid
  ExpectSessions(doc, {
      {1, 1, 1, 0, kNull}, {2, 0, 0, 0, kNull}, {47, 0, 0, 0, kNull},
      {655, 655, 655, 0, kNull}, {712, 712, 712, 0, kNull}, {1402, 1402, 1402, 0, kNull},
      {1425, 1425, 1425, 0, 1}, {1461, 1425, 1425, 0, 29}, {1462, 1425, 1425, 0, 30},
      {1470, 1425, 1425, 0, 31}, {1502, 1502, 1502, 0, kNull}, {1530, 1530, 1530, 0, 1},
      {1600, 1600, 1600, 0, kNull}, {1650, 1650, 1650, 0, kNull}, {1700, 1700, 1700, 0, kNull},
      {1710, 1710, 1710, 34816, kNull}, {1800, 1800, 1800, 0, kNull},
  });
  // clang-format on
}

// --------------------------------------------------------------------------------------------
// hybrid: like the development machine: v1 controllers, name=systemd, cgroup2 at .../unified.

constexpr char kSandboxA[] = "0b6aa5f2967a07ea9b60e7c680931d4f";
constexpr char kSandboxB[] = "7e433928ea5a1a0cd23c10d61ea841c1";
constexpr char kColonPath[] =
    "/kubepods-besteffort-pod0125ec2f_b64a_4868_8f5b_94b56cbab864.slice:cri-containerd:"
    "ee4b20e90ac7f42a10bd004d05646b13d8ab5e2c5e7cbc01abf8006bac016459";

TEST(ScanFixture, Hybrid_ReportsEveryField) {
  const std::string kSandboxAPath = std::string("/sandbox/") + kSandboxA;
  const std::string kSandboxBPath = std::string("/sandbox/") + kSandboxB;
  Json doc = ScanJson("hybrid");
  ExpectHost(doc, {.hostname = "sbx-4f1c9a",
                   .kernel = "6.18.44-fc-v782",
                   .boot_time = "2026-11-19T23:47:15Z",
                   .cgroup_mode = "hybrid",
                   .mem_total_bytes = 24683656ull * 1024,
                   .mem_available_bytes = 23290780ull * 1024,
                   .processes = 10});
  // clang-format off
  // path, memory_bytes, memory_limit_bytes, memory_peak_bytes, oom_kills, limit_hits,
  // pids_current, pids_max, processes
  ExpectCgroups(doc, {
      {"/", 1491804160, kNull, 1603862528, 0, 0, kNull, kNull, 4},
      {kSandboxAPath, 1180000256, 4294967296, 1342177280, 0, 0, kNull, kNull, 3},
      {kSandboxBPath, 9216000, kNull, 11534336, 0, 0, kNull, kNull, 2},
      {kColonPath, 835584, kNull, 1048576, 0, 0, kNull, kNull, 1},
  });
  // pid, ppid, starttime, started_at, state, comm, cmdline, uid, threads, rss_bytes, cgroup,
  // kernel_thread, children, descendants, subtree_rss_bytes
  ExpectProcesses(doc, {
      {1, 0, 14, "2026-11-19T23:47:15.14Z", "S", "sandbox-init",
          {"/usr/local/bin/sandbox-init", "--listen", "vsock:1024"}, 0, 11, 9084928, "/", false, 3,
          6, 1091731456},
      {2, 0, 14, "2026-11-19T23:47:15.14Z", "S", "kthreadd", {}, 0, 1, kNull, "/", true, 2, 2, 0},
      {3, 2, 14, "2026-11-19T23:47:15.14Z", "S", "pool_workqueue_release", {}, 0, 1, kNull, "/",
          true, 0, 0, 0},
      {35, 2, 160, "2026-11-19T23:47:16.6Z", "I", "kworker/u8:2-writeback", {}, 0, 1, kNull, "/",
          true, 0, 0, 0},
      {310, 1, 20411, "2026-11-19T23:50:39.11Z", "S", "bash", {"/bin/bash", "--login"}, 0, 1,
          4014080, kSandboxAPath, false, 1, 2, 1077755904},
      {322, 310, 20587, "2026-11-19T23:50:40.87Z", "S", "python3",
          {"python3", "train.py", "--epochs", "3"}, 0, 9, 1073741824, kSandboxAPath, false, 1, 1,
          1073741824},
      {340, 322, 31002, "2026-11-19T23:52:25.02Z", "Z", "sh", {}, 0, 1, kNull, kSandboxAPath, false,
          0, 0, 0},
      {402, 1, 25110, "2026-11-19T23:51:26.1Z", "S", "bash", {"/bin/bash"}, 0, 1, 3940352,
          kSandboxBPath, false, 1, 1, 4464640},
      {455, 402, 25876, "2026-11-19T23:51:33.76Z", "S", "sleep", {"sleep", "600"}, 0, 1, 524288,
          kSandboxBPath, false, 0, 0, 524288},
      {520, 1, 26001, "2026-11-19T23:51:35.01Z", "S", "pause", {"/pause"}, 0, 1, 425984, kColonPath,
          false, 0, 0, 425984},
  });
  // bash 310 is a login shell on /dev/pts/0 (34816); python3 is its job, in a group of its own
  // on that terminal, and its zombie child stays there. No pid namespace below this /proc's.
  // pid, pgid, sid, tty_nr, ns_pid
  ExpectSessions(doc, {
      {1, 1, 1, 0, kNull}, {2, 0, 0, 0, kNull}, {3, 0, 0, 0, kNull}, {35, 0, 0, 0, kNull},
      {310, 310, 310, 34816, kNull}, {322, 322, 310, 34816, kNull},
      {340, 322, 310, 34816, kNull}, {402, 402, 402, 0, kNull}, {455, 402, 402, 0, kNull},
      {520, 520, 520, 0, kNull},
  });
  // clang-format on
}

// --------------------------------------------------------------------------------------------
// The behaviours the tables above pin down, one per test so that a failure names it.

TEST(ScanFixture, V1Docker_ZombieTakesItsParentsCgroup) {
  Json doc = ScanJson("v1-docker");
  const Json* zombie = FindBy(Field(doc, "processes"), "pid", 1262);
  ASSERT_NE(zombie, nullptr);
  EXPECT_EQ(Field(*zombie, "state"), "Z");
  // Its cgroup file reads "4:memory:/"; its parent 1251 is in the container.
  EXPECT_EQ(Field(*zombie, "cgroup"), std::string("/docker/") + kApiId);
  EXPECT_TRUE(Field(*zombie, "rss_bytes").is_null());
  EXPECT_EQ(Field(*zombie, "cmdline"), Json::array());
}

TEST(ScanFixture, V1Docker_CommKeepsSpaceAndParen) {
  Json doc = ScanJson("v1-docker");
  const Json* node = FindBy(Field(doc, "processes"), "pid", 1251);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(Field(*node, "comm"), "node) x");
  EXPECT_EQ(Field(*node, "state"), "S");  // read after the last ')', not the first
  EXPECT_EQ(Field(*node, "ppid"), 1230);
}

TEST(ScanFixture, V1Docker_CmdlineWithoutFinalNulKeepsLastArgument) {
  Json doc = ScanJson("v1-docker");
  const Json* sleep = FindBy(Field(doc, "processes"), "pid", 1360);
  ASSERT_NE(sleep, nullptr);
  EXPECT_EQ(Field(*sleep, "cmdline"), Json({"sleep", "infinity"}));
}

TEST(ScanFixture, V1Docker_KernelThreadsHaveNullRssAndNoCmdline) {
  Json doc = ScanJson("v1-docker");
  for (int pid : {2, 24}) {
    const Json* p = FindBy(Field(doc, "processes"), "pid", pid);
    ASSERT_NE(p, nullptr) << pid;
    EXPECT_EQ(Field(*p, "kernel_thread"), true) << pid;
    EXPECT_TRUE(Field(*p, "rss_bytes").is_null()) << pid;
    EXPECT_EQ(Field(*p, "cmdline"), Json::array()) << pid;
  }
  const Json* init = FindBy(Field(doc, "processes"), "pid", 1);
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(Field(*init, "kernel_thread"), false);
}

TEST(ScanFixture, V1Docker_RssIsStatmResidentTimesPageSize) {
  if (sysconf(_SC_PAGESIZE) != 4096) GTEST_SKIP() << "fixtures assume 4 KiB pages";
  Json doc = ScanJson("v1-docker");
  const Json* node = FindBy(Field(doc, "processes"), "pid", 1251);
  ASSERT_NE(node, nullptr);
  EXPECT_EQ(Field(*node, "rss_bytes"), 24576ull * 4096);  // statm "280411 24576 ..."
}

TEST(ScanFixture, V1Docker_ContainerInitCountsItsSubtree) {
  Json doc = ScanJson("v1-docker");
  const Json* init = FindBy(Field(doc, "processes"), "pid", 1230);
  ASSERT_NE(init, nullptr);
  EXPECT_EQ(Field(*init, "children"), 1);     // node) x
  EXPECT_EQ(Field(*init, "descendants"), 3);  // node) x, its zombie sh, the worker
  // tini 180 + node 24576 + zombie 0 + worker 12288 pages.
  EXPECT_EQ(Field(*init, "subtree_rss_bytes"), (180ull + 24576 + 12288) * 4096);
}

TEST(ScanFixture, V1Docker_UnlimitedLimitIsNullAndRealLimitIsBytes) {
  Json doc = ScanJson("v1-docker");
  const Json* api = FindBy(Field(doc, "cgroups"), "path", std::string("/docker/") + kApiId);
  const Json* batch = FindBy(Field(doc, "cgroups"), "path", std::string("/docker/") + kBatchId);
  ASSERT_NE(api, nullptr);
  ASSERT_NE(batch, nullptr);
  EXPECT_EQ(Field(*api, "memory_limit_bytes"), 536870912);
  EXPECT_TRUE(Field(*batch, "memory_limit_bytes").is_null());  // 9223372036854771712
  EXPECT_EQ(Field(*api, "pids_max"), 100);
  EXPECT_TRUE(Field(*batch, "pids_max").is_null());  // "max"
}

TEST(ScanFixture, V1Docker_MemoryStatComesFromHierarchicalTotals) {
  Json doc = ScanJson("v1-docker");
  const Json* api = FindBy(Field(doc, "cgroups"), "path", std::string("/docker/") + kApiId);
  ASSERT_NE(api, nullptr);
  const Json& stat = Field(*api, "memory_stat");
  const std::string where = "memory_stat";
  ExpectCount(stat, "anon", 455081984, where);        // total_rss
  ExpectCount(stat, "file", 46137344, where);         // total_cache
  ExpectCount(stat, "shmem", 0, where);               // total_shmem
  ExpectCount(stat, "file_mapped", 12582912, where);  // total_mapped_file
  ExpectCount(stat, "swap", 0, where);                // total_swap
  ExpectCount(stat, "kernel", kNull, where);          // no v1 equivalent
  ExpectCount(stat, "slab", kNull, where);
  ExpectCount(stat, "sock", kNull, where);
  EXPECT_TRUE(Field(*api, "memory_pressure").is_null());
}

TEST(ScanFixture, V2Systemd_RootCgroupOfKernelThreadsHasNullMemory) {
  Json doc = ScanJson("v2-systemd");
  const Json* root = FindBy(Field(doc, "cgroups"), "path", "/");
  ASSERT_NE(root, nullptr);
  EXPECT_TRUE(Field(*root, "memory_bytes").is_null());  // the v2 root has no memory.current
  EXPECT_TRUE(Field(*root, "memory_limit_bytes").is_null());
  EXPECT_TRUE(Field(*root, "pids_current").is_null());
  EXPECT_EQ(Field(*root, "processes"), 2);                         // kthreadd and a kworker
  EXPECT_EQ(Field(doc, "cgroups").back().value("path", ""), "/");  // unknown memory sorts last
}

TEST(ScanFixture, V2Systemd_MemoryStatEventsAndPressure) {
  Json doc = ScanJson("v2-systemd");
  const Json* web = FindBy(Field(doc, "cgroups"), "path", WebPath());
  ASSERT_NE(web, nullptr);
  EXPECT_EQ(Field(*web, "oom_kills"), 2);   // memory.events oom_kill
  EXPECT_EQ(Field(*web, "limit_hits"), 0);  // memory.events max
  const Json& stat = Field(*web, "memory_stat");
  ExpectCount(stat, "anon", 12582912, "memory_stat");
  ExpectCount(stat, "file", 33554432, "memory_stat");
  ExpectCount(stat, "shmem", 4096, "memory_stat");
  ExpectCount(stat, "file_mapped", 6291456, "memory_stat");
  ExpectCount(stat, "kernel", 1048576, "memory_stat");
  ExpectCount(stat, "slab", 655360, "memory_stat");
  ExpectCount(stat, "sock", 0, "memory_stat");
  // v2 memory.stat has no "swap" key; memory.swap.current is 0. Either reading is acceptable.
  const Json& swap = Field(stat, "swap");
  EXPECT_TRUE(swap.is_null() || swap == 0) << swap;
  const Json& pressure = Field(*web, "memory_pressure");
  ASSERT_TRUE(pressure.is_object()) << pressure;
  const Json& some = Field(pressure, "some");
  const Json& full = Field(pressure, "full");
  EXPECT_DOUBLE_EQ(Field(some, "avg10").get<double>(), 1.52);
  EXPECT_DOUBLE_EQ(Field(some, "avg60").get<double>(), 0.87);
  EXPECT_DOUBLE_EQ(Field(some, "avg300").get<double>(), 0.31);
  EXPECT_EQ(Field(some, "total_us"), 4815162);
  EXPECT_DOUBLE_EQ(Field(full, "avg10").get<double>(), 0.95);
  EXPECT_DOUBLE_EQ(Field(full, "avg60").get<double>(), 0.52);
  EXPECT_DOUBLE_EQ(Field(full, "avg300").get<double>(), 0.18);
  EXPECT_EQ(Field(full, "total_us"), 2342342);
}

TEST(ScanFixture, V2Systemd_ZombieKeepsItsOwnCgroup) {
  Json doc = ScanJson("v2-systemd");
  const Json* zombie = FindBy(Field(doc, "processes"), "pid", 1470);
  ASSERT_NE(zombie, nullptr);
  EXPECT_EQ(Field(*zombie, "state"), "Z");
  EXPECT_EQ(Field(*zombie, "cgroup"), WebPath());
}

TEST(ScanFixture, V2Systemd_SetproctitleCmdlineIsOneArgument) {
  Json doc = ScanJson("v2-systemd");
  const Json* master = FindBy(Field(doc, "processes"), "pid", 1425);
  const Json* worker = FindBy(Field(doc, "processes"), "pid", 1461);
  ASSERT_NE(master, nullptr);
  ASSERT_NE(worker, nullptr);
  EXPECT_EQ(Field(*master, "cmdline"), Json({"nginx: master process nginx -g daemon off;"}));
  EXPECT_EQ(Field(*worker, "cmdline"), Json({"nginx: worker process"}));  // NUL padding dropped
}

TEST(ScanFixture, Hybrid_CgroupPathWithColonsIsKeptWhole) {
  Json doc = ScanJson("hybrid");
  const Json* pause = FindBy(Field(doc, "processes"), "pid", 520);
  ASSERT_NE(pause, nullptr);
  EXPECT_EQ(Field(*pause, "cgroup"), kColonPath);
  const Json* cgroup = FindBy(Field(doc, "cgroups"), "path", kColonPath);
  ASSERT_NE(cgroup, nullptr);
  EXPECT_EQ(Field(*cgroup, "memory_bytes"), 835584);
}

TEST(ScanFixture, Hybrid_MemoryComesFromTheV1HierarchyWithoutPressure) {
  Json doc = ScanJson("hybrid");
  const Json* sandbox = FindBy(Field(doc, "cgroups"), "path", std::string("/sandbox/") + kSandboxA);
  ASSERT_NE(sandbox, nullptr);
  EXPECT_EQ(Field(*sandbox, "memory_limit_bytes"), 4294967296);
  EXPECT_TRUE(Field(*sandbox, "memory_pressure").is_null());  // v1 memory cgroups have no PSI
  EXPECT_TRUE(Field(*sandbox, "pids_current").is_null());     // the pids hierarchy is unused
  const Json* zombie = FindBy(Field(doc, "processes"), "pid", 340);
  ASSERT_NE(zombie, nullptr);
  EXPECT_EQ(Field(*zombie, "cgroup"), std::string("/sandbox/") + kSandboxA);
}

TEST(ScanFixture, StartedAtIsBootTimePlusTicks) {
  if (sysconf(_SC_CLK_TCK) != 100) GTEST_SKIP() << "fixtures assume CLK_TCK 100";
  Json doc = ScanJson("v1-docker");
  const Json& processes = Field(doc, "processes");
  // btime 1795161600 = 2026-11-20T08:00:00Z; fractions print only when nonzero, trimmed.
  const std::vector<std::pair<int, std::string>> want = {
      {1251, "2026-11-20T08:00:41.41Z"},  // 4141 ticks
      {1203, "2026-11-20T08:00:41.2Z"},   // 4120 ticks
      {1310, "2026-11-20T08:01:00.11Z"},  // 6011 ticks
  };
  for (const auto& [pid, started_at] : want) {
    const Json* p = FindBy(processes, "pid", pid);
    ASSERT_NE(p, nullptr) << pid;
    EXPECT_EQ(Field(*p, "started_at"), started_at) << pid;
  }
  EXPECT_EQ(Field(Field(doc, "host"), "boot_time"), "2026-11-20T08:00:00Z");
}

// --------------------------------------------------------------------------------------------
// Text output.

// Terminal columns of a UTF-8 line without escape sequences: one per code point.
size_t Columns(const std::string& line) {
  size_t columns = 0;
  for (unsigned char c : line) columns += (c & 0xC0) != 0x80;
  return columns;
}

TEST(ScanFixture, Tree_ShowsContainerInitWithSubtreeTotals) {
  RunResult run =
      RunProcleak({"scan", "--root", DataDir("v1-docker"), "--tree", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  // tini heads 4 processes holding (180 + 24576 + 12288) pages = 151732224 bytes = 144.7 MiB.
  const std::regex init_line(
      R"(^\s*4\s+14[45](\.\d+)? MiB\s.*\b1230 /sbin/tini -- node /app/server\.js$)");
  bool found = false;
  for (const std::string& line : Lines(run.out)) {
    EXPECT_LE(Columns(line), 80u) << line;
    found = found || std::regex_search(line, init_line);
  }
  EXPECT_TRUE(found) << run.out;
}

TEST(ScanFixture, TreeWithPid_ShowsOnlyThatSubtree) {
  RunResult run = RunProcleak(
      {"scan", "--root", DataDir("v1-docker"), "--tree", "--pid", "1230", "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("1230 /sbin/tini -- node /app/server.js"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("1251 node /app/server.js"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("1263 node /app/worker.js --queue emails"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("1262 "), std::string::npos) << run.out;  // the zombie
  EXPECT_EQ(run.out.find("1335 "), std::string::npos) << run.out;  // the other container
  EXPECT_EQ(run.out.find("890 "), std::string::npos) << run.out;   // dockerd
}

TEST(ScanFixture, PidNotInScan_FailsWithOneLine) {
  RunResult run = RunProcleak({"scan", "--root", DataDir("v1-docker"), "--tree", "--pid", "4242"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err.rfind("procleak: ", 0), 0u) << run.err;
  EXPECT_NE(run.err.find("4242"), std::string::npos) << run.err;
  EXPECT_EQ(Lines(run.err).size(), 1u) << run.err;
}

TEST(ScanFixture, TextReport_HostLineCgroupTableAndFooter) {
  RunResult run = RunProcleak({"scan", "--root", DataDir("v1-docker"), "--fail-on", "never"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find('\x1b'), std::string::npos) << "colour on a non-terminal";
  std::vector<std::string> lines = Lines(run.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_NE(lines[0].find("ip-10-0-3-17.ec2.internal"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("5.10.220-209.869.amzn2.x86_64"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("v1"), std::string::npos) << lines[0];
  bool header = false, api_row = false, unlimited = false, footer = false;
  for (const std::string& line : lines) {
    EXPECT_LE(Columns(line), 80u) << line;
    // A SWAP column: the api container has swap accounting and 32 MiB swapped.
    header = header || std::regex_search(
                           line, std::regex(R"(MEMORY\s+LIMIT\s+USE%\s+SWAP\s+PROCS\s+CGROUP)"));
    // The container's cgroup by runtime and short id (no state names it), not by its 72-character
    // /docker/<id> path; 93% of 512 MiB.
    if (line.ends_with("  docker 4ec6993fbaf7")) {
      api_row = true;
      EXPECT_TRUE(std::regex_search(line, std::regex(R"(512(\.0)? MiB\s+93\s+32(\.0)? MiB\s+4\s)")))
          << line;
    }
    unlimited = unlimited || line.find("unlimited") != std::string::npos;
    footer = footer || (line.find("13 processes") != std::string::npos &&
                        line.find("0 vanished") != std::string::npos &&
                        line.find("0 denied") != std::string::npos);
  }
  EXPECT_TRUE(header) << run.out;
  EXPECT_TRUE(api_row) << run.out;
  EXPECT_TRUE(unlimited) << run.out;
  EXPECT_TRUE(footer) << run.out;
}

// --------------------------------------------------------------------------------------------
// Errors: exit status 2 and exactly one line on stderr naming the path.

TEST(ScanFixture, MissingRoot_FailsWithOneLineNamingProc) {
  TempTree tree;
  const std::string root = tree.Path("absent");
  RunResult run = RunProcleak({"scan", "--root", root, "--json"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "procleak: " + root + "/proc: No such file or directory\n");
}

// The text report reads no exe link (procleak(1), "What a scan reads") unless a rule matches on
// exe: then it reads them and the rule acts. In a copy of the incident, the tavily processes run
// /opt/tavily/bin/npm, and a rule ignores chains started by that program.
TEST(ScanFixture, TextReport_RuleOnExe_ReadsExeLinks) {
  TempTree tmp;
  const std::string root = CopyFixture("incident", tmp.Path("incident"));
  int linked = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/proc")) {
    if (!entry.is_directory()) continue;
    if (ReadAll((entry.path() / "cmdline").string()).find("tavily") == std::string::npos) continue;
    std::filesystem::create_symlink("/opt/tavily/bin/npm", entry.path() / "exe");
    ++linked;
  }
  ASSERT_GT(linked, 0);
  tmp.Write("rules", "ignore exe \"^/opt/tavily/bin/npm$\"\n");
  auto tavily_findings = [](const RunResult& run) {
    int n = 0;
    for (const std::string& line : Lines(run.out)) {
      n += line.find("chain") != std::string::npos && line.find("tavily") != std::string::npos;
    }
    return n;
  };
  RunResult plain = RunProcleak({"scan", "--root", root, "--fail-on", "never"});
  RunResult ruled =
      RunProcleak({"scan", "--root", root, "--rules", tmp.Path("rules"), "--fail-on", "never"});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  ASSERT_EQ(ruled.exit_code, 0) << ruled.err;
  EXPECT_GT(tavily_findings(plain), 0) << plain.out;
  EXPECT_EQ(tavily_findings(ruled), 0) << ruled.out;
}

TEST(ScanFixture, MalformedStat_FailsWithOneLineNamingTheFile) {
  TempTree tree;
  tree.Write("proc/stat", "cpu  10 0 5 900 0 0 0 0 0 0\nbtime 1795161600\n");
  tree.Write("proc/1/stat", "1 (init S 0");  // no ')' after comm
  tree.Write("proc/1/statm", "765 433 405 5 0 123 0\n");
  tree.Write("proc/1/status", "Name:\tinit\nUid:\t0\t0\t0\t0\nThreads:\t1\nVmRSS:\t    1732 kB\n");
  tree.Write("proc/1/cmdline", std::string("/sbin/init\0", 11));
  tree.Write("proc/1/cgroup", "0::/init.scope\n");
  RunResult run = RunProcleak({"scan", "--root", tree.root(), "--json"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "procleak: " + tree.root() + "/proc/1/stat: no ')' after comm\n");
}

TEST(ScanFixture, UnknownOption_IsAUsageErrorOnOneLine) {
  RunResult run = RunProcleak({"scan", "--no-color"});  // colour follows the terminal and NO_COLOR
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err.rfind("procleak: ", 0), 0u) << run.err;
  EXPECT_EQ(Lines(run.err).size(), 1u) << run.err;
}

TEST(ScanFixture, VersionAndHelp_SucceedOnStdout) {
  RunResult version = RunProcleak({"--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_EQ(version.out.rfind("procleak ", 0), 0u) << version.out;
  for (const char* help : {"help", "-h", "--help"}) {
    RunResult run = RunProcleak({help});
    EXPECT_EQ(run.exit_code, 0) << help;
    EXPECT_NE(run.out.find("scan"), std::string::npos) << help;
    EXPECT_EQ(run.err, "") << help;
  }
}

}  // namespace
}  // namespace procleak
