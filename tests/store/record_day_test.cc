// SPDX-License-Identifier: Apache-2.0
// The size goal of procleak-record(5): a day at 10-second intervals of 1,000 processes fits in at
// most 50 MiB. Generates such a day (node/npm/sh chains in containers, services, kernel threads;
// RSS churn, processes coming and going, cgroup memory moving every sample) and records it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>

#include "fmt/format.h"
#include "procleak/record.h"
#include "record_fixtures.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

constexpr int kSamples = 8640;  // 24 h / 10 s
// Recording the whole day took 26 s as built (the tests are compiled unoptimized, see
// tests/meson.build) and minutes under ASan, most of it building the snapshots, on a test that
// wants both cores to itself. So the suite records two hours (a twelfth of the day, still a whole
// number of key intervals) and scales the size up, which is what a day of the same churn costs:
// frames do not depend on how many came before. PROCLEAK_RECORD_FULL_DAY=1 records the whole day.
// (Not `#ifdef __OPTIMIZE__`: GCC 12 defines it in every file compiled with the tests' precompiled
// header, even at -O0.)
const int kRecorded = std::getenv("PROCLEAK_RECORD_FULL_DAY") != nullptr ? kSamples : kSamples / 12;
constexpr uint64_t kPage = 4096;

class DayGenerator {
 public:
  DayGenerator() {
    host_.hostname = "build-runner-07";
    host_.kernel = "6.1.0-18-amd64";
    host_.boot_time = testing::RecordEpoch() - absl::Hours(24 * 12);
    host_.cgroup_mode = CgroupMode::kV2;
    host_.mem_total_bytes = 64ull << 30;
    stats_.pss = true;
    Add(1, 0, "systemd", {"/sbin/init", "splash"}, "/init.scope", 12 << 20);
    Add(2, 0, "kthreadd", {}, "/", 0);
    for (int i = 0; procs_.size() < 160; ++i) {
      Add(3 + i, 2, "kworker/" + std::to_string(i % 16) + ":" + std::to_string(i / 16), {}, "/", 0);
    }
    const char* services[][3] = {
        {"systemd-journal", "/lib/systemd/systemd-journald", "systemd-journald"},
        {"sshd", "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups", "ssh"},
        {"cron", "/usr/sbin/cron -f", "cron"},
        {"dockerd", "/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock",
         "docker"},
        {"containerd", "/usr/bin/containerd", "containerd"},
        {"rsyslogd", "/usr/sbin/rsyslogd -n -iNONE", "rsyslog"},
        {"nginx", "nginx: worker process", "nginx"},
        {"postgres", "postgres: 15/main: app appdb 172.17.0.3(51234) idle", "postgresql@15-main"},
    };
    for (int s = 0; s < 8; ++s) {
      for (int k = 0; k < 6; ++k) {
        Add(NextPid(), 1, services[s][0], Split(services[s][1]),
            std::string("/system.slice/") + services[s][2] + ".service", (8 + 4 * k) << 20);
      }
    }
    for (int u = 0; u < 30; ++u) {
      Add(NextPid(), 1, u % 2 ? "bash" : "tmux: server", Split(u % 2 ? "-bash" : "tmux new -s w"),
          "/user.slice/user-1000.slice/session-3.scope", 6 << 20);
    }
    std::mt19937_64 ids(7);
    for (int c = 0; c < 4; ++c) {
      Container k;
      for (int n = 0; n < 4; ++n) k.id += fmt::format("{:016x}", ids());
      k.runtime = "docker";
      k.name = "agent-" + std::to_string(c);
      k.cgroup = "/system.slice/docker-" + k.id + ".scope";
      k.memory_limit = Limit::Of(8ull << 30);
      k.pids_max = Limit::Unlimited();
      k.restart_count = 0;
      k.restart_policy = "unless-stopped";
      k.state = "running";
      k.started_at = host_.boot_time + absl::Minutes(3 + c);
      k.init_pid = next_pid_;
      containers_.push_back(k);
      Add(NextPid(), 1, "node", Split("node /app/dist/main.js --workspace /workspace"), k.cgroup,
          180 << 20, c);
    }
    while (procs_.size() + 3 <= 1000) StartChain();
    for (const Container& k : containers_) {
      Cgroup& cg = cgroups_[k.cgroup];
      cg.memory_limit = k.memory_limit;
      cg.pids_max = Limit::Unlimited();
      cg.memory_pressure = Pressure{PressureLine{}, PressureLine{}};
    }
  }

