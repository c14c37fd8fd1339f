// SPDX-License-Identifier: Apache-2.0
#include "render/diff_text.h"

#include <algorithm>
#include <vector>

#include "base/text_format.h"
#include "fmt/format.h"
#include "render/format.h"
#include "render/style.h"

namespace procleak {
namespace {

constexpr size_t kMaxRows = 20;  // per section: the first screen shows every section

// A container's name for the rows: its name on either side, else its short id; "host" for "".
std::string ContainerName(const Snapshot& a, const Snapshot& b, const std::string& id) {
  const Container* in_b = b.FindContainer(id);
  return ShortContainer(in_b != nullptr && !in_b->name.empty() ? b : a, id);
}

std::string Header(const SnapshotDiff& d) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const std::string from_day = absl::FormatTime("%Y-%m-%d", d.from, utc);
  const std::string to_day = absl::FormatTime("%Y-%m-%d", d.to, utc);
  return fmt::format(
      "DIFF {} {} -> {} ({})", from_day, absl::FormatTime("%H:%M:%S", d.from, utc),
      absl::FormatTime(from_day == to_day ? "%H:%M:%S" : "%Y-%m-%d %H:%M:%S", d.to, utc),
      FormatInterval(d.to - d.from));
}

std::string HostLine(const SnapshotDiff& d, const Snapshot& a, const Snapshot& b) {
  const Host& ha = a.host();
  const Host& hb = b.host();
  if (!d.host_available_delta_bytes || *d.host_available_delta_bytes == 0 ||
      !ha.mem_available_bytes || !hb.mem_available_bytes) {
    return "";
  }
  return fmt::format("host memory available {} -> {} ({})\n", FormatBytes(*ha.mem_available_bytes),
                     FormatBytes(*hb.mem_available_bytes),
                     FormatSignedBytes(*d.host_available_delta_bytes));
}

std::string More(size_t total, std::string_view what) {
  return total > kMaxRows ? fmt::format("  (+{} more {})\n", total - kMaxRows, what) : "";
}

std::string Containers(const SnapshotDiff& d, const Style& style) {
  if (d.containers.empty()) return "";
  std::string out = "\n" + style.Bold(fmt::format("CONTAINERS: {} changed", d.containers.size())) +
                    "\n" +
                    fmt::format("  {:<16} {:>10}    {:<10} {:>11} {:>13} {}\n", "NAME", "BEFORE",
                                "AFTER", "DELTA", "PER HOUR", "PROCS");
  for (size_t i = 0; i < d.containers.size() && i < kMaxRows; ++i) {
    const ContainerChange& c = d.containers[i];
    auto memory = [](const std::optional<uint64_t>& bytes, bool absent, const char* word) {
      return absent ? std::string(word) : bytes ? FormatBytes(*bytes) : "-";
    };
    std::string delta = c.memory_before && c.memory_after
                            ? FormatSignedBytes(static_cast<int64_t>(*c.memory_after) -
                                                static_cast<int64_t>(*c.memory_before))
                            : "-";
    // Clamped: a slope over a few milliseconds can exceed what an int64_t holds.
    const std::string slope = c.memory_slope_bytes_per_hour
                                  ? FormatSignedBytes(static_cast<int64_t>(std::clamp(
                                        *c.memory_slope_bytes_per_hour, -9.0e18, 9.0e18))) +
                                        "/h"
                                  : "-";
    std::string name = SanitizeForTerminal(NameOrShortId(c.name, c.id));
    out += fmt::format("  {} {:>10} -> {:<10} {:>11} {:>13} {}->{}\n", FitColumn(name, 16),
                       memory(c.memory_before, c.appeared, "new"),
                       memory(c.memory_after, c.disappeared, "gone"), delta, slope,
                       c.processes_before, c.processes_after);
  }
  return out + More(d.containers.size(), "containers");
}

std::string Groups(const SnapshotDiff& d, const Snapshot& a, const Snapshot& b, const Style& style,
                   size_t width) {
  if (d.groups.empty() && d.chains_started.empty() && d.chains_ended.empty()) return "";
  std::string out =
      "\n" +
      style.Bold(fmt::format("GROUPS: {} changed; {} chains started, {} ended", d.groups.size(),
                             d.chains_started.size(), d.chains_ended.size())) +
      "\n";
  if (d.groups.empty()) return out;
  out += fmt::format("  {:<9} {:>9} {:>11}  {:<10} {}\n", "CHAINS", "+NEW/-END", "RSS DELTA",
                     "CONTAINER", "SIGNATURE");
  // The columns before the signature take 46; it gets the rest, and no less than 10.
  const size_t signature_width = width > 56 ? width - 46 : 10;
  for (size_t i = 0; i < d.groups.size() && i < kMaxRows; ++i) {
    const GroupChange& g = d.groups[i];
    std::string row = fmt::format(
        "  {:<9} {:>9} {:>11}  {} {}", fmt::format("{}->{}", g.count_before, g.count_after),
        fmt::format("+{}/-{}", g.chains_started, g.chains_ended),
        FormatSignedBytes(g.rss_delta_bytes), FitColumn(ContainerName(a, b, g.container), 10),
        ShortenChainSignature(SanitizeForTerminal(g.signature), signature_width));
    const bool growing_leak =
        g.classification_after == Classification::kLeak && g.chains_started > g.chains_ended;
    out += (growing_leak ? style.Warn(row) : row) + "\n";
  }
  return out + More(d.groups.size(), "groups");
}

std::string FindingRow(const Finding& f, std::string_view tag, const Snapshot& a, const Snapshot& b,
                       const Style& style, bool colored, size_t width) {
  std::string start =
      fmt::format("  {:<8} {:<8} {:<17} {} ", tag, SeverityName(f.severity),
                  FindingKindName(f.kind), FitColumn(ContainerName(a, b, f.container), 10));
  std::string subject = f.signature.empty()
                            ? SanitizeForTerminal(f.message)
                            : fmt::format("{}x {}", f.count, SanitizeForTerminal(f.signature));
  std::string row = ShortenEnd(start + subject, width);
  if (!colored) return row + "\n";
  return (f.severity == Severity::kCritical  ? style.Bad(row)
          : f.severity == Severity::kWarning ? style.Warn(row)
                                             : row) +
         "\n";
}

std::string Findings(const SnapshotDiff& d, const Snapshot& a, const Snapshot& b,
                     const Style& style, size_t width) {
  if (d.findings_new.empty() && d.findings_resolved.empty()) return "";
  std::string out = "\n" +
                    style.Bold(fmt::format("FINDINGS: {} new, {} resolved", d.findings_new.size(),
                                           d.findings_resolved.size())) +
                    "\n";
  for (size_t i = 0; i < d.findings_new.size() && i < kMaxRows; ++i) {
    out += FindingRow(d.findings_new[i], "new", a, b, style, true, width);
  }
  out += More(d.findings_new.size(), "new findings");
  for (size_t i = 0; i < d.findings_resolved.size() && i < kMaxRows; ++i) {
    out += FindingRow(d.findings_resolved[i], "resolved", a, b, style, false, width);
  }
  return out + More(d.findings_resolved.size(), "resolved findings");
}

std::string ProcessRows(const std::vector<ProcessRef>& refs, char sign, const Snapshot& a,
                        const Snapshot& b) {
  std::string out;
  for (size_t i = 0; i < refs.size() && i < kMaxRows; ++i) {
    const ProcessRef& p = refs[i];
    out += fmt::format("  {} {:>7}  {} {} {:>10}\n", sign, p.pid,
                       FitColumn(SanitizeForTerminal(p.comm), 16),
                       FitColumn(ContainerName(a, b, p.container), 12), FormatBytes(p.rss_bytes));
  }
  return out + More(refs.size(), sign == '+' ? "started" : "ended");
}

std::string Processes(const SnapshotDiff& d, const Snapshot& a, const Snapshot& b,
                      const Style& style) {
  if (d.processes_started.empty() && d.processes_ended.empty()) return "";
  return "\n" +
         style.Bold(fmt::format("PROCESSES: {} started, {} ended", d.processes_started.size(),
                                d.processes_ended.size())) +
         "\n" + ProcessRows(d.processes_started, '+', a, b) +
         ProcessRows(d.processes_ended, '-', a, b);
}

}  // namespace

