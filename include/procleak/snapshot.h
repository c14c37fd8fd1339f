// SPDX-License-Identifier: Apache-2.0
#pragma once
// The immutable picture of one host at one moment: processes, their tree, cgroups and host facts.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/time/time.h"

namespace procleak {

// A resource limit: a number of bytes (or tasks), or "unlimited" (v2 `max`, v1 PAGE_COUNTER_MAX).
class Limit {
 public:
  static constexpr Limit Unlimited() { return Limit(); }
  static constexpr Limit Of(uint64_t value) {
    Limit limit;
    limit.value_ = value;
    return limit;
  }
  constexpr bool unlimited() const { return !value_.has_value(); }
  // Only meaningful when !unlimited().
  constexpr uint64_t value() const { return value_.value_or(0); }
  constexpr bool operator==(const Limit&) const = default;

 private:
  constexpr Limit() = default;
  std::optional<uint64_t> value_;
};

enum class CgroupMode { kNone, kV1, kV2, kHybrid };
const char* CgroupModeName(CgroupMode mode);  // "none", "v1", "v2", "hybrid"

// One line of /proc/PID/cgroup: `hierarchy-ID:controller-list:path`, path kept verbatim.
struct CgroupMembership {
  int hierarchy_id = 0;
  std::string controllers;  // "memory", "cpu,cpuacct", "name=systemd", "" for v2
  std::string path;         // may contain ':' and start with "/.." under a cgroup namespace
  bool operator==(const CgroupMembership&) const = default;
};

struct Process {
  int pid = 0;
  int ppid = 0;
  char state = '?';  // stat field 3: R S D Z T t X I P
  // stat fields 5-7, as this /proc's pid namespace sees them: process group, session, and the
  // controlling terminal's device number (0: none). Group and session are 0 for kernel threads
  // and when led outside that namespace, -1 when read while the process was being reaped. A process
  // that leads its own group or session was set apart on purpose (a daemon, a job, a terminal
  // session); one left behind by its spawner keeps the spawner's.
  int pgid = 0;
  int sid = 0;
  int tty_nr = 0;
  // Its pid inside its own pid namespace (the last `NSpid:` value of status) when that namespace
  // is nested below this /proc's: 1 for a namespace's init. Absent outside nested namespaces, and
  // where status was not read (a brief scan, and a full scan's processes not owned by root), until
  // RefineNamespaces().
  std::optional<int> ns_pid;
  uint64_t starttime_ticks =
      0;                  // stat field 22: clock ticks after boot; (pid, starttime) is identity
  absl::Time started_at;  // host boot time + starttime
  std::string comm;       // may hold spaces, ')' and newlines
  std::vector<std::string> argv;  // empty for kernel threads and zombies
  // Effective uid, as ps shows it: the owner of /proc/PID, or status's `Uid:` when that owner is
  // root (the kernel shows root for a process that is not dumpable); absent if unknown.
  std::optional<uint32_t> uid;
  int threads = 0;
  std::optional<uint64_t> rss_bytes;  // statm resident pages * page size; absent without an mm
  std::optional<uint64_t> pss_bytes;  // smaps_rollup Pss; read only with ScanOptions::pss
  std::string exe;                    // readlink of /proc/PID/exe; empty when unknown
  bool kernel_thread = false;         // PF_KTHREAD in stat flags
  // Its /proc/PID/cgroup lines of the hierarchies procleak reads: memory, pids, name=systemd and
  // the v2 one (every line when no cgroup mount is known).
  std::vector<CgroupMembership> cgroup_lines;
  // The cgroup this process is accounted to: the v1 memory hierarchy's path when that controller is
  // mounted, otherwise the v2 path. A v1 zombie (shown as "/") inherits its parent's path.
  std::string cgroup;
  std::string container;  // Container::id of the container it runs in; empty on the host

