// SPDX-License-Identifier: Apache-2.0
#include "render/analysis_json.h"

#include "base/text_format.h"
#include "render/json_values.h"

namespace procleak {
namespace {

using Json = nlohmann::ordered_json;

Json ContainerJson(const Container& c) {
  return Json{
      {"id", c.id},
      {"runtime", c.runtime},
      {"name", c.name},
      {"cgroup", c.cgroup},
      {"memory_bytes", Optional(c.memory_bytes)},
      {"memory_limit_bytes", LimitJson(c.memory_limit)},
      {"restart_count", Optional(c.restart_count)},
      {"oom_kills", Optional(c.oom_kills)},
      {"processes", c.pids.size()},
      {"state", c.state},
      {"restart_policy", c.restart_policy},
      {"started_at", c.started_at ? Json(FormatRfc3339(*c.started_at)) : Json(nullptr)},
      {"init_pid", c.init_pid == 0 ? Json(nullptr) : Json(c.init_pid)},
      {"pids_current", Optional(c.pids_current)},
      {"pids_max", LimitJson(c.pids_max)},
  };
}

Json ChainJson(const Chain& c) {
  return Json{
      {"root_pid", c.root_pid},
      {"pids", c.pids},
      {"spawner_pid", c.spawner_pid == 0 ? Json(nullptr) : Json(c.spawner_pid)},
      {"orphaned", c.orphaned},
      {"started_at", FormatRfc3339(c.started_at)},
      {"rss_bytes", c.rss_bytes},
      {"pss_bytes", Optional(c.pss_bytes)},
  };
}

Json GroupJson(const Group& g) {
  Json chains = Json::array();
  for (const Chain& c : g.chains) chains.push_back(ChainJson(c));
  return Json{
      {"signature", g.signature},
      {"container", TextJson(g.container)},
      {"cgroup", TextJson(g.cgroup)},
      {"origin", OriginName(g.origin)},
      {"spawner_pid", PidJson(g.spawner_pid)},
      {"process_group", PidJson(g.process_group)},
      {"count", g.count},
      {"expected", Optional(g.expected)},
      {"classification", ClassificationName(g.classification)},
      {"evidence", g.evidence},
      {"spawn_rate_per_hour", g.spawn_rate_per_hour},
      {"rss_bytes", g.rss_bytes},
      {"pss_bytes", Optional(g.pss_bytes)},
      {"chains", std::move(chains)},
  };
}

}  // namespace

Json FindingJson(const Finding& f) {
  return Json{
      {"kind", FindingKindName(f.kind)},
      {"severity", SeverityName(f.severity)},
      {"container", TextJson(f.container)},
      {"cgroup", TextJson(f.cgroup)},
      {"signature", TextJson(f.signature)},
      {"spawner_pid", PidJson(f.spawner_pid)},
      {"count", f.count},
      {"expected", Optional(f.expected)},
      {"pids", f.pids},
      {"rss_bytes", f.rss_bytes},
      {"pss_bytes", Optional(f.pss_bytes)},
      {"message", f.message},
      {"evidence", f.evidence},
      {"action", f.action},
  };
}

void AddAnalysisJson(const Snapshot& snapshot, const Analysis& analysis, Json* doc) {
  Json containers = Json::array();
  for (const Container& c : snapshot.containers()) containers.push_back(ContainerJson(c));
  Json groups = Json::array();
  // Single-process groups would repeat the process list: only groups of two or more chains.
  for (const Group& g : analysis.groups) {
    if (g.count > 1 || g.classification == Classification::kLeak) groups.push_back(GroupJson(g));
  }
  Json findings = Json::array();
  for (const Finding& f : analysis.findings) findings.push_back(FindingJson(f));
  (*doc)["containers"] = std::move(containers);
  (*doc)["groups"] = std::move(groups);
  (*doc)["findings"] = std::move(findings);
}

}  // namespace procleak