std::string FormatSignedBytes(int64_t bytes) {
  if (bytes == 0) return "0 B";
  // The magnitude of INT64_MIN does not fit an int64_t; it does fit a uint64_t.
  const uint64_t magnitude =
      bytes < 0 ? static_cast<uint64_t>(-(bytes + 1)) + 1 : static_cast<uint64_t>(bytes);
  return (bytes < 0 ? "-" : "+") + FormatBytes(magnitude);
}

std::string FormatInterval(absl::Duration d) {
  const std::string sign = d < absl::ZeroDuration() ? "-" : "";
  const int64_t s = absl::ToInt64Seconds(absl::AbsDuration(d));
  auto two = [&](int64_t big, const char* big_unit, int64_t small, const char* small_unit) {
    return small == 0 ? fmt::format("{}{}{}", sign, big, big_unit)
                      : fmt::format("{}{}{} {}{}", sign, big, big_unit, small, small_unit);
  };
  if (s < 60) return fmt::format("{}{}s", sign, s);
  if (s < 3600) return two(s / 60, "m", s % 60, "s");
  if (s < 86400) return two(s / 3600, "h", s % 3600 / 60, "m");
  return two(s / 86400, "d", s % 86400 / 3600, "h");
}

std::string RenderDiffText(const SnapshotDiff& diff, const Snapshot& a, const Snapshot& b,
                           bool color, size_t width) {
  Style style(color);
  std::string out = style.Bold(Header(diff)) + "\n" + HostLine(diff, a, b);
  const std::string body = Containers(diff, style) + Groups(diff, a, b, style, width) +
                           Findings(diff, a, b, style, width) + Processes(diff, a, b, style);
  return out + (body.empty() ? "no changes\n" : body);
}

}  // namespace procleak