  Snapshot Next(int sample) {
    host_.scanned_at =
        testing::RecordEpoch() + absl::Seconds(10 * sample) + absl::Nanoseconds(Below(50'000'000));
    host_.mem_available_bytes = (40ull << 30) + Below(1 << 30);
    stats_.duration = absl::Nanoseconds(20'000'000 + Below(60'000'000));
    stats_.skipped_vanished = static_cast<int>(Below(3));
    for (Process& p : procs_) {
      if (p.kernel_thread) continue;
      uint64_t roll = Below(1000);
      if (roll < 150) {  // 15% change RSS (and so PSS) by a few KiB
        const int64_t delta = (static_cast<int64_t>(Below(129)) - 64) * int64_t{kPage};
        const int64_t rss = static_cast<int64_t>(*p.rss_bytes) + delta;
        *p.rss_bytes = static_cast<uint64_t>(std::max<int64_t>(rss, int64_t{kPage}));
        *p.pss_bytes = *p.rss_bytes * 3 / 5 + Below(16) * kPage;
      }
      if (roll < 10) p.state = p.state == 'S' ? 'R' : 'S';
      if (roll == 999) p.threads += Below(2) ? 1 : -1;
    }
    if (sample % 3 == 1) StartChain();
    if (sample % 3 == 2) EndChain();
    for (auto& [path, cg] : cgroups_) {
      uint64_t bytes = 0;
      for (int pid : cg.pids) bytes += Find(pid).rss_bytes.value_or(0);
      cg.memory_bytes = bytes + Below(64) * kPage;
      cg.memory_stat.anon = bytes * 4 / 5;
      cg.memory_stat.file = bytes / 5 + Below(1024) * kPage;
      cg.pids_current = cg.pids.size();
      if (cg.memory_pressure) cg.memory_pressure->some->total_us += Below(3) * Below(5000);
    }
    for (Container& k : containers_) {
      k.memory_bytes = cgroups_[k.cgroup].memory_bytes;
      k.pids = cgroups_[k.cgroup].pids;
      k.pids_current = k.pids.size();
    }
    std::vector<Cgroup> cgroups;
    for (const auto& [path, cg] : cgroups_) cgroups.push_back(cg);
    return Snapshot::Build(host_, procs_, std::move(cgroups), stats_, containers_);
  }

 private:
  static std::vector<std::string> Split(const std::string& cmdline) {
    std::vector<std::string> argv;
    size_t at = 0;
    while (at < cmdline.size()) {
      size_t end = std::min(cmdline.find(' ', at), cmdline.size());
      argv.push_back(cmdline.substr(at, end - at));
      at = end + 1;
    }
    return argv;
  }

  uint64_t Below(uint64_t n) { return rng_() % n; }
  int NextPid() { return next_pid_++; }
  Process& Find(int pid) {
    return *std::lower_bound(procs_.begin(), procs_.end(), pid,
                             [](const Process& p, int v) { return p.pid < v; });
  }

  void Add(int pid, int ppid, std::string comm, std::vector<std::string> argv, std::string cgroup,
           uint64_t rss, int container = -1) {
    Process p;
    p.pid = pid;
    p.ppid = ppid;
    p.state = pid > 2 && argv.empty() ? 'I' : 'S';
    p.starttime_ticks = 1200 + static_cast<uint64_t>(pid) * 37;
    p.started_at = host_.boot_time + absl::Milliseconds(p.starttime_ticks * 10);
    p.comm = std::move(comm);
    p.kernel_thread = argv.empty();
    p.threads = p.kernel_thread ? 1 : 1 + static_cast<int>(Below(12));
    if (!p.kernel_thread) {
      p.uid = container >= 0 ? 0 : 1000;
      p.rss_bytes = rss + Below(256) * kPage;
      p.pss_bytes = *p.rss_bytes * 3 / 5;
      p.exe = argv[0].starts_with("/") ? argv[0] : "/usr/bin/" + argv[0];
    }
    p.argv = std::move(argv);
    p.cgroup_lines = {{0, "", cgroup}};
    p.cgroup = cgroup;
    if (container >= 0) p.container = containers_[container].id;
    procs_.push_back(std::move(p));  // pids only grow, so procs_ stays sorted
    Cgroup& cg = cgroups_[cgroup];
    cg.path = cgroup;
    cg.pids.push_back(pid);
    if (cg.memory_limit == std::nullopt) cg.memory_limit = Limit::Unlimited();
  }

