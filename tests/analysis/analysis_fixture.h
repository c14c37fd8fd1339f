// SPDX-License-Identifier: Apache-2.0
#pragma once
// Builds snapshots by hand for the analysis tests: processes with start times, containers.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"

namespace procleak::testing {

inline const absl::Time kBoot = absl::FromUnixSeconds(1795420800);  // 2026-11-23T08:00:00Z

class SnapshotBuilder {
 public:
  // Adds a process started `minutes` after boot; returns its pid.
  int Add(int pid, int ppid, std::vector<std::string> argv, double minutes, uint64_t rss_mib,
          std::string container = "", std::string exe = "") {
    Process p;
    p.pid = pid;
    p.ppid = ppid;
    p.state = 'S';
    p.argv = std::move(argv);
    p.comm = p.argv.empty() ? "" : p.argv[0].substr(p.argv[0].rfind('/') + 1).substr(0, 15);
    p.exe = exe.empty() && !p.argv.empty() ? p.argv[0] : exe;
    p.starttime_ticks = static_cast<uint64_t>(minutes * 60 * 100);
    p.started_at = kBoot + absl::Seconds(minutes * 60);
    p.rss_bytes = rss_mib << 20;
    p.container = std::move(container);
    processes_.push_back(std::move(p));
    return pid;
  }
  // Sets `pid`'s process group and session; the others inherit their parent's at Build(), and a
  // process whose parent is not added leads its own (as a daemon or service does).
  void SetGroup(int pid, int pgid, int sid) { groups_[pid] = {pgid, sid}; }
  // Makes `pid` lead its own process group (and session, with `session`).
  void SetLeader(int pid, bool session = false) { groups_[pid] = {pid, session ? pid : -1}; }
  void SetCgroup(int pid, std::string cgroup) { Find(pid).cgroup = std::move(cgroup); }
  void SetState(int pid, char state) { Find(pid).state = state; }
  void SetTty(int pid, int tty_nr) { Find(pid).tty_nr = tty_nr; }
  void SetNsPid(int pid, int ns_pid) { Find(pid).ns_pid = ns_pid; }
  void SetComm(int pid, std::string comm) { Find(pid).comm = std::move(comm); }
  Container& AddContainer(std::string id, std::string name) {
    Container c;
    c.id = std::move(id);
    c.runtime = "docker";
    c.name = std::move(name);
    c.cgroup = "/system.slice/docker-" + c.id + ".scope";
    containers_.push_back(std::move(c));
    return containers_.back();
  }
  Snapshot Build(uint64_t mem_total_gib = 121) {
    InheritGroups();
    for (Container& c : containers_) {
      c.pids.clear();
      for (const Process& p : processes_) {
        if (p.container == c.id) c.pids.push_back(p.pid);
      }
    }
    Host host;
    host.boot_time = kBoot;
    host.mem_total_bytes = mem_total_gib << 30;
    host.mem_available_bytes = 10ull << 30;
    return Snapshot::Build(host, processes_, {}, ScanStats(), containers_);
  }

 private:
  Process& Find(int pid) {
    for (Process& p : processes_) {
      if (p.pid == pid) return p;
    }
    ADD_FAILURE() << "no process " << pid;
    return processes_.front();
  }

  // Parents first where they were added first; a parent added later is resolved on demand.
  void InheritGroups() {
    std::map<int, Process*> by_pid;
    for (Process& p : processes_) by_pid[p.pid] = &p;
    std::map<int, bool> done;
    std::function<void(Process&)> resolve = [&](Process& p) {
      if (done[p.pid]) return;
      done[p.pid] = true;
      auto parent = by_pid.find(p.ppid);
      auto set = groups_.find(p.pid);
      if (parent != by_pid.end() && parent->second != &p) resolve(*parent->second);
      const bool orphan_root = parent == by_pid.end() || parent->second == &p;
      p.pgid = orphan_root ? p.pid : parent->second->pgid;
      p.sid = orphan_root ? p.pid : parent->second->sid;
      if (set != groups_.end()) {
        p.pgid = set->second.first;
        if (set->second.second >= 0) p.sid = set->second.second;
      }
    };
    for (Process& p : processes_) resolve(p);
  }