  // Derived by the snapshot from all processes' ppids.
  std::vector<int> children;       // sorted pids
  int descendants = 0;             // processes below this one
  uint64_t subtree_rss_bytes = 0;  // own RSS plus every descendant's
  bool operator==(const Process&) const = default;
};

// PSI line `some|full avg10=.. avg60=.. avg300=.. total=..`.
struct PressureLine {
  double avg10 = 0, avg60 = 0, avg300 = 0;
  uint64_t total_us = 0;
  bool operator==(const PressureLine&) const = default;
};
struct Pressure {
  std::optional<PressureLine> some;
  std::optional<PressureLine> full;
  bool operator==(const Pressure&) const = default;
};

// Key fields of memory.stat, named after v2; v1 values come from the hierarchical total_* keys
// (total_rss -> anon, total_cache -> file, total_mapped_file -> file_mapped).
struct MemoryStat {
  std::optional<uint64_t> anon, file, shmem, file_mapped, kernel, slab, sock, swap;
  bool operator==(const MemoryStat&) const = default;
};

struct Cgroup {
  std::string path;                      // as in /proc/PID/cgroup, relative to its hierarchy's root
  std::optional<uint64_t> memory_bytes;  // v2 memory.current, v1 memory.usage_in_bytes
  std::optional<Limit> memory_limit;     // v2 memory.max, v1 memory.limit_in_bytes
  std::optional<uint64_t> memory_peak_bytes;  // v2 memory.peak, v1 memory.max_usage_in_bytes
  MemoryStat memory_stat;
  std::optional<uint64_t> oom_kills;   // v2 memory.events oom_kill, v1 memory.oom_control oom_kill
  std::optional<uint64_t> limit_hits;  // v2 memory.events max, v1 memory.failcnt
  std::optional<uint64_t> pids_current;
  std::optional<Limit> pids_max;
  std::optional<Pressure> memory_pressure;  // only where memory.pressure exists
  std::vector<int> pids;                    // scanned processes accounted here, sorted
  // Swap used by the cgroup: v2 memory.swap.current, v1 memory.memsw.usage_in_bytes minus
  // memory.usage_in_bytes (memsw counts memory and swap); absent without swap accounting.
  std::optional<uint64_t> swap_bytes;
  bool operator==(const Cgroup&) const = default;
};

// A container found from cgroup paths and the runtime's state files (never through its API).
struct Container {
  std::string id;       // full id (64 hex for Docker); the name for LXC and systemd-nspawn
  std::string runtime;  // "docker", "containerd", "cri-o", "podman", "lxc", "nspawn"
  std::string name;    // Docker Name, Kubernetes "namespace/pod/container", or hostname; "" unknown
  std::string cgroup;  // the container's own cgroup path in the accounting hierarchy; "" unknown
  std::optional<uint64_t> memory_bytes;  // the container cgroup's own charge
  std::optional<Limit> memory_limit;     // the cgroup's limit, else the runtime's configured one
  std::optional<uint64_t> oom_kills;
  std::optional<uint64_t> pids_current;
  std::optional<Limit> pids_max;
  std::optional<Pressure> memory_pressure;
  std::optional<uint64_t> restart_count;  // Docker RestartCount
  std::string restart_policy;             // Docker HostConfig.RestartPolicy.Name ("" unknown)
  std::string state;                      // "running", "restarting", "exited", ... ("" unknown)
  std::optional<absl::Time> started_at;   // runtime's last start (Docker State.StartedAt)
  int init_pid = 0;                       // its PID 1 as seen from the host; 0 unknown
  std::vector<int> pids;                  // scanned processes inside, sorted
  // The runtime's own state on the host names this container (Docker's config.v2.json, kubelet's
  // log link, containerd's task directory, ...). False: only a cgroup path does, which anyone who
  // may create cgroups can name, so it has no name either. Records and documents from before
  // this field read true, as procleak then presented every container.
  bool verified = true;
  bool operator==(const Container&) const = default;
};

struct Host {
  std::string hostname;
  std::string kernel;  // release, e.g. 6.1.0-18-amd64
  absl::Time boot_time;
  absl::Time scanned_at;
  CgroupMode cgroup_mode = CgroupMode::kNone;
  std::optional<uint64_t> mem_total_bytes;
  std::optional<uint64_t> mem_available_bytes;
  // What the /proc scanned hides from the scan, "" when nothing: its hidepid mount option, as
  // "hidepid=invisible" or "hidepid=noaccess,gid=4", when it applied (PID 1 was not read), or
  // "pid 1 not visible" when a live /proc lacks its PID 1 and its options are not known. Then the
  // scan holds only the processes the scanning user may see, not the host's.
  std::string proc_hidden;
  bool operator==(const Host&) const = default;
};

struct ScanStats {
  bool pss = false;          // pss_bytes were read (ScanOptions::pss)
  int skipped_vanished = 0;  // processes that exited between listing and reading
  int skipped_denied = 0;    // reads refused (EACCES/EPERM); their fields are absent
  absl::Duration duration;
  bool operator==(const ScanStats&) const = default;
};

// Immutable once built: RefineRss() and RefineNamespaces() (procleak/scan.h) make new ones.
// Processes are kept sorted by pid; lookups are O(1).
class Snapshot {
 public:
  // Links parents and children and computes subtree aggregates. Tolerates parent cycles and
  // parents that are not in `processes` (those processes become roots).
  static Snapshot Build(Host host, std::vector<Process> processes, std::vector<Cgroup> cgroups,
                        ScanStats stats, std::vector<Container> containers = {});

  const Host& host() const { return host_; }
  const ScanStats& stats() const { return stats_; }
  std::span<const Process> processes() const { return processes_; }
  const Process* FindProcess(int pid) const;
  // Processes whose parent is not in the snapshot (pid 1, kthreadd, or a parent that vanished).
  std::span<const int> roots() const { return roots_; }
  const std::map<std::string, Cgroup>& cgroups() const { return cgroups_; }
  const Cgroup* FindCgroup(const std::string& path) const;
  // Sorted by runtime then id; includes containers the runtime knows that hold no process now.
  std::span<const Container> containers() const { return containers_; }
  const Container* FindContainer(const std::string& id) const;

  // This snapshot, consumed, with the given processes' rss_bytes (by pid; unknown pids ignored)
  // and the subtree sums computed again.
  Snapshot WithRss(const absl::flat_hash_map<int, uint64_t>& rss) &&;
  // This snapshot, consumed, with the given processes' ns_pid (by pid; unknown pids ignored).
  Snapshot WithNsPids(const absl::flat_hash_map<int, int>& ns_pids) &&;

 private:
  void AggregateAll();  // descendants and subtree_rss_bytes of every process

  Host host_;
  ScanStats stats_;
  std::vector<Process> processes_;
  absl::flat_hash_map<int, size_t> index_;
  std::vector<int> roots_;
  std::map<std::string, Cgroup> cgroups_;
  std::vector<Container> containers_;
};

}  // namespace procleak
