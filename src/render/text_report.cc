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

// Columns left for a table's last column after `used` of `width`, never fewer than `least`.
size_t Room(size_t width, size_t used, size_t least = 8) {
  return width > used + least ? width - used : least;
}

std::string HostLines(const Snapshot& s, const TextOptions& options, const Style& style) {
  const Host& h = s.host();
  std::string out = fmt::format(
      "{}\n", ShortenEnd(SanitizeForTerminal(fmt::format(
                             "host {}  kernel {}  cgroup {}", h.hostname.empty() ? "?" : h.hostname,
                             h.kernel.empty() ? "?" : h.kernel, CgroupModeName(h.cgroup_mode))),
                         options.width));
  if (h.mem_total_bytes && h.mem_available_bytes) {
    uint64_t total = *h.mem_total_bytes, available = *h.mem_available_bytes;
    uint64_t used = total > available ? total - available : 0;
    double percent = total ? 100.0 * static_cast<double>(used) / static_cast<double>(total) : 0;
    std::string line =
        fmt::format("memory {} used of {} ({:.0f}%), {} available", FormatBytes(used),
                    FormatBytes(total), percent, FormatBytes(available));
    out += ByUse(ShortenEnd(line, options.width), percent / 100, options.thresholds, style) + "\n";
  } else {
    out += "memory: /proc/meminfo not readable\n";
  }
  out += ProcHiddenLines(s, options.color, options.width);
  if (options.scope != nullptr && !options.scope->all()) {
    out += style.Bold(Wrap(options.scope->note(), options.width, "  ")) + "\n";
  }
  return out;
}

// Cgroups by memory, each named as CgroupName() says; a SWAP column when one of them uses swap,
// a PSS column (its processes' PSS summed) after a PSS scan.
std::string CgroupTable(const Snapshot& s, const TextOptions& options, const Style& style) {
  if (s.cgroups().empty()) return "\nno cgroups (cgroup filesystem not mounted)\n";
  std::vector<const Cgroup*> rows;
  for (const auto& [path, cgroup] : s.cgroups()) {
    if (options.scope == nullptr || options.scope->ShowsCgroup(path)) rows.push_back(&cgroup);
  }
  SortRows(rows, options.sort, [&](const Cgroup& c) { return KeysOf(s, c); });
  const bool swap = std::any_of(rows.begin(), rows.end(),
                                [](const Cgroup* c) { return c->swap_bytes.value_or(0) > 0; });
  const bool pss = s.stats().pss;
  auto optional_columns = [&](std::string_view swap_cell, std::string_view pss_cell) {
    return fmt::format("{}{}", swap ? fmt::format("{:>10}  ", swap_cell) : "",
                       pss ? fmt::format("{:>10}  ", pss_cell) : "");
  };
  std::string out =
      "\n" +
      style.Bold(ShortenEnd(fmt::format("{:>10}  {:>10}  {:>4}  {}{:>5}  {}", "MEMORY", "LIMIT",
                                        "USE%", optional_columns("SWAP", "PSS"), "PROCS", "CGROUP"),
                            options.width)) +
      "\n";
  const size_t name_width = Room(options.width, 37 + (swap ? 12 : 0) + (pss ? 12 : 0));
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
    out += ByUse(ShortenEnd(row, options.width), use.fraction, options.thresholds, style) + "\n";
  }
  if (rows.size() > options.max_cgroups) {
    out += fmt::format("  (+{} more cgroups)\n", rows.size() - options.max_cgroups);
  }
  return out;
}

// The processes of the processes table, in its order: --pid's subtree or all, those the scope
// shows, sorted.
std::vector<const Process*> ProcessRows(const Snapshot& s, const TextOptions& options) {
  std::vector<const Process*> rows;
  if (options.subtree_of) {
    rows = SubtreeOf(s, *options.subtree_of);
  } else {
    for (const Process& p : s.processes()) rows.push_back(&p);
  }
  if (options.scope != nullptr) {
    std::erase_if(rows, [&](const Process* p) { return !options.scope->Shows(*p); });
  }
  SortRows(rows, options.sort, [](const Process& p) { return KeysOf(p); });
  return rows;
}

std::string ProcessTable(const Snapshot& s, const TextOptions& options, const Style& style) {
  const std::vector<const Process*> rows = ProcessRows(s, options);
  std::string out = "\n" +
                    style.Bold(ShortenEnd(
                        fmt::format("{:>7}  {:>7}  {:>10}  {}", "PID", "PPID", "RSS", "COMMAND"),
                        options.width)) +
                    "\n";
  const size_t command_width = Room(options.width, 32);  // 48 at 80, as before the width was known
  for (size_t i = 0; i < rows.size() && i < options.max_processes; ++i) {
    const Process& p = *rows[i];
    out += ShortenEnd(fmt::format("{:>7}  {:>7}  {:>10}  {}", p.pid, p.ppid,
                                  p.rss_bytes ? FormatBytes(*p.rss_bytes) : "-",
                                  ShortenEnd(SanitizeForTerminal(CommandLine(p.argv, p.comm)),
                                             command_width)),
                      options.width) +
           "\n";
  }
  if (rows.size() > options.max_processes) {
    out += fmt::format("  (+{} more processes)\n", rows.size() - options.max_processes);
  }
  return out;
}

std::string Footer(const Snapshot& s, bool not_root, bool color, size_t width) {
  size_t kernel_threads = std::count_if(s.processes().begin(), s.processes().end(),
                                        [](const Process& p) { return p.kernel_thread; });
  std::string out =
      "\n" +
      Wrap(fmt::format("{} processes ({} kernel threads) in {:.1f} ms; skipped {} vanished, {} "
                       "denied",
                       s.processes().size(), kernel_threads,
                       absl::ToDoubleMilliseconds(s.stats().duration), s.stats().skipped_vanished,
                       s.stats().skipped_denied),
           width, "") +
      "\n";
  out += ProcHiddenLines(s, color, width);
  if (not_root && s.stats().skipped_denied > 0) {
    out += Wrap(
               "not root: the denied files are other users' (exe links, smaps_rollup for PSS, "
               "/proc entries hidden by hidepid); run as root for the whole picture",
               std::min(width, kWidth), "") +
           "\n";
  }
  return out;
}

}  // namespace

std::string ProcHiddenLines(const Snapshot& snapshot, bool color, size_t width) {
  const std::string warning = ProcHiddenWarning(snapshot.host().proc_hidden);
  if (warning.empty()) return "";
  return Style(color).Warn(Wrap("warning: " + warning, width, "  ")) + "\n";
}

std::string RenderScanText(const Snapshot& snapshot, const TextOptions& options) {
  Style style(options.color);
  std::string out = HostLines(snapshot, options, style);
  if (options.analysis != nullptr) {
    out += ContainerTable(snapshot, options, style) +
           FindingsText(snapshot, *options.analysis, options, style);
  }
  return out + CgroupTable(snapshot, options, style) + ProcessTable(snapshot, options, style) +
         Footer(snapshot, options.not_root, options.color, options.width);
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
  if (options.max_processes > 0) {
    const std::vector<const Process*> shown = ProcessRows(snapshot, options);
    // --top all: every process (and no product that overflows).
    const size_t top = options.max_processes >= shown.size()
                           ? shown.size()
                           : std::min(shown.size(), options.max_processes * margin);
    for (size_t i = 0; i < top; ++i) pids.push_back(shown[i]->pid);
  }
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

}  // namespace procleak