  std::vector<Process> processes_;
  std::vector<Container> containers_;
  std::map<int, std::pair<int, int>> groups_;  // pid -> (pgid, sid or -1 to inherit)
};

inline constexpr char kMcpHub[] =
    "0b6aa5f2967a07ea9b60e7c680931d4f8a4c1b2e3d4f5a6b7c8d9e0f1a2b3c4d";

// The incident's shape: init, a containerd shim, and in container mcp-hub tini (its init) ->
// node hub.js, which spawns `npm exec X -> sh -c X -> node X` every 30 minutes and never stops
// the old copies; the first `orphans` copies were left to tini when a previous hub died. Chain i
// has root 3000 + 3i and started 10 + 30i minutes after boot.
inline void AddMcpHub(SnapshotBuilder& b, int copies, int orphans) {
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.AddContainer(kMcpHub, "mcp-hub").init_pid = 2101;
  b.Add(2000, 1, {"/usr/bin/containerd-shim-runc-v2", "-id", kMcpHub}, 1, 12);
  b.SetLeader(2000, true);
  b.Add(2101, 2000, {"/sbin/tini", "--", "node", "/app/hub.js"}, 1, 1, kMcpHub);
  b.SetLeader(2101, true);
  // The hub running now was started after its first instance (pid 2050) died.
  b.Add(2102, 2101, {"node", "/app/hub.js"}, orphans > 0 ? 5 + 30.0 * orphans : 1, 90, kMcpHub,
        "/usr/local/bin/node");
  b.SetLeader(2102);
  int pid = 3000;
  for (int i = 0; i < copies; ++i) {
    int parent = i < orphans ? 2101 : 2102;
    double at = 10 + 30.0 * i;
    int npm =
        b.Add(pid++, parent, {"npm exec @scope/server-x"}, at, 78, kMcpHub, "/usr/local/bin/node");
    if (i < orphans) b.SetGroup(npm, 2050, 2101);
    int sh = b.Add(pid++, npm, {"sh", "-c", "server-x"}, at, 1, kMcpHub, "/bin/dash");
    b.Add(pid++, sh, {"node", "/root/.npm/_npx/9f8e7d6c5b4a3210/node_modules/.bin/server-x"}, at,
          50, kMcpHub, "/usr/local/bin/node");
  }
}

// Three containers for diff tests, as they are before and `later`: web's charge grows from 200 to
// 300 MiB, api gets 2 OOM kills, worker's pids fall from 95 to 10 of 100.
inline void AddDiffContainers(SnapshotBuilder& b, bool later) {
  constexpr uint64_t kMiB = 1ull << 20;
  constexpr uint64_t kGiB = 1ull << 30;
  Container& web = b.AddContainer("bbb", "web");
  web.memory_bytes = (later ? 300 : 200) * kMiB;
  web.memory_limit = Limit::Of(kGiB);
  b.Add(1400, 1, {"/usr/sbin/nginx"}, 2, 9, "bbb");
  Container& api = b.AddContainer("ccc", "api");
  api.memory_bytes = 100 * kMiB;
  api.memory_limit = Limit::Of(kGiB);
  if (later) api.oom_kills = 2;
  b.Add(1500, 1, {"/usr/bin/java", "-jar", "api.jar"}, 2, 80, "ccc");
  Container& worker = b.AddContainer("ddd", "worker");
  worker.memory_bytes = 50 * kMiB;
  worker.memory_limit = Limit::Of(kGiB);
  worker.pids_current = later ? 10 : 95;
  worker.pids_max = Limit::Of(100);
  b.Add(1600, 1, {"/usr/bin/worker"}, 2, 30, "ddd");
}

inline const Group* FindGroup(const Analysis& a, std::string_view signature_part) {
  for (const Group& g : a.groups) {
    if (g.signature.find(signature_part) != std::string::npos) return &g;
  }
  return nullptr;
}

inline std::vector<const Finding*> FindingsOf(const Analysis& a, FindingKind kind) {
  std::vector<const Finding*> out;
  for (const Finding& f : a.findings) {
    if (f.kind == kind) out.push_back(&f);
  }
  return out;
}

}  // namespace procleak::testing
