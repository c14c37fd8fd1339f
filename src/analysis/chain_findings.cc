// SPDX-License-Identifier: Apache-2.0
// duplicate_chain and orphaned_chain: surplus copies of a spawn chain and copies left behind.

#include <algorithm>

#include "analysis/actions.h"
#include "analysis/findings.h"
#include "analysis/lineage.h"
#include "base/text_format.h"
#include "fmt/format.h"

namespace procleak {
namespace {

constexpr uint64_t kGiB = 1ull << 30;

std::string Where(const Snapshot& s, const Group& g) {
  if (g.container.empty()) {
    return g.cgroup.empty() || g.cgroup == "/" ? "on the host"
                                               : fmt::format("in cgroup {}", g.cgroup);
  }
  const Container* c = s.FindContainer(g.container);
  std::string name = NameOrShortId(c != nullptr ? c->name : "", g.container);
  return fmt::format("in {} {}", c ? c->runtime : "container", name);
}

// "RSS 1.6 GiB counts pages shared between the copies once per process; PSS 1.1 GiB divides
// them; the container's own charge is 99.0 GiB (it also holds page cache and kernel memory)".
std::string MemoryEvidence(const Snapshot& s, const Group& g, uint64_t rss,
                           std::optional<uint64_t> pss) {
  std::string out = fmt::format("RSS {} (shared pages counted once per process)", FormatBytes(rss));
  if (pss) {
    out += fmt::format("; PSS {} (shared pages divided among sharers)", FormatBytes(*pss));
  } else {
    out += "; PSS not measured (scan with --pss)";
  }
  const Container* c = g.container.empty() ? nullptr : s.FindContainer(g.container);
  if (c != nullptr && c->memory_bytes) {
    out += fmt::format(
        "; the container's cgroup charge is {} (all its processes plus page "
        "cache and kernel memory)",
        FormatBytes(*c->memory_bytes));
  }
  return out;
}

// Two copies and no rule's count: the least a leak shows, and what a script that ran the same
// command twice, or a supervisor whose restart overlapped, shows too. Reported, not raised.
bool WeakEvidence(const Group& g) { return !g.expected && g.count <= 2; }

// A chain finding about `g`, with the group's identity filled in.
Finding ChainFinding(FindingKind kind, const Group& g) {
  Finding f;
  f.kind = kind;
  f.container = g.container;
  f.cgroup = g.cgroup;
  f.signature = g.signature;
  f.spawner_pid = g.origin == Origin::kGone ? 0 : g.spawner_pid;
  f.expected = g.expected;
  return f;
}

// The finding's pids and memory: every process of `stop` (each chain to stop with everything
// below it), which is what stopping them frees.
void StopAll(const Snapshot& s, const std::vector<std::vector<int>>& stop, Finding* f) {
  for (const std::vector<int>& pids : stop) f->pids.insert(f->pids.end(), pids.begin(), pids.end());
  const ProcessMemory memory = MemoryOf(s, f->pids);
  f->rss_bytes = memory.rss_bytes;
  f->pss_bytes = memory.pss_bytes;
}

Finding Duplicate(const Snapshot& s, const Group& g) {
  const int keep = g.expected.value_or(1);
  const int surplus = g.count - keep;
  Finding f = ChainFinding(FindingKind::kDuplicateChain, g);
  f.count = g.count;
  // Oldest first are the surplus: the newest `keep` copies are the ones the spawner talks to.
  std::vector<std::vector<int>> stop;
  for (int i = 0; i < surplus; ++i) stop.push_back(SubtreePids(s, g.chains[i].root_pid));
  StopAll(s, stop, &f);
  const uint64_t rss = f.rss_bytes;
  f.severity = WeakEvidence(g)                ? Severity::kInfo
               : surplus >= 10 || rss >= kGiB ? Severity::kCritical
                                              : Severity::kWarning;
  const Process* spawner = s.FindProcess(g.spawner_pid);
  f.message = fmt::format("{} copies of {} {}{} where {} {} expected; {} surplus hold {}", g.count,
                          g.signature, Where(s, g),
                          spawner != nullptr ? fmt::format(" from {}", PidText(*spawner)) : "",
                          keep, g.expected ? "is" : "would be", surplus, FormatBytes(rss));
  f.evidence = g.evidence;
  if (g.spawn_rate_per_hour > 0) {
    f.evidence.push_back(fmt::format("first started {}, last {}: {:.1f} new copies per hour",
                                     FormatRfc3339(g.chains.front().started_at),
                                     FormatRfc3339(g.chains.back().started_at),
                                     g.spawn_rate_per_hour));
  }
  f.evidence.push_back(MemoryEvidence(s, g, g.rss_bytes, g.pss_bytes));
  f.action = fmt::format(
      "stop the {} oldest copies, keeping the newest {}: {}; then fix the spawner so it stops "
      "the old copy before starting a new one",
      surplus, keep, KillCommand(stop));
  return f;
}

Finding Orphaned(const Snapshot& s, const Group& g) {
  Finding f = ChainFinding(FindingKind::kOrphanedChain, g);
  std::vector<std::vector<int>> stop;
  for (const Chain& c : g.chains) {
    if (c.orphaned) stop.push_back(SubtreePids(s, c.root_pid));
  }
  f.count = static_cast<int>(stop.size());
  StopAll(s, stop, &f);
  f.severity = WeakEvidence(g) ? Severity::kInfo : Severity::kWarning;
  f.message = fmt::format("{} {} of {} {} outlived the process that started them", f.count,
                          f.count == 1 ? "copy" : "copies", g.signature, Where(s, g));
  f.evidence = g.evidence;
  f.evidence.push_back(MemoryEvidence(s, g, f.rss_bytes, f.pss_bytes));
  f.action = fmt::format("nothing talks to them any more: {}", KillCommand(stop));
  return f;
}

}  // namespace

std::vector<Finding> ChainFindings(const Snapshot& s, const std::vector<Group>& groups) {
  std::vector<Finding> out;
  for (const Group& g : groups) {
    if (g.classification != Classification::kLeak) continue;
    // Copies whose spawner is gone are all stopped as orphans: none is kept.
    if (g.origin != Origin::kGone && g.count > g.expected.value_or(1)) {
      out.push_back(Duplicate(s, g));
    }
    if (std::any_of(g.chains.begin(), g.chains.end(), [](const Chain& c) { return c.orphaned; }))
      out.push_back(Orphaned(s, g));
  }
  return out;
}

}  // namespace procleak
