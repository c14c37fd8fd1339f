// SPDX-License-Identifier: Apache-2.0
#include "render/json_report.h"

#include <algorithm>
#include <optional>
#include <span>
#include <system_error>
#include <thread>
#include <vector>

#include "analysis/actions.h"
#include "model/systemd_unit.h"
#include "render/analysis_json.h"
#include "render/format.h"
#include "render/record_json.h"
#include "render/subtree.h"

namespace procleak {
namespace {

void WriteHost(JsonWriter& w, const Snapshot& s, const JsonOptions& options) {
  w.Key("host");
  w.BeginObject();
  WriteFields(w, fields::kHostFields, s.host(), kHostNullWhenEmpty);
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

void WriteCgroup(JsonWriter& w, const Snapshot& s, const Cgroup& c) {
  w.BeginObject();
  WriteFields(w, fields::kCgroupFields, c);
  // Derived, not read back.
  w.Key("processes");
  w.Uint(c.pids.size());
  WriteField(w, {"unit", true}, std::string(SystemdUnit(c.path)));
  WriteField(w, {"pss_bytes"}, MemoryOf(s, c.pids).pss_bytes);
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

// Below this many, one thread writes them all: a second one would cost more than it saves.
constexpr size_t kSplitAt = 2048;

// `processes` in order. Where there are many, another thread formats the second half while this
// one writes the first, and its text (about half of theirs) is appended after.
void WriteProcesses(JsonWriter& w, std::span<const Process* const> processes) {
  const size_t half = processes.size() / 2;
  std::optional<std::thread> helper;
  std::optional<JsonWriter> second;
  if (processes.size() >= kSplitAt && std::thread::hardware_concurrency() > 1) {
    const size_t before = w.bytes();
    WriteProcess(w, *processes.front());
    // Room for the second half at twice the first process's length (untouched room costs
    // address space, not memory); a longer half grows it.
    second.emplace(w.Continuation((w.bytes() - before + 128) * 2 * (processes.size() - half)));
    try {
      helper.emplace([&second, rest = processes.subspan(half)] {
        for (const Process* p : rest) WriteProcess(*second, *p);
      });
    } catch (const std::system_error&) {  // no thread to be had: all on this one
      second.reset();
    }
    processes = processes.subspan(1);
  }
  for (const Process* p : helper ? processes.first(half - 1) : processes) WriteProcess(w, *p);
  if (helper) {
    helper->join();
    w.Append(*std::move(second));
  }
}

}  // namespace

void WriteScanJson(JsonWriter& w, const Snapshot& snapshot, const Analysis* analysis,
                   const JsonOptions& options) {
  w.BeginObject();
  WriteDocumentHeader(w, kScanSchema);
  WriteHost(w, snapshot, options);
  w.Key("cgroups");
  w.BeginArray();
  for (const Cgroup* c : CgroupsByMemory(snapshot)) WriteCgroup(w, snapshot, *c);
  w.EndArray();
  w.Key("processes");
  w.BeginArray();
  std::vector<const Process*> processes;
  if (options.subtree_of) {
    processes = SubtreeOf(snapshot, *options.subtree_of);
    std::sort(processes.begin(), processes.end(),
              [](const Process* a, const Process* b) { return a->pid < b->pid; });
  } else {
    processes.reserve(snapshot.processes().size());
    for (const Process& p : snapshot.processes()) processes.push_back(&p);
  }
  WriteProcesses(w, processes);
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
