// SPDX-License-Identifier: Apache-2.0
#include "render/diff_json.h"

#include <set>
#include <string>

#include "base/text_format.h"
#include "base/version.h"
#include "render/analysis_json.h"
#include "render/json_values.h"

namespace procleak {
namespace {

using Json = nlohmann::ordered_json;

Json ProcessRefJson(const ProcessRef& p) {
  return Json{
      {"pid", p.pid},
      {"starttime", p.starttime_ticks},
      {"comm", p.comm},
      {"container", TextJson(p.container)},
      {"rss_bytes", p.rss_bytes},
  };
}

Json ChainRefJson(const ChainRef& c) {
  return Json{
      {"signature", c.signature}, {"container", TextJson(c.container)},
      {"root_pid", c.root_pid},   {"started_at", FormatRfc3339(c.started_at)},
      {"rss_bytes", c.rss_bytes},
  };
}

// `value`, or null without `rates`.
Json Rate(bool rates, std::optional<double> value) {
  return rates ? Optional(value) : Json(nullptr);
}

Json GroupChangeJson(const GroupChange& g, bool rates) {
  return Json{
      {"signature", g.signature},
      {"container", TextJson(g.container)},
      {"cgroup", TextJson(g.cgroup)},
      {"origin", OriginName(g.origin)},
      {"spawner_pid", PidJson(g.spawner_pid)},
      {"process_group", PidJson(g.process_group)},
      {"count_before", g.count_before},
      {"count_after", g.count_after},
      {"chains_started", g.chains_started},
      {"chains_ended", g.chains_ended},
      {"classification", ClassificationName(g.classification_after)},
      {"rss_delta_bytes", g.rss_delta_bytes},
      {"pss_delta_bytes", Optional(g.pss_delta_bytes)},
      {"spawn_rate_per_hour", Rate(rates, g.spawn_rate_per_hour)},
      {"rss_slope_bytes_per_hour", Rate(rates, g.rss_slope_bytes_per_hour)},
  };
}

Json ContainerChangeJson(const ContainerChange& c, bool rates) {
  std::optional<int64_t> delta;
  if (c.memory_before && c.memory_after) {
    delta = static_cast<int64_t>(*c.memory_after) - static_cast<int64_t>(*c.memory_before);
  }
  return Json{
      {"id", c.id},
      {"name", c.name},
      {"runtime", c.runtime},
      {"appeared", c.appeared},
      {"disappeared", c.disappeared},
      {"memory_before_bytes", Optional(c.memory_before)},
      {"memory_after_bytes", Optional(c.memory_after)},
      {"memory_delta_bytes", Optional(delta)},
      {"processes_before", c.processes_before},
      {"processes_after", c.processes_after},
      {"memory_slope_bytes_per_hour", Rate(rates, c.memory_slope_bytes_per_hour)},
  };
}

template <typename T, typename F>
Json ArrayOf(const std::vector<T>& items, F to_json) {
  Json out = Json::array();
  for (const T& item : items) out.push_back(to_json(item));
  return out;
}

// Every container id the diff names, sorted.
std::set<std::string> ContainerIds(const SnapshotDiff& d) {
  std::set<std::string> ids;
  for (const ProcessRef& p : d.processes_started) ids.insert(p.container);
  for (const ProcessRef& p : d.processes_ended) ids.insert(p.container);
  for (const ChainRef& c : d.chains_started) ids.insert(c.container);
  for (const ChainRef& c : d.chains_ended) ids.insert(c.container);
  for (const GroupChange& g : d.groups) ids.insert(g.container);
  for (const ContainerChange& c : d.containers) ids.insert(c.id);
  for (const Finding& f : d.findings_new) ids.insert(f.container);
  for (const Finding& f : d.findings_resolved) ids.insert(f.container);
  ids.erase("");
  return ids;
}

}  // namespace

Json ChangesJson(const SnapshotDiff& d, bool rates) {
  const auto group = [rates](const GroupChange& g) { return GroupChangeJson(g, rates); };
  const auto container = [rates](const ContainerChange& c) {
    return ContainerChangeJson(c, rates);
  };
  return Json{
      {"from", FormatRfc3339(d.from)},
      {"to", FormatRfc3339(d.to)},
      {"interval_seconds", absl::ToDoubleSeconds(d.to - d.from)},
      {"host_available_delta_bytes", Optional(d.host_available_delta_bytes)},
      {"processes_started", ArrayOf(d.processes_started, ProcessRefJson)},
      {"processes_ended", ArrayOf(d.processes_ended, ProcessRefJson)},
      {"chains_started", ArrayOf(d.chains_started, ChainRefJson)},
      {"chains_ended", ArrayOf(d.chains_ended, ChainRefJson)},
      {"groups", ArrayOf(d.groups, group)},
      {"containers", ArrayOf(d.containers, container)},
      {"findings_new", ArrayOf(d.findings_new, FindingJson)},
      {"findings_resolved", ArrayOf(d.findings_resolved, FindingJson)},
  };
}

Json DiffJson(const SnapshotDiff& d, const Snapshot& a, const Snapshot& b) {
  Json doc = Json{{"schema", kDiffSchema},
                  {kProcleakVersionKey, kProcleakVersion},
                  {"hostname", b.host().hostname}};
  Json changes = ChangesJson(d);
  for (auto& item : changes.items()) doc[item.key()] = std::move(item.value());
  Json names = Json::object();
  for (const std::string& id : ContainerIds(d)) {
    const Container* after = b.FindContainer(id);
    const Container* before = a.FindContainer(id);
    std::string name = after != nullptr && !after->name.empty() ? after->name
                       : before != nullptr                      ? before->name
                                                                : "";
    names[id] = std::move(name);
  }
  doc["container_names"] = std::move(names);
  return doc;
}

}  // namespace procleak
