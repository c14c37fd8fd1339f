// SPDX-License-Identifier: Apache-2.0
#include "render/scan_json_reader.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/json_error.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"
#include "render/json_field_reader.h"
#include "render/json_report.h"

namespace procleak {
namespace {

using Json = nlohmann::json;

// Reads each element of doc[key] with `read`, stopping at the first problem.
template <typename T, typename F>
std::vector<T> ReadArray(JsonReader& r, const Json& doc, const char* key, bool required, F read) {
  std::vector<T> out;
  const Json* array = r.Array(doc, "", key, required);
  if (array == nullptr) return out;
  out.reserve(array->size());
  for (size_t i = 0; i < array->size() && r.ok(); ++i) {
    const std::string at = fmt::format("{}[{}]", key, i);
    const Json& item = (*array)[i];
    if (!item.is_object()) {
      r.Fail(at, "expected an object");
      break;
    }
    out.push_back(read(item, at));
  }
  return out;
}

}  // namespace

absl::StatusOr<Snapshot> SnapshotFromScanJson(std::string_view text, std::string_view name) {
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError(fmt::format("{}: {}", name, JsonErrorMessage(text)));
  }
  JsonReader r(name);
  auto schema = doc.is_object() ? doc.find("schema") : doc.end();
  if (!doc.is_object() || schema == doc.end() || *schema != kScanSchema) {
    return absl::InvalidArgumentError(fmt::format("{}: not a {} document", name, kScanSchema));
  }
  Host host;
  ScanStats stats;
  if (const Json* h = r.Object(doc, "", "host")) {
    ReadFields(r, *h, "host", fields::kHostFields, &host, kHostNullWhenEmpty);
    ReadFields(r, *h, "host", fields::kScanStatsFields, &stats);
  }
  std::vector<Cgroup> cgroups =
      ReadArray<Cgroup>(r, doc, "cgroups", true, [&](const Json& j, const std::string& at) {
        Cgroup c;
        ReadFields(r, j, at, fields::kCgroupFields, &c);
        return c;
      });
  std::vector<Process> processes =
      ReadArray<Process>(r, doc, "processes", true, [&](const Json& j, const std::string& at) {
        Process p;
        ReadFields(r, j, at, fields::kProcessFields, &p, kProcessNullWhenEmpty);
        return p;
      });
  // Documents without "procleak_version" have containers only with the analysis sections, and
  // no container memory pressure: it is taken from the container's cgroup.
  std::vector<bool> pressure_of_cgroup;
  std::vector<Container> containers =
      ReadArray<Container>(r, doc, "containers", false, [&](const Json& j, const std::string& at) {
        Container c;
        ReadFields(r, j, at, fields::kContainerFields, &c, kContainerNullWhenEmpty);
        pressure_of_cgroup.push_back(!j.contains("memory_pressure"));
        return c;
      });
  if (!r.ok()) return r.status();

  // Membership is not in the document's cgroups and containers; each process names its own.
  // As Snapshot::Build does: by pid, a pid listed twice keeping its first record.
  std::stable_sort(processes.begin(), processes.end(),
                   [](const Process& a, const Process& b) { return a.pid < b.pid; });
  processes.erase(std::unique(processes.begin(), processes.end(),
                              [](const Process& a, const Process& b) { return a.pid == b.pid; }),
                  processes.end());
  std::map<std::string_view, Cgroup*> cgroup_at;
  for (Cgroup& c : cgroups) cgroup_at.emplace(c.path, &c);
  std::map<std::string_view, Container*> container_of;
  for (Container& c : containers) container_of.emplace(c.id, &c);
  for (const Process& p : processes) {
    if (auto it = cgroup_at.find(p.cgroup); it != cgroup_at.end())
      it->second->pids.push_back(p.pid);
    if (p.container.empty()) continue;
    if (auto it = container_of.find(p.container); it != container_of.end()) {
      it->second->pids.push_back(p.pid);
    }
  }
  for (size_t i = 0; i < containers.size(); ++i) {
    Container& c = containers[i];
    auto it = cgroup_at.find(c.cgroup);
    if (pressure_of_cgroup[i] && !c.cgroup.empty() && it != cgroup_at.end()) {
      c.memory_pressure = it->second->memory_pressure;
    }
  }
  return Snapshot::Build(std::move(host), std::move(processes), std::move(cgroups), stats,
                         std::move(containers));
}

}  // namespace procleak
