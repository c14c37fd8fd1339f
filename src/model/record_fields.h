// SPDX-License-Identifier: Apache-2.0
#pragma once
// One table per snapshot record type (Host, ScanStats, Process, Cgroup, Container, and the nested
// MemoryStat and PressureLine): each stored field's name, member, unit, the record format version
// that added it and, where one applies, its Prometheus family. The record codec (src/store), the
// JSON writer and reader (src/render) and the Prometheus exporter walk these tables, so a new
// field of a record is one row here plus the reader that fills it.
//
// A row's position is its number in records (bit N of a record's field mask, procleak-record(5)):
// rows are only ever appended, and never more than 64. Fields derived by Snapshot::Build
// (children, descendants, subtree RSS) are not stored and have no row; the pid lists of cgroups
// and containers are the scan's (Build does not derive them) and are stored.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/time/time.h"
#include "procleak/snapshot.h"

namespace procleak::fields {

// What a number counts; JSON names carry it as a suffix (`_bytes`), Prometheus families too.
enum class Unit : uint8_t { kNone, kBytes, kTicks, kCount, kPid, kTime, kMicroseconds };

// A pointer to one member of R, of any type a record holds. The codecs overload on the pointee.
template <typename R>
using Member =
    std::variant<bool R::*, char R::*, int R::*, uint64_t R::*, double R::*, std::string R::*,
                 CgroupMode R::*, absl::Time R::*, absl::Duration R::*, std::optional<int> R::*,
                 std::optional<uint32_t> R::*, std::optional<uint64_t> R::*,
                 std::optional<absl::Time> R::*, std::optional<Limit> R::*,
                 std::optional<Pressure> R::*, MemoryStat R::*, std::vector<int> R::*,
                 std::vector<std::string> R::*, std::vector<CgroupMembership> R::*>;

// A Prometheus family fed by this field (for the records that are exported: containers, and the
// largest cgroups).
struct Metric {
  std::string_view name;  // without the "procleak_<record>_" prefix
  std::string_view type;  // "gauge" or "counter"
  std::string_view help;
};

template <typename R>
struct Field {
  std::string_view name;  // JSON key, and the field's name in procleak-record(5)
  Member<R> member;
  Unit unit = Unit::kNone;
  uint8_t since = 1;   // the record format version that added it
  Metric metric = {};  // name empty: not exported
};

inline constexpr Field<Host> kHostFields[] = {
    {"hostname", &Host::hostname},
    {"kernel", &Host::kernel},
    {"boot_time", &Host::boot_time, Unit::kTime},
    {"scanned_at", &Host::scanned_at, Unit::kTime},
    {"cgroup_mode", &Host::cgroup_mode},
    {"mem_total_bytes", &Host::mem_total_bytes, Unit::kBytes},
    {"mem_available_bytes", &Host::mem_available_bytes, Unit::kBytes},
    {"proc_hidden", &Host::proc_hidden, Unit::kNone, 3},
};

inline constexpr Field<ScanStats> kScanStatsFields[] = {
    {"pss", &ScanStats::pss},
    {"skipped_vanished", &ScanStats::skipped_vanished, Unit::kCount},
    {"skipped_denied", &ScanStats::skipped_denied, Unit::kCount},
    {"scan_ms", &ScanStats::duration, Unit::kTime},  // JSON: milliseconds, with a fraction
};

inline constexpr Field<Process> kProcessFields[] = {
    {"pid", &Process::pid, Unit::kPid},
    {"starttime", &Process::starttime_ticks, Unit::kTicks},
    {"ppid", &Process::ppid, Unit::kPid},
    {"state", &Process::state},
    {"started_at", &Process::started_at, Unit::kTime},
    {"comm", &Process::comm},
    {"cmdline", &Process::argv},
    {"uid", &Process::uid},
    {"threads", &Process::threads, Unit::kCount},
    {"rss_bytes", &Process::rss_bytes, Unit::kBytes},
    {"pss_bytes", &Process::pss_bytes, Unit::kBytes},
    {"exe", &Process::exe},
    {"kernel_thread", &Process::kernel_thread},
    {"cgroup_lines", &Process::cgroup_lines},
    {"cgroup", &Process::cgroup},
    {"container", &Process::container},
    {"pgid", &Process::pgid, Unit::kPid, 2},
    {"sid", &Process::sid, Unit::kPid, 2},
    {"tty_nr", &Process::tty_nr, Unit::kNone, 2},
    {"ns_pid", &Process::ns_pid, Unit::kPid, 2},
};

inline constexpr Field<Cgroup> kCgroupFields[] = {
    {"path", &Cgroup::path},
    {"memory_bytes",
     &Cgroup::memory_bytes,
     Unit::kBytes,
     1,
     {"memory_bytes", "gauge", "Memory charged to the cgroup (the largest cgroups)."}},
    {"memory_limit_bytes",
     &Cgroup::memory_limit,
     Unit::kBytes,
     1,
     {"memory_limit_bytes", "gauge", "The cgroup's memory limit (absent when unlimited)."}},
    {"memory_peak_bytes", &Cgroup::memory_peak_bytes, Unit::kBytes},
    {"memory_stat", &Cgroup::memory_stat, Unit::kBytes},
    {"oom_kills",
     &Cgroup::oom_kills,
     Unit::kCount,
     1,
     {"oom_kills_total", "counter", "Processes the OOM killer killed in the cgroup."}},
    {"limit_hits", &Cgroup::limit_hits, Unit::kCount},
    {"pids_current", &Cgroup::pids_current, Unit::kCount},
    {"pids_max", &Cgroup::pids_max, Unit::kCount},
    {"memory_pressure", &Cgroup::memory_pressure},
    {"pids", &Cgroup::pids, Unit::kPid},
    {"swap_bytes",
     &Cgroup::swap_bytes,
     Unit::kBytes,
     3,
     {"swap_bytes", "gauge", "Swap used by the cgroup (absent without swap accounting)."}},
};

inline constexpr Field<Container> kContainerFields[] = {
    {"id", &Container::id},
    {"runtime", &Container::runtime},
    {"name", &Container::name},
    {"cgroup", &Container::cgroup},
    {"memory_bytes",
     &Container::memory_bytes,
     Unit::kBytes,
     1,
     {"memory_bytes", "gauge", "Memory charged to the container's cgroup."}},
    {"memory_limit_bytes",
     &Container::memory_limit,
     Unit::kBytes,
     1,
     {"memory_limit_bytes", "gauge", "The container's memory limit (absent when unlimited)."}},
    {"oom_kills",
     &Container::oom_kills,
     Unit::kCount,
     1,
     {"oom_kills_total", "counter", "Processes the OOM killer killed in the container's cgroup."}},
    {"pids_current", &Container::pids_current, Unit::kCount},
    {"pids_max", &Container::pids_max, Unit::kCount},
    {"memory_pressure", &Container::memory_pressure},
    {"restart_count",
     &Container::restart_count,
     Unit::kCount,
     1,
     {"restarts_total", "counter", "Restarts of the container the runtime counted."}},
    {"restart_policy", &Container::restart_policy},
    {"state", &Container::state},
    {"started_at", &Container::started_at, Unit::kTime},
    {"init_pid", &Container::init_pid, Unit::kPid},
    {"pids", &Container::pids, Unit::kPid},
    {"verified",
     &Container::verified,
     Unit::kNone,
     3,
     {"verified", "gauge",
      "1 when the runtime's own state names the container, 0 when only its cgroup path does."}},
};

inline constexpr Field<MemoryStat> kMemoryStatFields[] = {
    {"anon", &MemoryStat::anon, Unit::kBytes},
    {"file", &MemoryStat::file, Unit::kBytes},
    {"shmem", &MemoryStat::shmem, Unit::kBytes},
    {"file_mapped", &MemoryStat::file_mapped, Unit::kBytes},
    {"kernel", &MemoryStat::kernel, Unit::kBytes},
    {"slab", &MemoryStat::slab, Unit::kBytes},
    {"sock", &MemoryStat::sock, Unit::kBytes},
    {"swap", &MemoryStat::swap, Unit::kBytes},
};

inline constexpr Field<PressureLine> kPressureLineFields[] = {
    {"avg10", &PressureLine::avg10},
    {"avg60", &PressureLine::avg60},
    {"avg300", &PressureLine::avg300},
    {"total_us", &PressureLine::total_us, Unit::kMicroseconds},
};

// Calls f(field, record.*member) for each row of `table`, in order.
template <typename R, size_t N, typename F>
void ForEach(const Field<R> (&table)[N], R& record, F&& f) {
  for (const Field<R>& field : table) {
    std::visit([&](auto member) { f(field, record.*member); }, field.member);
  }
}
template <typename R, size_t N, typename F>
void ForEach(const Field<R> (&table)[N], const R& record, F&& f) {
  for (const Field<R>& field : table) {
    std::visit([&](auto member) { f(field, record.*member); }, field.member);
  }
}

// The rows of a record format version (every row up to the first added later).
template <typename R, size_t N>
constexpr size_t RowsIn(const Field<R> (&table)[N], uint32_t version) {
  size_t n = 0;
  while (n < N && table[n].since <= version) ++n;
  return n;
}

}  // namespace procleak::fields
