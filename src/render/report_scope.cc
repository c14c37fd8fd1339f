// SPDX-License-Identifier: Apache-2.0
#include "render/report_scope.h"

#include <vector>

#include "absl/status/status.h"
#include "base/terminal_text.h"
#include "fmt/format.h"
#include "model/container_match.h"

namespace procleak {

std::string NormalizeCgroupPath(std::string_view path) {
  std::string out = path.empty() || path.front() != '/' ? "/" : "";
  out.append(path);
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

bool CgroupUnder(std::string_view path, std::string_view under) {
  if (under == "/") return true;
  if (path.substr(0, under.size()) != under) return false;
  return path.size() == under.size() || path[under.size()] == '/';
}

absl::StatusOr<ReportScope> ReportScope::Make(const Snapshot& s, const ReportFilter& filter) {
  ReportScope scope;
  if (filter.empty()) return scope;
  scope.all_ = false;
  std::vector<std::string> parts;
  if (!filter.container.empty()) {
    for (const Container& c : s.containers()) {
      if (ContainerNamed(c.id, c.verified ? c.name : "", filter.container)) {
        scope.containers_.insert(c.id);
      }
    }
    if (scope.containers_.empty()) {
      return absl::InvalidArgumentError(
          fmt::format("container '{}': no such container in the scan (a name, an id or an id "
                      "prefix; the CONTAINER table lists them)",
                      filter.container));
    }
    parts.push_back(fmt::format("container {}", filter.container));
  }
  if (filter.uid) {
    parts.push_back(filter.user == std::to_string(*filter.uid)
                        ? fmt::format("uid {}", *filter.uid)
                        : fmt::format("user {} (uid {})", filter.user, *filter.uid));
  }
  const std::string cgroup =
      filter.cgroup.empty() ? std::string() : NormalizeCgroupPath(filter.cgroup);
  if (!cgroup.empty()) parts.push_back(fmt::format("cgroup {} and below", cgroup));
  const absl::flat_hash_set<std::string> named = scope.containers_;
  scope.containers_.clear();
  for (const Process& p : s.processes()) {
    if (!filter.container.empty() && !named.contains(p.container)) continue;
    if (filter.uid && p.uid != filter.uid) continue;
    if (!cgroup.empty() && !CgroupUnder(p.cgroup, cgroup)) continue;
    scope.pids_.insert(p.pid);
    if (!p.container.empty()) scope.containers_.insert(p.container);
    scope.cgroups_.insert(p.cgroup);
  }
  // The container asked for is shown even when it holds no process now, with its own cgroup.
  if (!filter.uid && cgroup.empty()) {
    for (const Container& c : s.containers()) {
      if (!named.contains(c.id)) continue;
      scope.containers_.insert(c.id);
      if (!c.cgroup.empty()) scope.cgroups_.insert(c.cgroup);
    }
  }
  std::string joined;
  for (const std::string& part : parts) joined += (joined.empty() ? "" : ", ") + part;
  scope.note_ = SanitizeForTerminal(fmt::format("showing only {}: {} of {} processes", joined,
                                                scope.pids_.size(), s.processes().size()));
  return scope;
}

bool ReportScope::ShowsFinding(const Finding& f, const Analysis& analysis) const {
  if (all_) return true;
  for (int pid : f.pids) {
    if (pids_.contains(pid)) return true;
  }
  if (!f.signature.empty()) {
    for (const Group& g : analysis.groups) {
      if (g.signature != f.signature || g.container != f.container || g.cgroup != f.cgroup) {
        continue;
      }
      for (const Chain& c : g.chains) {
        for (int pid : c.pids) {
          if (pids_.contains(pid)) return true;
        }
      }
    }
    return false;
  }
  if (!f.container.empty()) return containers_.contains(f.container);
  if (!f.cgroup.empty()) return cgroups_.contains(f.cgroup);
  return false;
}

}  // namespace procleak
