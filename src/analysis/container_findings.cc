// SPDX-License-Identifier: Apache-2.0
// Findings about containers and the other cgroups holding processes (systemd services and
// scopes): limits, OOM kills, pids, pressure, and restart loops of containers.

#include <algorithm>

#include "analysis/actions.h"
#include "analysis/findings.h"
#include "base/text_format.h"
#include "fmt/format.h"
#include "model/runtimes.h"
#include "model/systemd_unit.h"

namespace procleak {
namespace {

std::string Label(const Container& c) {
  const std::string_view id = ShortId(c.id);
  if (!c.verified) return fmt::format("{} {} (unverified)", c.runtime, id);
  return c.name.empty() ? fmt::format("{} {}", c.runtime, id)
                        : fmt::format("{} {} ({})", c.runtime, c.name, id);
}

// What the limit, counter and pressure findings look at: a container, or a cgroup outside any
// (a systemd unit, or a path), with the facts they read.
struct Subject {
  std::string label;                     // starts each message
  const Container* container = nullptr;  // null for a cgroup outside containers
  std::string cgroup;                    // its path
  std::vector<int> pids;
  std::optional<uint64_t> memory_bytes;
  std::optional<Limit> memory_limit;
  std::optional<uint64_t> oom_kills;
  std::optional<uint64_t> pids_current;
  std::optional<Limit> pids_max;
  std::optional<Pressure> memory_pressure;
};

Subject Of(const Container& c) {
  return {Label(c),       &c,          c.cgroup,       c.pids,     c.memory_bytes,
          c.memory_limit, c.oom_kills, c.pids_current, c.pids_max, c.memory_pressure};
}

// A cgroup by its systemd unit ("nginx.service"), else its path.
Subject Of(const Cgroup& c) {
  const std::string_view unit = SystemdUnit(c.path);
  return {unit.empty() ? c.path : std::string(unit),
          nullptr,
          c.path,
          c.pids,
          c.memory_bytes,
          c.memory_limit,
          c.oom_kills,
          c.pids_current,
          c.pids_max,
          c.memory_pressure};
}

Finding Base(const Subject& c, FindingKind kind, Severity severity) {
  Finding f;
  f.kind = kind;
  f.severity = severity;
  if (c.container != nullptr) {
    f.container = c.container->id;
  } else {
    f.cgroup = c.cgroup;
  }
  f.count = static_cast<int>(c.pids.size());
  f.pids = c.pids;
  return f;
}

uint64_t SubjectRss(const Snapshot& s, const Subject& c) {
  uint64_t rss = 0;
  for (int pid : c.pids) {
    if (const Process* p = s.FindProcess(pid)) rss += p->rss_bytes.value_or(0);
  }
  return rss;
}

// The cgroup's peak memory (v2 memory.peak, v1 max_usage_in_bytes), 0 when unknown.
uint64_t Peak(const Snapshot& s, const Subject& c) {
  const Cgroup* cg = s.FindCgroup(c.cgroup);
  return cg != nullptr ? cg->memory_peak_bytes.value_or(0) : 0;
}

bool HasLeak(const std::vector<Group>& groups, const Subject& c) {
  return std::any_of(groups.begin(), groups.end(), [&](const Group& g) {
    if (g.classification != Classification::kLeak) return false;
    return c.container != nullptr ? g.container == c.container->id
                                  : g.container.empty() && g.cgroup == c.cgroup;
  });
}

// How to set the limit: the runtime's command for a container, systemctl for a unit of the
// system's service manager, else the cgroup file.
std::string LimitAction(const Snapshot& s, const Subject& c, uint64_t limit) {
  const std::string_view unit = c.container == nullptr ? SystemdUnit(c.cgroup) : "";
  if (!unit.empty() && unit.find('/') == std::string_view::npos && !unit.ends_with(".slice")) {
    return fmt::format("systemctl set-property {} MemoryMax={}", ShellQuote(unit), limit);
  }
  return MemoryLimitAction(c.container, c.cgroup, limit, s.host().cgroup_mode);
}

// A cgroup outside containers without a limit gets no no_memory_limit: services mostly have none,
// by design.
void MemoryLimitFindings(const Snapshot& s, const Subject& c, const std::vector<Group>& groups,
                         const Thresholds& t, std::vector<Finding>* out) {
  if (c.pids.empty() || !c.memory_bytes) return;
  const uint64_t used = *c.memory_bytes;
  if (!c.memory_limit || c.memory_limit->unlimited()) {
    if (c.container == nullptr) return;
    const uint64_t total = s.host().mem_total_bytes.value_or(0);
    const bool big = total > 0 && used * 10 >= total;
    const bool leak = HasLeak(groups, c);
    Finding f =
        Base(c, FindingKind::kNoMemoryLimit, big || leak ? Severity::kWarning : Severity::kInfo);
    f.rss_bytes = SubjectRss(s, c);
    f.message = fmt::format("{} has no memory limit and uses {}", c.label, FormatBytes(used));
    if (total > 0) {
      f.evidence.push_back(
          fmt::format("{:.0f}% of the host's {}", 100.0 * used / total, FormatBytes(total)));
    }
    if (leak) f.evidence.push_back("it holds a leaking group: nothing stops it taking the host");
    const uint64_t limit = SuggestedMemoryLimit(used, Peak(s, c));
    f.action = fmt::format("set a limit sized from observed use ({} now): {}", FormatBytes(used),
                           LimitAction(s, c, limit));
    out->push_back(std::move(f));
    return;
  }
  const uint64_t limit = c.memory_limit->value();
  if (limit == 0) {
    // Not "no limit": the kernel fails every charge (reclaiming, then OOM-killing) so nothing in
    // it can allocate. Set by mistake (a 0 meant as "unlimited"), or a crafted file.
    Finding f = Base(c, FindingKind::kNearMemoryLimit, Severity::kCritical);
    f.rss_bytes = SubjectRss(s, c);
    f.message = fmt::format("{} has a memory limit of 0 B: every allocation in it fails", c.label);
    f.evidence.push_back(
        fmt::format("memory {} charged; memory.max (v2) or memory.limit_in_bytes "
                    "(v1) reads 0",
                    FormatBytes(used)));
    f.action =
        fmt::format("set the limit meant (0 does not mean unlimited), sized from observed use: {}",
                    LimitAction(s, c, SuggestedMemoryLimit(used, Peak(s, c))));
    out->push_back(std::move(f));
    return;
  }
  const double use = static_cast<double>(used) / static_cast<double>(limit);
  if (use < t.near_memory_limit) return;
  Finding f = Base(c, FindingKind::kNearMemoryLimit,
                   use >= t.critical_memory_limit ? Severity::kCritical : Severity::kWarning);
  f.rss_bytes = SubjectRss(s, c);
  f.message =
      fmt::format("{} uses {:.0f}% of its {} memory limit", c.label, use * 100, FormatBytes(limit));
  f.evidence.push_back(fmt::format("memory {} of {}; threshold {:.0f}%", FormatBytes(used),
                                   FormatBytes(limit), t.near_memory_limit * 100));
  f.action = HasLeak(groups, c)
                 ? "stop the leaking copies first (see the duplicate_chain finding)"
                 : fmt::format("raise the limit if this use is expected: {}",
                               LimitAction(s, c, SuggestedMemoryLimit(used, Peak(s, c))));
  out->push_back(std::move(f));
}

void CounterFindings(const Subject& c, const Thresholds& t, std::vector<Finding>* out) {
  if (c.oom_kills.value_or(0) > 0) {
    Finding f = Base(c, FindingKind::kOomKills, Severity::kWarning);
    f.message = fmt::format("the OOM killer killed {} process(es) in {}", *c.oom_kills, c.label);
    f.evidence.push_back("memory.events oom_kill (v2) or memory.oom_control oom_kill (v1)");
    f.action = "find what grew (duplicate chains, caches) before raising the limit";
    out->push_back(std::move(f));
  }
  if (c.pids_current && c.pids_max && !c.pids_max->unlimited() && c.pids_max->value() > 0) {
    const double use = static_cast<double>(*c.pids_current) / c.pids_max->value();
    if (use >= t.pids_near_limit) {
      Finding f = Base(c, FindingKind::kPidsNearLimit,
                       use >= 1.0 ? Severity::kCritical : Severity::kWarning);
      f.message =
          fmt::format("{} has {} of its {} tasks", c.label, *c.pids_current, c.pids_max->value());
      f.evidence.push_back("pids.current counts threads; new forks fail at pids.max");
      f.action = "stop surplus processes; raise pids.max only if the count is expected";
      out->push_back(std::move(f));
    }
  }
  if (c.memory_pressure && c.memory_pressure->some &&
      c.memory_pressure->some->avg60 >= t.memory_pressure_avg60) {
    const bool full =
        c.memory_pressure->full && c.memory_pressure->full->avg60 >= t.memory_pressure_avg60;
    Finding f =
        Base(c, FindingKind::kMemoryPressure, full ? Severity::kCritical : Severity::kWarning);
    f.message = fmt::format("{} stalled on memory {:.1f}% of the last minute", c.label,
                            c.memory_pressure->some->avg60);
    f.evidence.push_back(fmt::format(
        "memory.pressure some avg60={:.2f}{}", c.memory_pressure->some->avg60,
        c.memory_pressure->full ? fmt::format(" full avg60={:.2f}", c.memory_pressure->full->avg60)
                                : ""));
    f.action = "it is reclaiming or swapping: reduce its memory use or raise its limit";
    out->push_back(std::move(f));
  }
}

void RestartFindings(const Container& c, const Thresholds& t, std::vector<Finding>* out) {
  if (c.restart_count && *c.restart_count >= static_cast<uint64_t>(t.restart_loop_count)) {
    const bool looping = c.state == "restarting";
    Finding f =
        Base(Of(c), FindingKind::kRestartLoop, looping ? Severity::kCritical : Severity::kWarning);
    f.count = static_cast<int>(*c.restart_count);  // restarts, not processes
    f.message = fmt::format("{} has restarted {} times{}", Label(c), *c.restart_count,
                            looping ? " and is restarting now" : "");
    f.evidence.push_back(fmt::format("state {}, restart policy {}", c.state.empty() ? "?" : c.state,
                                     c.restart_policy.empty() ? "?" : c.restart_policy));
    if (c.started_at) f.evidence.push_back("last started " + FormatRfc3339(*c.started_at));
    f.action =
        fmt::format(fmt::runtime(RuntimeNamed(c.runtime).logs_action), NameOrShortId(c.name, c.id));
    out->push_back(std::move(f));
  }
}

}  // namespace

std::vector<Finding> ContainerFindings(const Snapshot& s, const std::vector<Group>& groups,
                                       const Thresholds& t) {
  std::vector<Finding> out;
  for (const Container& c : s.containers()) {
    const Subject subject = Of(c);
    MemoryLimitFindings(s, subject, groups, t, &out);
    CounterFindings(subject, t, &out);
    RestartFindings(c, t, &out);
  }
  return out;
}

std::vector<Finding> CgroupFindings(const Snapshot& s, const std::vector<Group>& groups,
                                    const Thresholds& t) {
  std::vector<Finding> out;
  for (const auto& [path, cgroup] : s.cgroups()) {
    if (cgroup.pids.empty()) continue;
    // The processes of a cgroup share their container (a container's cgroup holds only its own):
    // one outside any makes the cgroup the host's. Containers have findings of their own.
    const Process* member = s.FindProcess(cgroup.pids.front());
    if (member == nullptr || !member->container.empty()) continue;
    const Subject subject = Of(cgroup);
    MemoryLimitFindings(s, subject, groups, t, &out);
    CounterFindings(subject, t, &out);
  }
  return out;
}

}  // namespace procleak
