// SPDX-License-Identifier: Apache-2.0
#include "analysis/actions.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "base/text_format.h"
#include "fmt/format.h"
#include "model/runtimes.h"

namespace procleak {

std::string KillCommand(const std::vector<std::vector<int>>& chains) {
  std::string out = "kill -TERM";
  size_t listed = 0, total = 0;
  for (const std::vector<int>& pids : chains) {
    total += pids.size();
    // A chain lists its root first and descendants in tree order: reversed, leaves come first.
    for (auto it = pids.rbegin(); it != pids.rend() && listed < kMaxKillPids; ++it, ++listed) {
      out += fmt::format(" {}", *it);
    }
  }
  if (total > listed) {
    out += fmt::format(
        "; {} more processes: every pid is in the finding's pids (procleak scan --json), and "
        "procleak reap stops them all",
        total - listed);
  }
  return out;
}

ProcessMemory MemoryOf(const Snapshot& s, const std::vector<int>& pids) {
  ProcessMemory out;
  bool all_pss = s.stats().pss;
  uint64_t pss = 0;
  for (int pid : pids) {
    const Process* p = s.FindProcess(pid);
    if (p == nullptr) continue;
    out.rss_bytes += p->rss_bytes.value_or(0);
    if (p->pss_bytes) {
      pss += *p->pss_bytes;
    } else if (p->rss_bytes) {
      all_pss = false;
    }
  }
  if (all_pss) out.pss_bytes = pss;
  return out;
}

std::vector<int> SubtreePids(const Snapshot& s, int root) {
  std::vector<int> out;
  absl::flat_hash_set<int> listed;  // a parent cycle (corrupt input) comes back to a listed pid
  std::vector<int> stack = {root};
  while (!stack.empty()) {
    const int pid = stack.back();
    stack.pop_back();
    const Process* p = s.FindProcess(pid);
    if (p == nullptr || !listed.insert(pid).second) continue;
    out.push_back(pid);
    stack.insert(stack.end(), p->children.rbegin(), p->children.rend());
  }
  return out;
}

uint64_t SuggestedMemoryLimit(uint64_t current, uint64_t peak) {
  constexpr uint64_t kSmallStep = 256ull << 20;
  constexpr uint64_t kGiB = 1ull << 30;
  uint64_t basis = std::max(current, peak);
  uint64_t want = basis + basis / 4;
  // Small limits in 256 MiB steps, large ones in whole GiB ("124g", not "126720m").
  uint64_t step = want > 4 * kGiB ? kGiB : kSmallStep;
  uint64_t rounded = (want + step - 1) / step * step;
  return std::max(rounded, kSmallStep);
}

std::string ComposeSize(uint64_t bytes) {
  constexpr uint64_t kGiB = 1ull << 30;
  if (bytes % kGiB == 0) return fmt::format("{}g", bytes / kGiB);
  return fmt::format("{}m", bytes >> 20);
}

std::string MemoryLimitAction(const Container* container, const std::string& cgroup_path,
                              uint64_t limit, CgroupMode mode) {
  std::string size = ComposeSize(limit);
  if (container != nullptr) {
    const RuntimeRow& runtime = RuntimeNamed(container->runtime);
    if (!runtime.limit_action.empty()) {
      return fmt::format(fmt::runtime(runtime.limit_action), size,
                         ShellQuote(NameOrShortId(container->name, container->id)));
    }
  }
  std::string path = container != nullptr ? container->cgroup : cgroup_path;
  if (path == "/") path.clear();
  if (mode == CgroupMode::kV1 || mode == CgroupMode::kHybrid) {
    return fmt::format("echo {} > {}", limit,
                       ShellQuote("/sys/fs/cgroup/memory" + path + "/memory.limit_in_bytes"));
  }
  return fmt::format("echo {} > {}", limit, ShellQuote("/sys/fs/cgroup" + path + "/memory.max"));
}

}  // namespace procleak
