// SPDX-License-Identifier: Apache-2.0
#pragma once
// A small hand-built snapshot for renderer tests: init, kthreadd with two kworkers, and a
// container with a node process whose comm and argv are hostile.

#include "procleak/snapshot.h"

namespace procleak::testing {

inline Process MakeProcess(int pid, int ppid, std::string comm, std::vector<std::string> argv,
                           std::optional<uint64_t> rss, std::string cgroup) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = 'S';
  p.comm = std::move(comm);
  p.argv = std::move(argv);
  p.rss_bytes = rss;
  p.kernel_thread = !rss.has_value();
  p.cgroup = std::move(cgroup);
  p.uid = 0;
  p.threads = 1;
  p.starttime_ticks = 1234;
  p.started_at = absl::FromUnixSeconds(1795387045) + absl::Milliseconds(12340);
  return p;
}

inline Snapshot ReportSnapshot() {
  const std::string docker =
      "/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d";
  std::vector<Process> procs = {
      MakeProcess(1, 0, "init", {"/sbin/init"}, 8 << 20, "/"),
      MakeProcess(2, 0, "kthreadd", {}, std::nullopt, "/"),
      MakeProcess(3, 2, "kworker/0:0", {}, std::nullopt, "/"),
      MakeProcess(4, 2, "kworker/u8:2-writeback", {}, std::nullopt, "/"),
      MakeProcess(100, 1, "node) x\n\x1b[2J", {"node", std::string(300, 'a'), "\xff\xfe"},
                  600ull << 20, docker),
      MakeProcess(101, 100, "sh", {"sh", "-c", "node server.js"}, 2ull << 20, docker),
  };
  Cgroup root;
  root.path = "/";
  root.pids = {1, 2, 3, 4};
  root.memory_bytes = 1ull << 30;
  root.memory_limit = Limit::Unlimited();
  Cgroup container;
  container.path = docker;
  container.pids = {100, 101};
  container.memory_bytes = 900ull << 20;
  container.memory_limit = Limit::Of(1ull << 30);
  container.oom_kills = 3;
  container.pids_current = 2;
  container.pids_max = Limit::Of(4096);
  container.memory_pressure = Pressure{PressureLine{1.5, 0.25, 0, 4242}, std::nullopt};
  Cgroup unread;
  unread.path = "/unread";
  Host host;
  host.hostname = "web-1";
  host.kernel = "6.1.0-18-amd64";
  host.boot_time = absl::FromUnixSeconds(1795387045);
  host.scanned_at = absl::FromUnixSeconds(1795400000);
  host.cgroup_mode = CgroupMode::kHybrid;
  host.mem_total_bytes = 24ull << 30;
  host.mem_available_bytes = 20ull << 30;
  ScanStats stats;
  stats.skipped_vanished = 2;
  stats.skipped_denied = 1;
  stats.duration = absl::Milliseconds(12.5);
  return Snapshot::Build(host, std::move(procs), {root, container, unread}, stats);
}

}  // namespace procleak::testing
