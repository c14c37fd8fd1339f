// SPDX-License-Identifier: Apache-2.0
#include "render/json_report.h"

#include <algorithm>
#include <vector>

#include "render/analysis_json.h"
#include "render/format.h"
#include "render/record_json.h"
#include "render/subtree.h"

namespace procleak {
namespace {

void WriteHost(JsonWriter& w, const Snapshot& s, const JsonOptions& options) {
  w.Key("host");
  w.BeginObject();
  WriteFields(w, fields::kHostFields, s.host());
  WriteFields(w, fields::kScanStatsFields, s.stats());
  // Derived, not read back.
  w.Key("processes");
  w.Uint(s.processes().size());
  w.Key("sandbox");
  w.String(options.sandbox);
  if (options.reused_processes) {
    w.Key("reused_processes");
    w.Int(*options.reused_processes);
  }
  w.EndObject();
}

void WriteCgroup(JsonWriter& w, const Cgroup& c) {
  w.BeginObject();
  WriteFields(w, fields::kCgroupFields, c);
  w.Key("processes");
  w.Uint(c.pids.size());
  w.EndObject();
}

void WriteProcess(JsonWriter& w, const Process& p) {
  w.BeginObject();
  WriteFields(w, fields::kProcessFields, p, kProcessNullWhenEmpty);
  w.Key("children");
  w.Uint(p.children.size());
  w.Key("descendants");
  w.Int(p.descendants);
  w.Key("subtree_rss_bytes");
  w.Uint(p.subtree_rss_bytes);
  w.EndObject();
}

}  // namespace

void WriteScanJson(JsonWriter& w, const Snapshot& snapshot, const Analysis* analysis,
                   const JsonOptions& options) {
  w.BeginObject();
  WriteDocumentHeader(w, kScanSchema);
  WriteHost(w, snapshot, options);
  w.Key("cgroups");
  w.BeginArray();
  for (const Cgroup* c : CgroupsByMemory(snapshot)) WriteCgroup(w, *c);
  w.EndArray();
  w.Key("processes");
  w.BeginArray();
  if (options.subtree_of) {
    std::vector<const Process*> subtree = SubtreeOf(snapshot, *options.subtree_of);
    std::sort(subtree.begin(), subtree.end(),
              [](const Process* a, const Process* b) { return a->pid < b->pid; });
    for (const Process* p : subtree) WriteProcess(w, *p);
  } else {
    for (const Process& p : snapshot.processes()) WriteProcess(w, p);
  }
  w.EndArray();
  WriteContainersJson(w, snapshot);
  if (analysis != nullptr) WriteAnalysisJson(w, *analysis);
  if (options.more) options.more(w);
  w.EndObject();
}

std::string ScanJsonString(const Snapshot& snapshot, const Analysis* analysis,
                           const JsonOptions& options, int indent) {
  JsonWriter w(indent);
  WriteScanJson(w, snapshot, analysis, options);
  return w.Take();
}

std::string DumpJson(const nlohmann::ordered_json& doc, int indent) {
  return doc.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace procleak
