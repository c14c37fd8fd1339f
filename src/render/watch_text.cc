// SPDX-License-Identifier: Apache-2.0
#include "render/watch_text.h"

#include <algorithm>
#include <vector>

#include "base/terminal_text.h"
#include "base/text_format.h"
#include "fmt/format.h"
#include "render/diff_text.h"
#include "render/format.h"
#include "render/style.h"
#include "render/text_report.h"

namespace procleak {
namespace {

const GroupChange* FindGroup(const SnapshotDiff& diff, const Group& g) {
  for (const GroupChange& c : diff.groups) {
    if (c.signature == g.signature && c.container == g.container && c.cgroup == g.cgroup &&
        c.origin == g.origin && c.spawner_pid == g.spawner_pid &&
        c.process_group == g.process_group) {
      return &c;
    }
  }
  return nullptr;
}

const ContainerChange* FindContainer(const SnapshotDiff& diff, const std::string& id) {
  for (const ContainerChange& c : diff.containers) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

// "+3/-1", or "" when nothing started or ended.
std::string StartedEnded(const GroupChange* c) {
  if (c == nullptr || (c->chains_started == 0 && c->chains_ended == 0)) return "-";
  return fmt::format("+{}/-{}", c->chains_started, c->chains_ended);
}

// "-" while the window is too short for a rate (`rates` false).
std::string Slope(bool rates, std::optional<double> bytes_per_hour) {
  if (!rates) return "-";
  if (!bytes_per_hour) return "?";
  return FormatSignedBytes(static_cast<int64_t>(*bytes_per_hour)) + "/h";
}

std::string SpawnRate(bool rates, const GroupChange* c) {
  if (!rates) return "-";
  return fmt::format("{:.1f}", c != nullptr ? c->spawn_rate_per_hour : 0.0);
}

// Columns left for a text column that ends a row of `used` columns: `fallback` when the width
// is not known, at least `least`.
size_t ColumnLeft(const WatchTextOptions& o, size_t used, size_t fallback, size_t least) {
  if (o.width == 0) return fallback;
  return o.width > used + least ? o.width - used : least;
}

void Containers(const Snapshot& now, const SnapshotDiff& last, const SnapshotDiff& start,
                const WatchTextOptions& o, bool rates, const Style& style, std::string* out) {
  std::vector<const Container*> shown;
  for (const Container& c : now.containers()) {
    if (!c.pids.empty() || c.memory_bytes) shown.push_back(&c);
  }
  if (shown.empty()) return;
  std::stable_sort(shown.begin(), shown.end(), [](const Container* a, const Container* b) {
    return a->memory_bytes.value_or(0) > b->memory_bytes.value_or(0);
  });
  out->append(style.Bold("CONTAINERS") + "\n");
  out->append(fmt::format("  {:<24} {:>10} {:>11} {:>13} {:>9}\n", "name", "memory", "last",
                          "since start", "procs"));
  for (size_t i = 0; i < shown.size() && i < o.max_containers; ++i) {
    const Container& c = *shown[i];
    const ContainerChange* l = FindContainer(last, c.id);
    const ContainerChange* s = FindContainer(start, c.id);
    std::string delta = "0 B";
    if (l != nullptr && l->memory_before && l->memory_after) {
      delta = FormatSignedBytes(static_cast<int64_t>(*l->memory_after) -
                                static_cast<int64_t>(*l->memory_before));
    }
    std::string procs = std::to_string(c.pids.size());
    if (s != nullptr && s->processes_after != s->processes_before) {
      procs += fmt::format(" ({:+d})", s->processes_after - s->processes_before);
    }
    out->append(fmt::format("  {} {:>10} {:>11} {:>13} {:>9}\n",
                            FitColumn(ShortContainer(now, c.id), 24),
                            c.memory_bytes ? FormatBytes(*c.memory_bytes) : "?", delta,
                            s != nullptr ? Slope(rates, s->memory_slope_bytes_per_hour)
                            : rates      ? "0 B/h"
                                         : "-",
                            procs));
  }
  out->append("\n");
}

void Groups(const Snapshot& now, const Analysis& analysis, const SnapshotDiff& last,
            const SnapshotDiff& start, const WatchTextOptions& o, bool rates, const Style& style,
            std::string* out) {
  std::vector<const Group*> shown;
  for (const Group& g : analysis.groups) {
    if (g.count > 1 || FindGroup(start, g) != nullptr) shown.push_back(&g);
  }
  if (shown.empty()) return;
  out->append(style.Bold("GROUPS") + "  (chains: now, started/ended since last and since start)\n");
  out->append(fmt::format("  {:>5} {:>7} {:>8} {:>8} {:>10} {:>11}  {:<12}  {}\n", "now", "last",
                          "start", "rate/h", "rss", "rss/h", "container", "chain"));
  const size_t chain_width = ColumnLeft(o, 72, 40, 12);  // 72: the columns before the chain
  for (size_t i = 0; i < shown.size() && i < o.max_groups; ++i) {
    const Group& g = *shown[i];
    const GroupChange* l = FindGroup(last, g);
    const GroupChange* s = FindGroup(start, g);
    // Padded before it is coloured: the escape sequences take no column.
    std::string count = PadStart(std::to_string(g.count), 5);
    if (g.classification == Classification::kLeak) count = style.Bad(count);
    out->append(fmt::format("  {} {:>7} {:>8} {:>8} {:>10} {:>11}  {}  {}\n", count,
                            StartedEnded(l), StartedEnded(s), SpawnRate(rates, s),
                            FormatBytes(g.rss_bytes),
                            s != nullptr ? Slope(rates, s->rss_slope_bytes_per_hour)
                            : rates      ? "0 B/h"
                                         : "-",
                            FitColumn(ShortContainer(now, g.container), 12),
                            ShortenChainSignature(SanitizeForTerminal(g.signature), chain_width)));
  }
  if (shown.size() > o.max_groups) {
    out->append(fmt::format("  ... {} more groups\n", shown.size() - o.max_groups));
  }
  out->append("\n");
}

void Findings(const SnapshotDiff& start, const WatchTextOptions& o, const Style& style,
              std::string* out) {
  if (start.findings_new.empty() && start.findings_resolved.empty()) return;
  const size_t message_width = ColumnLeft(o, 20, 60, 20);  // 20: "  resolved warning "
  out->append(style.Bold("FINDINGS since start") + "\n");
  for (const Finding& f : start.findings_new) {
    out->append(fmt::format("  new      {:<8} {}\n", SeverityName(f.severity),
                            ShortenEnd(SanitizeForTerminal(f.message), message_width)));
  }
  for (const Finding& f : start.findings_resolved) {
    out->append(fmt::format("  resolved {:<8} {}\n", SeverityName(f.severity),
                            ShortenEnd(SanitizeForTerminal(f.message), message_width)));
  }
  out->append("\n");
}

// Appends `line` cut to `cols` terminal columns; escape sequences are kept and take none.
void AppendCut(std::string_view line, size_t cols, std::string* out) {
  size_t used = 0;
  bool full = false;
  for (size_t i = 0; i < line.size();) {
    if (line[i] == '\x1b') {  // CSI: ESC [ parameters, then a final byte in 0x40-0x7e
      size_t end = i + 1;
      if (end < line.size() && line[end] == '[') {
        ++end;
        while (end < line.size() && (line[end] < 0x40 || line[end] > 0x7e)) ++end;
        end = std::min(end + 1, line.size());
        out->append(line.substr(i, end - i));
      }
      i = end;  // a lone ESC is dropped: this text has none of its own
      continue;
    }
    const size_t end = std::min(line.find('\x1b', i), line.size());
    const std::string_view run = line.substr(i, end - i);
    i = end;
    if (full) continue;
    const size_t width = DisplayWidth(run);
    if (used + width <= cols) {
      out->append(run);
      used += width;
    } else {
      out->append(TruncateToWidth(run, cols - used));
      full = true;
    }
  }
}

}  // namespace

bool WindowSupportsRates(int samples, absl::Duration window) {
  return samples >= kRateMinSamples && window >= kRateMinWindow;
}

std::string FitScreen(std::string_view screen, size_t rows, size_t cols) {
  std::vector<std::string_view> lines;
  for (size_t at = 0; at <= screen.size();) {
    const size_t end = std::min(screen.find('\n', at), screen.size());
    lines.push_back(screen.substr(at, end - at));
    at = end + 1;
  }
  while (!lines.empty() && lines.back().empty()) lines.pop_back();
  std::string left_out;
  if (rows == 0) return left_out;
  if (lines.size() > rows) {
    left_out = fmt::format("... {} more lines", lines.size() - (rows - 1));
    lines.resize(rows - 1);
  }
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i > 0) out.push_back('\n');
    AppendCut(lines[i], cols, &out);
  }
  if (!left_out.empty()) {
    if (!lines.empty()) out.push_back('\n');
    AppendCut(left_out, cols, &out);
  }
  return out;
}

