// SPDX-License-Identifier: Apache-2.0
#pragma once
// A snapshot and its analysis as Prometheus metrics, for node_exporter's textfile collector.

#include <cstddef>
#include <string>
#include <string_view>

#include "procleak/analysis.h"
#include "procleak/snapshot.h"

namespace procleak {

struct PrometheusOptions {
  // Series per group and per finding are bounded so a leaking host cannot explode the label
  // cardinality: groups in Analysis order (leaks first), findings likewise (critical first).
  size_t max_groups = 50;
  size_t max_findings = 50;
  // Cgroups, the largest by memory: a host of many services and scopes exports these.
  size_t max_cgroups = 20;
};

// The text exposition format (version 0.0.4): every family with # HELP and # TYPE, names
// prefixed procleak_, base units, counters ending in _total, no timestamps. Families and series
// come in a fixed order. Groups are those of two or more chains or leaks (as in the JSON);
// procleak_groups_omitted and procleak_findings_omitted count what the bounds left out. No family
// has two series with the same labels: a container, group or finding whose cut labels equal an
// earlier one's is left out and counted (procleak_containers_omitted and the two above). The
// largest cgroups (max_cgroups, by memory) are exported by path, systemd unit and name;
// procleak_cgroups_omitted counts the rest.
std::string RenderPrometheus(const Snapshot& snapshot, const Analysis& analysis,
                             const PrometheusOptions& options);

// A label value as the exposition format needs it: escaped as for a terminal (SanitizeForTerminal:
// invalid bytes, controls, bidi and other format characters become visible \xNN, \n or \u202e).
// A value longer than 128 bytes then is cut between grapheme clusters and ends in "~" and 8 hex
// digits of an FNV-1a hash of the whole value (128 bytes in all); then \ and " are escaped.
std::string PrometheusLabelValue(std::string_view value);

}  // namespace procleak
