// SPDX-License-Identifier: Apache-2.0
#include "render/prometheus.h"

#include <cmath>
#include <deque>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "analysis/actions.h"
#include "base/text_format.h"
#include "fmt/format.h"
#include "model/record_fields.h"
#include "model/systemd_unit.h"
#include "render/format.h"

namespace procleak {
namespace {

constexpr size_t kMaxLabelBytes = 128;
// A cut value ends in "~" and 8 hex digits of a hash of the whole value, so that values sharing
// their first bytes (two LXC names, two long signatures) still label different series.
constexpr size_t kCutMarkBytes = 9;

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

struct Sample {
  std::string labels;  // "{a=\"x\",b=\"y\"}" or ""
  std::string value;
};

// A metric family: the one place that keeps its series unique. Label values are cut, so two
// different things can render the same labels (two signatures, or two LXC names, sharing their
// first bytes); a second sample with labels already present is refused, never written twice
// (node_exporter rejects a file with a duplicate series).
class Family {
 public:
  Family(std::string name, std::string_view type, std::string_view help)
      : name_(std::move(name)), type_(type), help_(help) {}
  // False, and nothing added, when the family has a sample with these labels.
  bool Push(std::string labels, std::string value) {
    if (!seen_.insert(labels).second) return false;
    samples_.push_back({std::move(labels), std::move(value)});
    return true;
  }
  bool Has(const std::string& labels) const { return seen_.contains(labels); }
  size_t size() const { return samples_.size(); }
  void Render(std::string* out) const {
    if (samples_.empty()) return;
    *out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help_, name_, type_);
    for (const Sample& s : samples_) *out += fmt::format("{}{} {}\n", name_, s.labels, s.value);
  }

