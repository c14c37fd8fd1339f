// SPDX-License-Identifier: Apache-2.0
#pragma once
// File contents of a generated fixture tree, shaped like the kernel's and dockerd's output
// (the C++ twin of tests/data/make_fixtures.py's renderers, for trees too big to commit).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace procleak::bench {

inline constexpr uint64_t kPageSize = 4096;
inline constexpr int64_t kBootTime = 1772461800;  // 2026-03-02T14:30:00Z, as in v2-systemd

enum class ProcKind { kUser, kKernelThread, kWorkqueueWorker, kZombie };

// One process as the generator describes it; stat, statm and status are derived from it, so they
// always agree (stat rss = statm resident = VmRSS / 4 kB).
struct FakeProcess {
  int pid = 0;
  int ppid = 0;
  std::string comm{};     // at most 15 bytes; may hold spaces and parentheses
  std::string cmdline{};  // the raw bytes of /proc/PID/cmdline (see Argv, Title)
  std::string exe{};      // target of the exe link; "" for none (kernel threads, zombies)
  ProcKind kind = ProcKind::kUser;
  char state = 'S';
  uint64_t start = 0;  // stat field 22, clock ticks after boot (CLK_TCK 100)
  uint32_t uid = 0;
  int threads = 1;
  uint64_t size = 0;    // pages
  uint64_t rss = 0;     // pages
  uint64_t shared = 0;  // pages
  int nspid = 0;        // pid inside its container's pid namespace; 0 on the host
  int cgroup = 0;       // index into the generator's cgroup list
};

// argv as the kernel stores it: every argument followed by a NUL.
std::string Argv(const std::vector<std::string_view>& args);
// A title rewritten over argv (nginx, php-fpm, postgres, npm): the text, then `nuls` NULs.
std::string Title(std::string_view title, int nuls);

// Each appends one whole file to *out.
void AppendStat(const FakeProcess& p, std::string* out);    // all 52 fields
void AppendStatm(const FakeProcess& p, std::string* out);   // 7 fields
void AppendStatus(const FakeProcess& p, std::string* out);  // the kernel's keys in its order

// Host files.
std::string ProcStatFile(int cpus, int processes);  // with `btime kBootTime`
std::string MemInfoFile(uint64_t total_kb, uint64_t available_kb);
// One cgroup2 row at /sys/fs/cgroup among the usual non-cgroup mounts.
std::string MountInfoFile();

// cgroup v2 files.
std::string V2MemoryStat(uint64_t anon, uint64_t file, uint64_t kernel, uint64_t shmem);
std::string PressureFile(double some_avg10, double some_avg60, uint64_t total_us);
std::string MemoryEventsFile(uint64_t max, uint64_t oom_kill);

// Docker's per-container state, the size and shape dockerd 26 writes (compact, ~5 KiB with
// health log, compose labels, network settings and mounts).
struct DockerConfigFields {
  std::string id;  // 64 hex
  std::string name;
  std::string image;
  std::vector<std::string> command;  // Path then Args
  int pid = 0;
  std::string started_at;  // RFC 3339 with nanoseconds
  int restart_count = 0;
};
std::string DockerConfigJson(const DockerConfigFields& fields);
std::string DockerHostConfigJson(std::optional<uint64_t> memory_bytes,
                                 std::string_view restart_policy);

// A 64-hex-digit id that looks like Docker's, stable for a label.
std::string HexId(std::string_view label, size_t length = 64);

}  // namespace procleak::bench