std::string RenderWatchText(const Snapshot& now, const Analysis& analysis,
                            const SnapshotDiff& since_last, const SnapshotDiff& since_start,
                            const WatchTextOptions& options) {
  const Style style(options.color);
  const Host& h = now.host();
  const bool rates = WindowSupportsRates(options.sample, since_start.to - since_start.from);
  std::string out = fmt::format(
      "{}  {}  {}  sample {}, every {}, watching for {}  (scan {:.1f} ms, {} of {} reused)\n",
      style.Bold("procleak watch"), SanitizeForTerminal(h.hostname),
      absl::FormatTime("%H:%M:%S UTC", h.scanned_at, absl::UTCTimeZone()), options.sample,
      options.interval < absl::Seconds(1) && options.interval > absl::ZeroDuration()
          ? absl::FormatDuration(options.interval)  // "200ms"
          : FormatInterval(options.interval),
      FormatInterval(since_start.to - since_start.from),
      absl::ToDoubleMilliseconds(now.stats().duration), options.reused, now.processes().size());
  if (h.mem_total_bytes && h.mem_available_bytes) {
    out.append(fmt::format(
        "host memory {} used of {}",
        FormatBytes(*h.mem_total_bytes - std::min(*h.mem_total_bytes, *h.mem_available_bytes)),
        FormatBytes(*h.mem_total_bytes)));
    if (since_start.host_available_delta_bytes) {
      out.append(fmt::format(", {} since start",
                             FormatSignedBytes(-*since_start.host_available_delta_bytes)));
    }
    out.append("\n");
  }
  out.append(fmt::format("processes {}  started {} ended {} since last, {} / {} since start\n",
                         now.processes().size(), since_last.processes_started.size(),
                         since_last.processes_ended.size(), since_start.processes_started.size(),
                         since_start.processes_ended.size()));
  out.append(ProcHiddenLines(now, options.color) + "\n");
  Containers(now, since_last, since_start, options, rates, style, &out);
  Groups(now, analysis, since_last, since_start, options, rates, style, &out);
  Findings(since_start, options, style, &out);
  return out;
}

}  // namespace procleak