 private:
  std::string name_;
  std::string_view type_, help_;
  std::vector<Sample> samples_;
  absl::flat_hash_set<std::string> seen_;
};

std::string Labels(std::initializer_list<std::pair<std::string_view, std::string_view>> labels) {
  std::string out = "{";
  for (const auto& [key, value] : labels) {
    if (out.size() > 1) out.push_back(',');
    out.append(key.data(), key.size());
    out.append("=\"");
    out.append(PrometheusLabelValue(value));
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// A container as a group or finding label: its name, else (or when unverified) its short id; ""
// for the host.
std::string ContainerLabel(const Snapshot& s, const std::string& id) {
  if (id.empty()) return "";
  const Container* c = s.FindContainer(id);
  if (c != nullptr && c->verified && !c->name.empty()) return c->name;
  return std::string(ShortId(id));
}

class Exposition {
 public:
  Family& Add(std::string name, std::string_view type, std::string_view help) {
    return families_.emplace_back(std::move(name), type, help);
  }
  std::string Render() const {
    std::string out;
    for (const Family& f : families_) f.Render(&out);
    return out;
  }

 private:
  std::deque<Family> families_;  // Add() hands out references that must stay valid
};

void HostFamilies(const Snapshot& s, Exposition& e) {
  const Host& h = s.host();
  e.Add("procleak_scan_timestamp_seconds", "gauge",
        "When the scan ran, in seconds since the Unix epoch.")
      .Push("", fmt::format("{:.3f}", absl::ToDoubleSeconds(h.scanned_at - absl::UnixEpoch())));
  e.Add("procleak_scan_duration_seconds", "gauge", "How long the scan took.")
      .Push("", Number(absl::ToDoubleSeconds(s.stats().duration)));
  e.Add("procleak_processes", "gauge", "Processes the scan read.")
      .Push("", fmt::format("{}", s.processes().size()));
  Family& skipped = e.Add("procleak_processes_skipped", "gauge",
                          "Processes the scan skipped: exited while read, or reads refused.");
  skipped.Push(Labels({{"reason", "vanished"}}), fmt::format("{}", s.stats().skipped_vanished));
  skipped.Push(Labels({{"reason", "denied"}}), fmt::format("{}", s.stats().skipped_denied));
  e.Add("procleak_proc_hidden", "gauge",
        "1 when /proc hides other users' processes from the scan (hidepid): the counts cover only "
        "what the scanning user may see; 0 otherwise.")
      .Push("", h.proc_hidden.empty() ? "0" : "1");
  Family& total =
      e.Add("procleak_host_memory_total_bytes", "gauge", "MemTotal from /proc/meminfo.");
  if (h.mem_total_bytes) total.Push("", fmt::format("{}", *h.mem_total_bytes));
  Family& available =
      e.Add("procleak_host_memory_available_bytes", "gauge", "MemAvailable from /proc/meminfo.");
  if (h.mem_available_bytes) available.Push("", fmt::format("{}", *h.mem_available_bytes));
}

// The container table's members that can be a sample: a count, a limit (none when unlimited), or
// a flag (1 or 0).
template <typename T>
constexpr bool kIsSample = std::is_same_v<T, std::optional<uint64_t>> ||
                           std::is_same_v<T, std::optional<Limit>> || std::is_same_v<T, bool>;

std::optional<uint64_t> SampleOf(const std::optional<uint64_t>& v) { return v; }
std::optional<uint64_t> SampleOf(const bool& v) { return v ? 1 : 0; }
std::optional<uint64_t> SampleOf(const std::optional<Limit>& v) {
  return v && !v->unlimited() ? std::optional<uint64_t>(v->value()) : std::nullopt;
}

// Every row that names a metric holds a sample: a row naming one on a text would export
// nothing, so this file does not compile with such a row.
template <typename R, size_t N>
constexpr bool MetricRowsHoldSamples(const fields::Field<R> (&table)[N]) {
  for (const fields::Field<R>& field : table) {
    const bool sample = std::visit(
        [](auto member) {
          return kIsSample<std::remove_cvref_t<decltype(std::declval<R>().*member)>>;
        },
        field.member);
    if (!field.metric.name.empty() && !sample) return false;
  }
  return true;
}
static_assert(MetricRowsHoldSamples(fields::kContainerFields),
              "a container row names a metric on a field that is no number");
static_assert(MetricRowsHoldSamples(fields::kCgroupFields),
              "a cgroup row names a metric on a field that is no number");

// One family per row of a record's table that names a metric, named procleak_<record>_<metric>.
template <typename R>
class RowFamilies {
 public:
  template <size_t N>
  RowFamilies(const fields::Field<R> (&table)[N], std::string_view record, Exposition& e) {
    for (const fields::Field<R>& field : table) {
      if (field.metric.name.empty()) continue;
      rows_.emplace_back(&field, &e.Add(fmt::format("procleak_{}_{}", record, field.metric.name),
                                        field.metric.type, field.metric.help));
    }
  }
  // The record's samples, those it has, under `labels`.
  void Push(const R& record, const std::string& labels) {
    for (auto [field, family] : rows_) {
      std::visit(
          [&](auto member) {
            if constexpr (kIsSample<std::remove_cvref_t<decltype(record.*member)>>) {
              if (std::optional<uint64_t> v = SampleOf(record.*member)) {
                family->Push(labels, fmt::format("{}", *v));
              }
            }
          },
          field->member);
    }
  }

 private:
  std::vector<std::pair<const fields::Field<R>*, Family*>> rows_;
};

// One family per row of the container table that names a metric, then the process count. A
// container whose labels, cut, equal an earlier one's is left out of all of them and counted.
void ContainerFamilies(const Snapshot& s, Exposition& e) {
  RowFamilies<Container> rows(fields::kContainerFields, "container", e);
  Family& processes =
      e.Add("procleak_container_processes", "gauge", "Processes running in the container.");
  size_t omitted = 0;
  for (const Container& c : s.containers()) {
    const std::string labels = Labels({{"runtime", c.runtime}, {"id", c.id}, {"name", c.name}});
    if (processes.Has(labels)) {
      ++omitted;
      continue;
    }
    rows.Push(c, labels);
    processes.Push(labels, fmt::format("{}", c.pids.size()));
  }
  e.Add("procleak_containers_omitted", "gauge",
        "Containers left out of the container metrics: their labels, cut, equal another's.")
      .Push("", fmt::format("{}", omitted));
}

// The `max_cgroups` largest cgroups by memory (as the text table ranks them), containers' and
// systemd units' alike, labelled by path, unit ("" for none) and name (CgroupName), then their
// process counts and, after a PSS scan, their processes' PSS. The rest, and any whose labels, cut,
// equal an earlier one's, are counted in procleak_cgroups_omitted.
void CgroupFamilies(const Snapshot& s, size_t max_cgroups, Exposition& e) {
  RowFamilies<Cgroup> rows(fields::kCgroupFields, "cgroup", e);
  Family& processes =
      e.Add("procleak_cgroup_processes", "gauge", "Processes the scan found in the cgroup.");
  Family& pss = e.Add("procleak_cgroup_pss_bytes", "gauge",
                      "PSS of the cgroup's processes, summed (a PSS scan only).");
  size_t listed = 0, omitted = 0;
  for (const Cgroup* c : CgroupsByMemory(s)) {
    const std::string labels =
        Labels({{"cgroup", c->path}, {"unit", SystemdUnit(c->path)}, {"name", CgroupName(s, *c)}});
    if (listed == max_cgroups || processes.Has(labels)) {
      ++omitted;
      continue;
    }
    ++listed;
    rows.Push(*c, labels);
    if (std::optional<uint64_t> sum = MemoryOf(s, c->pids).pss_bytes) {
      pss.Push(labels, fmt::format("{}", *sum));
    }
    processes.Push(labels, fmt::format("{}", c->pids.size()));
  }
  e.Add("procleak_cgroups_omitted", "gauge",
        "Cgroups left out of the cgroup metrics by the bound on their number (the largest by "
        "memory are kept), or as their labels, cut, equal another's.")
      .Push("", fmt::format("{}", omitted));
}

void GroupFamilies(const Snapshot& s, const Analysis& a, size_t max_groups, Exposition& e) {
  Family& chains = e.Add(
      "procleak_group_chains", "gauge",
      "Copies of a spawn chain (one signature in one container or cgroup, from one spawner).");
  Family& expected =
      e.Add("procleak_group_expected_chains", "gauge", "Copies of the chain a rule expects.");
  Family& rss = e.Add("procleak_group_rss_bytes", "gauge", "RSS summed over the group's chains.");
  Family& pss = e.Add("procleak_group_pss_bytes", "gauge", "PSS summed over the group's chains.");
  Family& rate = e.Add("procleak_group_spawn_rate_per_hour", "gauge",
                       "Chains started per hour between the group's first and last start.");
  size_t listed = 0, omitted = 0;
  for (const Group& g : a.groups) {
    // Single-process groups would repeat the process list (as in the JSON document).
    if (g.count <= 1 && g.classification != Classification::kLeak) continue;
    const std::string container = ContainerLabel(s, g.container);
    // One group per spawner: the spawner's pid, or the process group a gone spawner left.
    const std::string spawner = g.origin == Origin::kGone ? fmt::format("gone:{}", g.process_group)
                                                          : fmt::format("{}", g.spawner_pid);
    const std::string labels = Labels({{"container", container},
                                       {"signature", g.signature},
                                       {"cgroup", g.cgroup},
                                       {"spawner", spawner}});
    // procleak_group_chains adds the classification; rss has every group's common labels.
    if (listed == max_groups || rss.Has(labels)) {
      ++omitted;
      continue;
    }
    ++listed;
    chains.Push(Labels({{"container", container},
                        {"signature", g.signature},
                        {"classification", ClassificationName(g.classification)},
                        {"cgroup", g.cgroup},
                        {"spawner", spawner}}),
                fmt::format("{}", g.count));
    if (g.expected) expected.Push(labels, fmt::format("{}", *g.expected));
    if (g.pss_bytes) pss.Push(labels, fmt::format("{}", *g.pss_bytes));
    rate.Push(labels, Number(g.spawn_rate_per_hour));
    rss.Push(std::move(labels), fmt::format("{}", g.rss_bytes));
  }
  e.Add("procleak_groups_omitted", "gauge",
        "Groups left out of the group metrics by the bound on their number, or as their labels, "
        "cut, equal another's.")
      .Push("", fmt::format("{}", omitted));
}

void FindingFamilies(const Snapshot& s, const Analysis& a, size_t max_findings, Exposition& e) {
  Family& counts = e.Add("procleak_findings", "gauge", "Findings by severity.");
  for (Severity sev : {Severity::kCritical, Severity::kWarning, Severity::kInfo}) {
    size_t n = 0;
    for (const Finding& f : a.findings) n += f.severity == sev;
    counts.Push(Labels({{"severity", SeverityName(sev)}}), fmt::format("{}", n));
  }
  Family& info = e.Add("procleak_finding_info", "gauge", "One series per finding, always 1.");
  size_t omitted = 0;
  for (const Finding& f : a.findings) {
    std::string labels = Labels({{"kind", FindingKindName(f.kind)},
                                 {"severity", SeverityName(f.severity)},
                                 {"container", ContainerLabel(s, f.container)},
                                 {"signature", f.signature}});
    if (info.size() == max_findings || !info.Push(std::move(labels), "1")) ++omitted;
  }
  e.Add("procleak_findings_omitted", "gauge",
        "Findings left out of procleak_finding_info by the bound on their number, or as their "
        "labels, cut, equal another's.")
      .Push("", fmt::format("{}", omitted));
}

}  // namespace

std::string PrometheusLabelValue(std::string_view value) {
  // Escaped as for a terminal first: a dashboard shows label values as they are, so control,
  // bidi and other format characters and invalid bytes become visible escapes, which also keeps
  // the value valid UTF-8 and on one line. A longer value is cut between grapheme clusters and
  // ends in "~" and the hash of the whole value, so that values sharing their first bytes (two
  // LXC names, two long signatures) still label different series.
  const std::string safe = SanitizeForTerminal(value.substr(0, 4 * kMaxLabelBytes));
  std::string cut(TruncateToBytes(safe, kMaxLabelBytes));
  if (cut.size() < safe.size() || value.size() > 4 * kMaxLabelBytes) {
    cut = std::string(TruncateToBytes(safe, kMaxLabelBytes - kCutMarkBytes));
    cut += "~" + ShortHash(value);
  }
  std::string out;
  out.reserve(cut.size() + 8);
  for (char c : cut) {
    if (c == '\\' || c == '"') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string RenderPrometheus(const Snapshot& snapshot, const Analysis& analysis,
                             const PrometheusOptions& options) {
  Exposition e;
  HostFamilies(snapshot, e);
  ContainerFamilies(snapshot, e);
  CgroupFamilies(snapshot, options.max_cgroups, e);
  GroupFamilies(snapshot, analysis, options.max_groups, e);
  FindingFamilies(snapshot, analysis, options.max_findings, e);
  return e.Render();
}

}  // namespace procleak
