// SPDX-License-Identifier: Apache-2.0
#include "render/analysis_json.h"

#include <span>

#include "analysis/actions.h"
#include "base/text_format.h"
#include "render/record_json.h"

namespace procleak {
namespace {

// A pid, or null for 0 (none).
void PidOrNull(JsonWriter& w, std::string_view key, int pid) {
  w.Key(key);
  pid != 0 ? w.Int(pid) : w.Null();
}

// A text, or null when empty.
void TextOrNull(JsonWriter& w, std::string_view key, const std::string& text) {
  WriteField(w, JsonKey{key, true}, text);
}

template <typename T>
void Optional(JsonWriter& w, std::string_view key, const std::optional<T>& value) {
  w.Key(key);
  if (!value) return w.Null();
  if constexpr (std::is_signed_v<T>) {
    w.Int(*value);
  } else {
    w.Uint(*value);
  }
}

void Pids(JsonWriter& w, std::string_view key, std::span<const int> pids) {
  w.Key(key);
  w.BeginArray();
  for (int pid : pids) w.Int(pid);
  w.EndArray();
}

void WriteContainer(JsonWriter& w, const Snapshot& s, const Container& c) {
  w.BeginObject();
  WriteFields(w, fields::kContainerFields, c, kContainerNullWhenEmpty);
  w.Key("processes");
  w.Uint(c.pids.size());
  WriteField(w, {"pss_bytes"}, MemoryOf(s, c.pids).pss_bytes);  // derived, not read back
  w.EndObject();
}

void WriteChain(JsonWriter& w, const Chain& c) {
  w.BeginObject();
  w.Key("root_pid");
  w.Int(c.root_pid);
  Pids(w, "pids", c.pids);
  PidOrNull(w, "spawner_pid", c.spawner_pid);
  w.Key("orphaned");
  w.Bool(c.orphaned);
  w.Key("started_at");
  w.String(FormatRfc3339(c.started_at));
  w.Key("rss_bytes");
  w.Uint(c.rss_bytes);
  Optional(w, "pss_bytes", c.pss_bytes);
  w.EndObject();
}

void WriteGroup(JsonWriter& w, const Group& g) {
  w.BeginObject();
  w.StringWithBytes("signature", g.signature);
  TextOrNull(w, "container", g.container);
  TextOrNull(w, "cgroup", g.cgroup);
  w.Key("origin");
  w.String(OriginName(g.origin));
  PidOrNull(w, "spawner_pid", g.spawner_pid);
  PidOrNull(w, "process_group", g.process_group);
  w.Key("count");
  w.Int(g.count);
  Optional(w, "expected", g.expected);
  w.Key("classification");
  w.String(ClassificationName(g.classification));
  w.StringsWithBytes("evidence", g.evidence);
  w.Key("spawn_rate_per_hour");
  w.Double(g.spawn_rate_per_hour);
  w.Key("rss_bytes");
  w.Uint(g.rss_bytes);
  Optional(w, "pss_bytes", g.pss_bytes);
  w.Key("chains");
  w.BeginArray();
  for (const Chain& c : g.chains) WriteChain(w, c);
  w.EndArray();
  w.EndObject();
}

}  // namespace

void WriteFinding(JsonWriter& w, const Finding& f) {
  w.BeginObject();
  w.Key("kind");
  w.String(FindingKindName(f.kind));
  w.Key("severity");
  w.String(SeverityName(f.severity));
  TextOrNull(w, "container", f.container);
  TextOrNull(w, "cgroup", f.cgroup);
  TextOrNull(w, "signature", f.signature);
  PidOrNull(w, "spawner_pid", f.spawner_pid);
  w.Key("count");
  w.Int(f.count);
  Optional(w, "expected", f.expected);
  Pids(w, "pids", f.pids);
  w.Key("rss_bytes");
  w.Uint(f.rss_bytes);
  Optional(w, "pss_bytes", f.pss_bytes);
  w.StringWithBytes("message", f.message);
  w.StringsWithBytes("evidence", f.evidence);
  w.StringWithBytes("action", f.action);
  w.EndObject();
}

nlohmann::ordered_json FindingJson(const Finding& finding) {
  JsonWriter w(-1);
  WriteFinding(w, finding);
  return nlohmann::ordered_json::parse(w.Take());
}

void WriteContainersJson(JsonWriter& w, const Snapshot& snapshot) {
  w.Key("containers");
  w.BeginArray();
  for (const Container& c : snapshot.containers()) WriteContainer(w, snapshot, c);
  w.EndArray();
}

void WriteAnalysisJson(JsonWriter& w, const Analysis& analysis) {
  w.Key("groups");
  w.BeginArray();
  // Single-process groups would repeat the process list: only groups of two or more chains.
  for (const Group& g : analysis.groups) {
    if (g.count > 1 || g.classification == Classification::kLeak) WriteGroup(w, g);
  }
  w.EndArray();
  w.Key("findings");
  w.BeginArray();
  for (const Finding& f : analysis.findings) WriteFinding(w, f);
  w.EndArray();
}

}  // namespace procleak
