// SPDX-License-Identifier: Apache-2.0
#include "render/text_report.h"

#include <algorithm>
#include <vector>

#include "analysis/actions.h"
#include "fmt/format.h"
#include "render/findings_text.h"
#include "render/format.h"
#include "render/style.h"
#include "render/subtree.h"

namespace procleak {
namespace {

// A line of memory use (`fraction` of the total or the limit), emphasised as the findings rate it.
std::string ByUse(std::string line, double fraction, const Thresholds& t, const Style& style) {
  return fraction >= t.critical_memory_limit ? style.Bad(line)
         : fraction >= t.near_memory_limit   ? style.Warn(line)
                                             : line;
}

std::string HostLines(const Snapshot& s, const TextOptions& options, const Style& style) {
  const Host& h = s.host();
  std::string out = fmt::format(
      "{}\n", ShortenEnd(SanitizeForTerminal(fmt::format(
                             "host {}  kernel {}  cgroup {}", h.hostname.empty() ? "?" : h.hostname,
                             h.kernel.empty() ? "?" : h.kernel, CgroupModeName(h.cgroup_mode))),
                         kWidth));
  if (h.mem_total_bytes && h.mem_available_bytes) {
    uint64_t total = *h.mem_total_bytes, available = *h.mem_available_bytes;
    uint64_t used = total > available ? total - available : 0;
    double percent = total ? 100.0 * static_cast<double>(used) / static_cast<double>(total) : 0;
    std::string line =
        fmt::format("memory {} used of {} ({:.0f}%), {} available", FormatBytes(used),
                    FormatBytes(total), percent, FormatBytes(available));
    out += ByUse(std::move(line), percent / 100, options.thresholds, style) + "\n";
  } else {
    out += "memory: /proc/meminfo not readable\n";
  }
  return out + ProcHiddenLines(s, options.color);
}

// Cgroups by memory, each named as CgroupName() says; a SWAP column when one of them uses swap,
// a PSS column (its processes' PSS summed) after a PSS scan.
std::string CgroupTable(const Snapshot& s, const TextOptions& options, const Style& style) {
  std::vector<const Cgroup*> rows = CgroupsByMemory(s);
  if (rows.empty()) return "\nno cgroups (cgroup filesystem not mounted)\n";
  const bool swap = std::any_of(rows.begin(), rows.end(),
                                [](const Cgroup* c) { return c->swap_bytes.value_or(0) > 0; });
  const bool pss = s.stats().pss;
  auto optional_columns = [&](std::string_view swap_cell, std::string_view pss_cell) {
    return fmt::format("{}{}", swap ? fmt::format("{:>10}  ", swap_cell) : "",
                       pss ? fmt::format("{:>10}  ", pss_cell) : "");
  };
  std::string out =
      "\n" +
      style.Bold(fmt::format("{:>10}  {:>10}  {:>4}  {}{:>5}  {}", "MEMORY", "LIMIT", "USE%",
                             optional_columns("SWAP", "PSS"), "PROCS", "CGROUP")) +
      "\n";
  const size_t name_width = kWidth - 37 - (swap ? 12 : 0) - (pss ? 12 : 0);
  for (size_t i = 0; i < rows.size() && i < options.max_cgroups; ++i) {
    const Cgroup& c = *rows[i];
    std::string memory = c.memory_bytes ? FormatBytes(*c.memory_bytes) : "-";
    std::string limit = !c.memory_limit               ? "-"
                        : c.memory_limit->unlimited() ? "unlimited"
                                                      : FormatBytes(c.memory_limit->value());
    const MemoryUse use = UseOfLimit(c.memory_bytes, c.memory_limit);
    const std::optional<uint64_t> pss_bytes = MemoryOf(s, c.pids).pss_bytes;
    std::string row = fmt::format("{:>10}  {:>10}  {:>4}  {}{:>5}  {}", memory, limit, use.cell,
                                  optional_columns(c.swap_bytes ? FormatBytes(*c.swap_bytes) : "-",
                                                   pss_bytes ? FormatBytes(*pss_bytes) : "-"),
                                  c.pids.size(),
                                  ShortenMiddle(SanitizeForTerminal(CgroupName(s, c)), name_width));
    out += ByUse(std::move(row), use.fraction, options.thresholds, style) + "\n";
  }
  if (rows.size() > options.max_cgroups) {
    out += fmt::format("  (+{} more cgroups)\n", rows.size() - options.max_cgroups);
  }
  return out;
}

std::string ProcessTable(const Snapshot& s, const TextOptions& options, const Style& style) {
  std::vector<const Process*> rows;
  if (options.subtree_of) {
    rows = SubtreeOf(s, *options.subtree_of);
  } else {
    for (const Process& p : s.processes()) rows.push_back(&p);
  }
  std::stable_sort(rows.begin(), rows.end(), [](const Process* a, const Process* b) {
    return a->rss_bytes.value_or(0) > b->rss_bytes.value_or(0);
  });
  std::string out =
      "\n" + style.Bold(fmt::format("{:>7}  {:>7}  {:>10}  {}", "PID", "PPID", "RSS", "COMMAND")) +
      "\n";
  for (size_t i = 0; i < rows.size() && i < options.max_processes; ++i) {
    const Process& p = *rows[i];
    out += fmt::format("{:>7}  {:>7}  {:>10}  {}\n", p.pid, p.ppid,
                       p.rss_bytes ? FormatBytes(*p.rss_bytes) : "-",
                       ShortenEnd(SanitizeForTerminal(CommandLine(p.argv, p.comm)), kWidth - 32));
  }
  return out;
}

std::string Footer(const Snapshot& s, bool not_root, bool color) {
  size_t kernel_threads = std::count_if(s.processes().begin(), s.processes().end(),
                                        [](const Process& p) { return p.kernel_thread; });
  std::string out = fmt::format(
      "\n{} processes ({} kernel threads) in {:.1f} ms; skipped {} vanished, {} "
      "denied\n",
      s.processes().size(), kernel_threads, absl::ToDoubleMilliseconds(s.stats().duration),
      s.stats().skipped_vanished, s.stats().skipped_denied);
  out += ProcHiddenLines(s, color);
  if (not_root && s.stats().skipped_denied > 0) {
    out +=
        "not root: the denied files are other users' (exe links, smaps_rollup for PSS,\n"
        "/proc entries hidden by hidepid); run as root for the whole picture\n";
  }
  return out;
}

}  // namespace

std::string ProcHiddenLines(const Snapshot& snapshot, bool color) {
  const std::string warning = ProcHiddenWarning(snapshot.host().proc_hidden);
  if (warning.empty()) return "";
  return Style(color).Warn(Wrap("warning: " + warning, kWidth, "  ")) + "\n";
}

std::string RenderScanText(const Snapshot& snapshot, const TextOptions& options) {
  Style style(options.color);
  std::string out = HostLines(snapshot, options, style);
  if (options.analysis != nullptr) {
    out += ContainerTable(snapshot, options.max_cgroups, style) +
           FindingsText(snapshot, *options.analysis, style);
  }
  return out + CgroupTable(snapshot, options, style) + ProcessTable(snapshot, options, style) +
         Footer(snapshot, options.not_root, options.color);
}

std::vector<int> PidsWithShownRss(const Snapshot& snapshot, const Analysis& analysis,
                                  const TextOptions& options, size_t margin) {
  std::vector<int> pids;
  for (const Finding& f : analysis.findings) {
    pids.insert(pids.end(), f.pids.begin(), f.pids.end());
    if (f.signature.empty()) continue;
    for (const Group& g : analysis.groups) {
      if (g.signature != f.signature || g.container != f.container || g.cgroup != f.cgroup) {
        continue;
      }
      for (const Chain& c : g.chains) pids.insert(pids.end(), c.pids.begin(), c.pids.end());
    }
  }
  std::vector<const Process*> largest;
  for (const Process& p : snapshot.processes()) largest.push_back(&p);
  const size_t top = std::min(largest.size(), options.max_processes * margin);
  std::partial_sort(largest.begin(), largest.begin() + static_cast<std::ptrdiff_t>(top),
                    largest.end(), [](const Process* a, const Process* b) {
                      return a->rss_bytes.value_or(0) > b->rss_bytes.value_or(0);
                    });
  for (size_t i = 0; i < top; ++i) pids.push_back(largest[i]->pid);
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

}  // namespace procleak