  // npm exec X -> sh -c X -> node X, as MCP servers are started in agent containers.
  void StartChain() {
    static const char* kServers[] = {"@modelcontextprotocol/server-filesystem",
                                     "@modelcontextprotocol/server-github", "@playwright/mcp",
                                     "@upstash/context7-mcp", "mcp-remote"};
    int c = static_cast<int>(Below(containers_.size()));
    std::string server = kServers[Below(5)];
    std::string bin = server.substr(server.find('/') + 1);
    std::string hash = fmt::format("{:016x}", rng_());
    int npm = NextPid(), sh = NextPid(), node = NextPid();
    const std::string& cgroup = containers_[c].cgroup;
    Add(npm, containers_[c].init_pid, "npm exec " + bin.substr(0, 6),
        Split("npm exec --yes " + server + " /workspace"), cgroup, 60 << 20, c);
    Add(sh, npm, "sh", {"sh", "-c", bin + " /workspace"}, cgroup, 1 << 20, c);
    Add(node, sh, "node",
        Split("node /root/.npm/_npx/" + hash + "/node_modules/.bin/" + bin + " /workspace"), cgroup,
        90 << 20, c);
    chains_.push_back({npm, sh, node});
  }

  void EndChain() {
    size_t at = Below(chains_.size());
    std::array<int, 3> chain = chains_[at];
    chains_.erase(chains_.begin() + static_cast<long>(at));
    std::string cgroup = Find(chain[0]).cgroup;
    auto gone = [&](int pid) { return std::find(chain.begin(), chain.end(), pid) != chain.end(); };
    std::erase_if(procs_, [&](const Process& p) { return gone(p.pid); });
    std::erase_if(cgroups_[cgroup].pids, gone);
  }

  std::mt19937_64 rng_{42};
  Host host_;
  ScanStats stats_;
  std::vector<Process> procs_;
  std::map<std::string, Cgroup> cgroups_;
  std::vector<Container> containers_;
  std::vector<std::array<int, 3>> chains_;
  int next_pid_ = 400;
};

TEST(RecordDay, Record_Fits_ADayOfAThousandProcessesInFiftyMiB) {
  auto start = std::chrono::steady_clock::now();
  testing::TempTree tree(testing::FastTempParent());
  const std::string path = tree.Path("day.plr");
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  ASSERT_GE(fd, 0);
  std::string notice;
  absl::StatusOr<RecordWriter> writer = RecordWriter::Open(fd, path, &notice);
  ASSERT_TRUE(writer.ok()) << writer.status();

  // First, a key frame, the delta after it, the frame before the second key frame and that key
  // frame, one in the middle of a key interval, and the last.
  const std::vector<int> checked = {0, 1, 59, 60, 119, kRecorded / 2 + 1, kRecorded - 1};
  std::map<int, Snapshot> kept;
  DayGenerator day;
  size_t processes = 0;
  for (int i = 0; i < kRecorded; ++i) {
    Snapshot s = day.Next(i);
    processes += s.processes().size();
    ASSERT_TRUE(writer->Append(s).ok());
    if (std::count(checked.begin(), checked.end(), i)) kept.emplace(i, std::move(s));
  }
  close(fd);
  const uint64_t size = writer->bytes_written() * (kSamples / kRecorded);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("a day of %d samples%s, %zu processes on average: %llu bytes (%.1f MiB), %.1f s\n",
              kSamples, kRecorded == kSamples ? "" : " (a twelfth recorded, scaled up)",
              processes / kRecorded, static_cast<unsigned long long>(size),
              static_cast<double>(size) / (1 << 20), seconds);
  ::testing::Test::RecordProperty("record_bytes_per_day", std::to_string(size));
  EXPECT_GE(processes / kRecorded, 990u);
  EXPECT_LT(size, 50ull << 20);

  absl::StatusOr<RecordReader> reader = RecordReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  EXPECT_EQ(reader->damage(), "");
  ASSERT_EQ(reader->moments().size(), static_cast<size_t>(kRecorded));
  EXPECT_TRUE(reader->moments()[60].key);
  EXPECT_FALSE(reader->moments()[119].key);
  for (auto& [index, want] : kept) {
    SCOPED_TRACE(index);
    absl::StatusOr<Snapshot> got = reader->Read(index);
    ASSERT_TRUE(got.ok()) << got.status();
    testing::ExpectSameSnapshot(want, *got);
  }
}

}  // namespace
}  // namespace procleak
