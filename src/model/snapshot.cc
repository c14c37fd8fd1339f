// SPDX-License-Identifier: Apache-2.0
#include "procleak/snapshot.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "base/sort_unless_sorted.h"

namespace procleak {
namespace {

// Post-order walk from `root`, iterative so 10,000-deep chains cannot overflow the stack. Each
// finished node adds into the frame that pushed it, and `done` keeps a node from being entered
// twice, so parent cycles in corrupt input terminate and count every process once.
void Aggregate(std::vector<Process>& procs, const absl::flat_hash_map<int, size_t>& index,
               size_t root, std::vector<bool>& done) {
  struct Frame {
    size_t at;
    size_t next_child;
  };
  auto enter = [&](size_t at) {
    done[at] = true;
    procs[at].descendants = 0;
    procs[at].subtree_rss_bytes = procs[at].rss_bytes.value_or(0);
  };
  enter(root);
  std::vector<Frame> stack{{root, 0}};
  while (!stack.empty()) {
    Frame& top = stack.back();
    const Process& p = procs[top.at];
    if (top.next_child < p.children.size()) {
      size_t child = index.at(p.children[top.next_child++]);
      if (!done[child]) {
        enter(child);
        stack.push_back({child, 0});
      }
      continue;
    }
    const Process& finished = procs[top.at];
    stack.pop_back();
    if (stack.empty()) break;
    Process& parent = procs[stack.back().at];
    parent.descendants += 1 + finished.descendants;
    parent.subtree_rss_bytes += finished.subtree_rss_bytes;
  }
}

}  // namespace

const char* CgroupModeName(CgroupMode mode) {
  switch (mode) {
    case CgroupMode::kV1:
      return "v1";
    case CgroupMode::kV2:
      return "v2";
    case CgroupMode::kHybrid:
      return "hybrid";
    case CgroupMode::kNone:
      break;
  }
  return "none";
}

Snapshot Snapshot::Build(Host host, std::vector<Process> processes, std::vector<Cgroup> cgroups,
                         ScanStats stats, std::vector<Container> containers) {
  Snapshot s;
  s.host_ = std::move(host);
  s.stats_ = stats;
  SortUnlessSorted(processes, [](const Process& a, const Process& b) { return a.pid < b.pid; });
  // A pid listed twice (corrupt input) keeps its first record.
  processes.erase(std::unique(processes.begin(), processes.end(),
                              [](const Process& a, const Process& b) { return a.pid == b.pid; }),
                  processes.end());
  s.processes_ = std::move(processes);
  s.index_.reserve(s.processes_.size());
  for (size_t i = 0; i < s.processes_.size(); ++i) {
    s.processes_[i].children.clear();
    s.index_.emplace(s.processes_[i].pid, i);
  }
  for (Process& p : s.processes_) {
    auto parent = s.index_.find(p.ppid);
    if (p.ppid == p.pid || parent == s.index_.end()) {
      s.roots_.push_back(p.pid);
    } else {
      // Iterating in pid order keeps every children list sorted.
      s.processes_[parent->second].children.push_back(p.pid);
    }
  }
  s.AggregateAll();
  for (Cgroup& cgroup : cgroups) {
    std::string path = cgroup.path;
    s.cgroups_.emplace(std::move(path), std::move(cgroup));
  }
  std::sort(containers.begin(), containers.end(), [](const Container& a, const Container& b) {
    return std::tie(a.runtime, a.id) < std::tie(b.runtime, b.id);
  });
  s.containers_ = std::move(containers);
  return s;
}

void Snapshot::AggregateAll() {
  std::vector<bool> done(processes_.size(), false);
  for (int root : roots_) Aggregate(processes_, index_, index_.at(root), done);
  // What is left unvisited sits on a parent cycle: walk it from its lowest pid.
  for (size_t i = 0; i < processes_.size(); ++i) {
    if (!done[i]) Aggregate(processes_, index_, i, done);
  }
}

Snapshot Snapshot::WithRss(const absl::flat_hash_map<int, uint64_t>& rss) && {
  for (const auto& [pid, bytes] : rss) {
    auto it = index_.find(pid);
    if (it != index_.end()) processes_[it->second].rss_bytes = bytes;
  }
  if (!rss.empty()) AggregateAll();
  return std::move(*this);
}

Snapshot Snapshot::WithNsPids(const absl::flat_hash_map<int, int>& ns_pids) && {
  for (const auto& [pid, ns_pid] : ns_pids) {
    auto it = index_.find(pid);
    if (it != index_.end()) processes_[it->second].ns_pid = ns_pid;
  }
  return std::move(*this);
}

const Container* Snapshot::FindContainer(const std::string& id) const {
  for (const Container& c : containers_) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

const Process* Snapshot::FindProcess(int pid) const {
  auto it = index_.find(pid);
  return it == index_.end() ? nullptr : &processes_[it->second];
}

const Cgroup* Snapshot::FindCgroup(const std::string& path) const {
  auto it = cgroups_.find(path);
  return it == cgroups_.end() ? nullptr : &it->second;
}

}  // namespace procleak
