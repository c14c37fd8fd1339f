// SPDX-License-Identifier: Apache-2.0
#include "render/json_report.h"

#include <algorithm>
#include <vector>

#include "render/format.h"
#include "render/json_values.h"
#include "render/subtree.h"

namespace procleak {
namespace {

using Json = nlohmann::ordered_json;

Json HostJson(const Snapshot& s, const JsonOptions& options) {
  const Host& h = s.host();
  return Json{
      {"hostname", h.hostname},
      {"kernel", h.kernel},
      {"boot_time", FormatRfc3339(h.boot_time)},
      {"scanned_at", FormatRfc3339(h.scanned_at)},
      {"cgroup_mode", CgroupModeName(h.cgroup_mode)},
      {"mem_total_bytes", Optional(h.mem_total_bytes)},
      {"mem_available_bytes", Optional(h.mem_available_bytes)},
      {"processes", s.processes().size()},
      {"skipped_vanished", s.stats().skipped_vanished},
      {"skipped_denied", s.stats().skipped_denied},
      {"scan_ms", absl::ToDoubleMilliseconds(s.stats().duration)},
      {"pss", s.stats().pss},
      {"sandbox", options.sandbox},
  };
}

Json PressureLineJson(const std::optional<PressureLine>& line) {
  if (!line) return nullptr;
  return Json{{"avg10", line->avg10},
              {"avg60", line->avg60},
              {"avg300", line->avg300},
              {"total_us", line->total_us}};
}

Json CgroupJson(const Cgroup& c) {
  const MemoryStat& m = c.memory_stat;
  Json pressure = nullptr;
  if (c.memory_pressure) {
    pressure = Json{{"some", PressureLineJson(c.memory_pressure->some)},
                    {"full", PressureLineJson(c.memory_pressure->full)}};
  }
  return Json{
      {"path", c.path},
      {"memory_bytes", Optional(c.memory_bytes)},
      {"memory_limit_bytes", LimitJson(c.memory_limit)},
      {"oom_kills", Optional(c.oom_kills)},
      {"pids_current", Optional(c.pids_current)},
      {"pids_max", LimitJson(c.pids_max)},
      {"processes", c.pids.size()},
      {"memory_peak_bytes", Optional(c.memory_peak_bytes)},
      {"limit_hits", Optional(c.limit_hits)},
      {"memory_stat", Json{{"anon", Optional(m.anon)},
                           {"file", Optional(m.file)},
                           {"shmem", Optional(m.shmem)},
                           {"file_mapped", Optional(m.file_mapped)},
                           {"kernel", Optional(m.kernel)},
                           {"slab", Optional(m.slab)},
                           {"sock", Optional(m.sock)},
                           {"swap", Optional(m.swap)}}},
      {"memory_pressure", pressure},
  };
}

Json ProcessJson(const Process& p) {
  return Json{
      {"pid", p.pid},
      {"ppid", p.ppid},
      {"pgid", p.pgid},
      {"sid", p.sid},
      {"tty_nr", p.tty_nr},
      {"ns_pid", Optional(p.ns_pid)},
      {"starttime", p.starttime_ticks},
      {"started_at", FormatRfc3339(p.started_at)},
      {"state", std::string(1, p.state)},
      {"comm", p.comm},
      {"cmdline", p.argv},
      {"uid", Optional(p.uid)},
      {"threads", p.threads},
      {"rss_bytes", Optional(p.rss_bytes)},
      {"cgroup", p.cgroup},
      {"kernel_thread", p.kernel_thread},
      {"pss_bytes", Optional(p.pss_bytes)},
      {"exe", p.exe},
      {"container", p.container.empty() ? Json(nullptr) : Json(p.container)},
      {"children", p.children.size()},
      {"descendants", p.descendants},
      {"subtree_rss_bytes", p.subtree_rss_bytes},
  };
}

}  // namespace

Json ScanJson(const Snapshot& snapshot, const JsonOptions& options) {
  std::vector<const Cgroup*> cgroups = CgroupsByMemory(snapshot);
  Json cgroup_array = Json::array();
  for (const Cgroup* c : cgroups) cgroup_array.push_back(CgroupJson(*c));

  Json process_array = Json::array();
  if (options.subtree_of) {
    std::vector<const Process*> subtree = SubtreeOf(snapshot, *options.subtree_of);
    std::sort(subtree.begin(), subtree.end(),
              [](const Process* a, const Process* b) { return a->pid < b->pid; });
    for (const Process* p : subtree) process_array.push_back(ProcessJson(*p));
  } else {
    for (const Process& p : snapshot.processes()) process_array.push_back(ProcessJson(p));
  }
  return Json{{"schema", kScanSchema},
              {"host", HostJson(snapshot, options)},
              {"cgroups", std::move(cgroup_array)},
              {"processes", std::move(process_array)}};
}

std::string DumpJson(const nlohmann::ordered_json& doc, int indent) {
  return doc.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace procleak
