// SPDX-License-Identifier: Apache-2.0
#include "record_fixtures.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>

namespace procleak::testing {
namespace {

constexpr uint64_t kMax64 = std::numeric_limits<uint64_t>::max();

Process FullProcess(int pid, int ppid, absl::Time at) {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.pgid = ppid;
  p.sid = 1;
  p.tty_nr = 34816;  // /dev/pts/0
  p.ns_pid = pid % 97 + 1;
  p.state = 'S';
  p.starttime_ticks = 123456789ull + static_cast<uint64_t>(pid);
  p.started_at = at - absl::Seconds(pid) - absl::Nanoseconds(7);
  p.comm = "node";
  p.argv = {"node", "/srv/app/node_modules/.bin/server", "--port=8080"};
  p.uid = 1000;
  p.threads = 11;
  p.rss_bytes = 52428800;
  p.pss_bytes = 31457280;
  p.exe = "/usr/local/bin/node";
  p.cgroup_lines = {{0, "", "/system.slice/docker-abc.scope"},
                    {7, "memory", "/docker/abc:with:colons"},
                    {1, "name=systemd", "/.."}};
  p.cgroup = "/system.slice/docker-abc.scope";
  p.container = "abc";
  return p;
}

Cgroup FullCgroup(std::string path, std::vector<int> pids) {
  Cgroup c;
  c.path = std::move(path);
  c.memory_bytes = 734003200;
  c.memory_limit = Limit::Of(1073741824);
  c.memory_peak_bytes = kMax64;  // the escape path of optional numbers
  c.memory_stat = {1, 2, 3, 4, 5, 6, 7, kMax64 - 1};
  c.oom_kills = 0;  // zero, not absent
  c.limit_hits = 3;
  c.pids_current = 12;
  c.pids_max = Limit::Unlimited();
  c.memory_pressure =
      Pressure{PressureLine{0.5, 1.25, 0.03125, 987654}, PressureLine{0, 0, 0, kMax64}};
  c.pids = std::move(pids);
  return c;
}

Container FullContainer(absl::Time at) {
  Container c;
  c.id = std::string(64, 'a');
  c.runtime = "docker";
  c.name = "web";
  c.cgroup = "/system.slice/docker-abc.scope";
  c.memory_bytes = 734003200;
  c.memory_limit = Limit::Of(0);  // a limit of zero is a value, not "unlimited"
  c.oom_kills = 2;
  c.pids_current = 12;
  c.pids_max = Limit::Of(kMax64);
  c.memory_pressure = Pressure{PressureLine{1, 2, 3, 4}, std::nullopt};
  c.restart_count = 0;
  c.restart_policy = "unless-stopped";
  c.state = "running";
  c.started_at = at - absl::Hours(3) + absl::Nanoseconds(1);
  c.init_pid = 100;
  c.pids = {100, 101, 102};
  return c;
}

Host FullHost(absl::Time at) {
  Host h;
  h.hostname = "web-1";
  h.kernel = "6.1.0-18-amd64";
  h.boot_time = at - absl::Hours(24 * 40) + absl::Nanoseconds(999999999);
  h.scanned_at = at;
  h.cgroup_mode = CgroupMode::kHybrid;
  h.mem_total_bytes = 16ull << 30;
  h.mem_available_bytes = 0;
  return h;
}

ScanStats Stats(bool pss) {
  ScanStats s;
  s.pss = pss;
  s.skipped_vanished = 2;
  s.skipped_denied = 5;
  s.duration = absl::Nanoseconds(123456789);
  return s;
}

}  // namespace

absl::Time RecordEpoch() {
  return absl::FromUnixSeconds(1795428000) + absl::Nanoseconds(123456789);
}

Snapshot FullSnapshot(absl::Time at) {
  std::vector<Process> procs = {FullProcess(1, 0, at), FullProcess(100, 1, at),
                                FullProcess(101, 100, at), FullProcess(102, 100, at)};
  procs[0].comm = "systemd";
  procs[0].uid = 0;
  procs[0].container = "";
  procs[0].pgid = procs[0].sid = 1;
  procs[0].tty_nr = 0;
  procs[0].ns_pid.reset();  // in the reader's own namespace
  procs[2].state = 'Z';
  procs[2].argv.clear();
  procs[2].rss_bytes = 0;
  Process kthread;
  kthread.pid = 2;
  kthread.state = 'I';
  kthread.comm = "kthreadd";
  kthread.kernel_thread = true;
  kthread.threads = 1;
  procs.push_back(kthread);
  std::vector<Cgroup> cgroups = {FullCgroup("/system.slice/docker-abc.scope", {100, 101, 102}),
                                 FullCgroup("/init.scope", {1})};
  return Snapshot::Build(FullHost(at), std::move(procs), std::move(cgroups), Stats(true),
                         {FullContainer(at)});
}

Snapshot SparseSnapshot(absl::Time at) {
  Host h;
  h.scanned_at = at;
  Process p;
  p.pid = 1;
  Cgroup c;
  c.path = "/";
  Container k;
  k.id = "x";
  return Snapshot::Build(h, {p}, {c}, ScanStats{}, {k});
}

Snapshot HostileSnapshot(absl::Time at) {
  Host h = FullHost(at);
  h.hostname = std::string("h\0st\xff\n", 6);
  h.cgroup_mode = CgroupMode::kNone;
  std::vector<Process> procs;
  Process odd = FullProcess(std::numeric_limits<int>::max(), -1, at);
  odd.comm = "a) b (c\nd)";
  odd.argv = {"", std::string("\xff\xfe\0\x80", 4), "sh", "-c", "echo ')' \n\t"};
  odd.exe = "/tmp/x (deleted)";
  odd.uid = std::numeric_limits<uint32_t>::max();
  odd.threads = std::numeric_limits<int>::min();
  odd.starttime_ticks = kMax64;
  odd.rss_bytes = kMax64;
  odd.pss_bytes = kMax64 - 1;
  odd.state = '\0';
  odd.pgid = std::numeric_limits<int>::max();
  odd.sid = std::numeric_limits<int>::min();
  odd.tty_nr = -2147450880;  // bit 31 set: the kernel prints it negative
  odd.ns_pid = std::numeric_limits<int>::min();
  procs.push_back(odd);
  Process huge = FullProcess(std::numeric_limits<int>::min(), 0, at);
  huge.argv.assign(20000, "--flag");
  huge.argv.push_back(std::string(1 << 20, 'x'));  // a 1 MiB argument
  huge.comm = "";
  huge.started_at = absl::InfinitePast();
  procs.push_back(huge);
  Process empty = FullProcess(0, 0, at);
  empty.argv.clear();
  empty.cgroup_lines.clear();
  empty.started_at = absl::InfiniteFuture();
  procs.push_back(empty);
  Cgroup c = FullCgroup(std::string("/a\nb:c\xff", 7),
                        {std::numeric_limits<int>::min(), 0, std::numeric_limits<int>::max()});
  Container k = FullContainer(at);
  k.id = std::string("\0id", 3);
  k.started_at = absl::FromUnixNanos(std::numeric_limits<int64_t>::min() + 1);
  k.init_pid = -5;
  ScanStats stats = Stats(false);
  stats.duration = absl::Nanoseconds(-1);
  return Snapshot::Build(h, std::move(procs), {c}, stats, {k});
}

std::vector<Snapshot> ChangingSnapshots(int n) {
  std::vector<Snapshot> out;
  absl::Time at = RecordEpoch();
  Snapshot base = FullSnapshot(at);
  std::vector<Process> procs(base.processes().begin(), base.processes().end());
  for (Process& p : procs) {
    p.children.clear();
    p.descendants = 0;
    p.subtree_rss_bytes = 0;
  }
  std::vector<Cgroup> cgroups;
  for (const auto& [path, c] : base.cgroups()) cgroups.push_back(c);
  std::vector<Container> containers(base.containers().begin(), base.containers().end());
  for (int i = 0; i < n; ++i) {
    Host host = base.host();
    host.scanned_at = at + absl::Seconds(10 * i) + absl::Nanoseconds(i);
    host.mem_available_bytes = 1000000ull * static_cast<uint64_t>(i);
    ScanStats stats = base.stats();
    stats.skipped_vanished = i % 3;
    for (Process& p : procs) {
      if (p.rss_bytes && p.pid % 2 == i % 2) *p.rss_bytes += 4096ull * static_cast<uint64_t>(i);
    }
    switch (i % 5) {
      case 1:  // a process starts
        procs.push_back(FullProcess(200 + i, 100, host.scanned_at));
        break;
      case 2:  // the newest one ends, and pid 102 is reused by another process
        if (procs.back().pid >= 200) procs.pop_back();
        for (Process& p : procs) {
          if (p.pid != 102) continue;
          p = FullProcess(102, 1, host.scanned_at);
          p.starttime_ticks += static_cast<uint64_t>(i);
        }
        break;
      case 3:  // values go absent, strings change
        procs[1].pss_bytes.reset();
        procs[1].uid.reset();
        procs[1].argv.push_back("--more");
        procs[1].state = procs[1].state == 'S' ? 'R' : 'S';
        procs[1].ppid = i;
        procs[1].pgid = procs[1].sid = procs[1].pid;  // setsid()
        procs[1].tty_nr = 0;
        procs[1].ns_pid.reset();
        cgroups[0].memory_limit = Limit::Unlimited();
        cgroups[0].memory_pressure.reset();
        containers[0].started_at.reset();
        break;
      case 4:  // and come back; a cgroup and a container come and go
        procs[1].pss_bytes = 0;
        procs[1].uid = 0;
        procs[1].pgid = i;
        procs[1].tty_nr = 34817 + i;
        procs[1].ns_pid = 0;  // present, not absent
        cgroups[0].memory_limit = Limit::Of(5);
        if (cgroups.size() == 2) {
          cgroups.push_back(FullCgroup("/user.slice", {}));
          containers.push_back(FullContainer(at));
          containers.back().id = "second";
          containers.back().runtime = "podman";
        } else {
          cgroups.pop_back();
          containers.pop_back();
        }
        break;
    }
    cgroups[0].memory_bytes = 1000ull * static_cast<uint64_t>(i);
    containers[0].memory_bytes = 7ull * static_cast<uint64_t>(i);
    out.push_back(Snapshot::Build(host, procs, cgroups, stats, containers));
  }
  return out;
}

Snapshot AsVersionOne(const Snapshot& s) {
  std::vector<Process> procs(s.processes().begin(), s.processes().end());
  for (Process& p : procs) {
    p.pgid = p.sid = p.tty_nr = 0;
    p.ns_pid.reset();
  }
  std::vector<Cgroup> cgroups;
  for (const auto& [path, c] : s.cgroups()) cgroups.push_back(c);
  return Snapshot::Build(s.host(), std::move(procs), std::move(cgroups), s.stats(),
                         {s.containers().begin(), s.containers().end()});
}

std::vector<Snapshot> VersionTwoFixtureMoments() {
  std::vector<Snapshot> moments = ChangingSnapshots(5);
  const absl::Time at = RecordEpoch() + absl::Seconds(50);
  moments.push_back(HostileSnapshot(at));
  moments.push_back(SparseSnapshot(at + absl::Seconds(10)));
  moments.push_back(FullSnapshot(at + absl::Seconds(20)));
  return moments;
}

void ExpectSameSnapshot(const Snapshot& want, const Snapshot& got) {
  EXPECT_TRUE(want.host() == got.host()) << "host differs";
  EXPECT_TRUE(want.stats() == got.stats()) << "scan stats differ";
  ASSERT_EQ(want.processes().size(), got.processes().size());
  for (size_t i = 0; i < want.processes().size(); ++i) {
    EXPECT_TRUE(want.processes()[i] == got.processes()[i])
        << "process " << want.processes()[i].pid << " differs";
  }
  EXPECT_TRUE(want.roots().size() == got.roots().size());
  ASSERT_EQ(want.cgroups().size(), got.cgroups().size());
  for (const auto& [path, cgroup] : want.cgroups()) {
    const Cgroup* other = got.FindCgroup(path);
    EXPECT_TRUE(other != nullptr && *other == cgroup) << "cgroup " << path << " differs";
  }
  ASSERT_EQ(want.containers().size(), got.containers().size());
  for (size_t i = 0; i < want.containers().size(); ++i) {
    EXPECT_TRUE(want.containers()[i] == got.containers()[i])
        << "container " << want.containers()[i].id << " differs";
  }
}

std::string FastTempParent() {
  if (access("/dev/shm", W_OK | X_OK) == 0) return "/dev/shm";
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

absl::Status AppendAll(const std::string& path, const std::vector<Snapshot>& snapshots,
                       std::string* notice) {
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return absl::UnavailableError("open " + path);
  std::string ignored;
  absl::StatusOr<RecordWriter> writer = RecordWriter::Open(fd, path, notice ? notice : &ignored);
  absl::Status status = writer.status();
  for (size_t i = 0; status.ok() && i < snapshots.size(); ++i)
    status = writer->Append(snapshots[i]);
  close(fd);
  return status;
}

}  // namespace procleak::testing
