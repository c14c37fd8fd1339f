// SPDX-License-Identifier: Apache-2.0
#include "signature/chains.h"

#include <algorithm>
#include <deque>
#include <set>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "base/sort_unless_sorted.h"
#include "base/text_format.h"
#include "fmt/format.h"
#include "signature/signature.h"

namespace procleak {
namespace {

std::string JoinArgv(const std::vector<std::string>& argv) {
  size_t size = 0;
  for (const std::string& arg : argv) size += arg.size() + 1;
  std::string out;
  out.reserve(size);
  for (const std::string& arg : argv) {
    if (!out.empty()) out.push_back(' ');
    out.append(arg.data(), arg.size());
  }
  return out;
}

// " > sh > node": one link per level below the root; several programs at one level are listed
// sorted, "sh,python3". Past kSignatureHeadLevels + kSignatureTailLevels + 1 levels, the middle
// ones become one link that counts them and hashes what they would have shown.
std::string SignatureTail(const std::vector<std::set<std::string_view>>& levels) {
  std::string tail;
  auto append_level = [](const std::set<std::string_view>& level, auto&& append) {
    append(" > ");
    bool first = true;
    for (std::string_view program : level) {
      if (!first) append(",");
      first = false;
      append(program);
    }
  };
  auto to_tail = [&](std::string_view piece) { tail.append(piece.data(), piece.size()); };
  const size_t n = levels.size();
  const bool elide = n > kSignatureHeadLevels + kSignatureTailLevels + 1;
  const size_t tail_from = elide ? n - kSignatureTailLevels : n;
  for (size_t i = 0; i < n; ++i) {
    if (i == kSignatureHeadLevels && elide) {
      ShortHasher elided;
      for (; i < tail_from; ++i) {
        append_level(levels[i], [&](std::string_view piece) { elided.Add(piece); });
      }
      tail.append(fmt::format(" > ... ({} more links, #{})", tail_from - kSignatureHeadLevels,
                              elided.Hex()));
      if (i == n) break;
    }
    append_level(levels[i], to_tail);
  }
  return tail;
}

class ChainBuilder {
 public:
  ChainBuilder(const Snapshot& snapshot, const Rules& rules)
      : snapshot_(snapshot),
        rules_(RuleTableOf(rules)),
        procs_(snapshot.processes()),
        forms_(procs_.size(), &kNoForm),
        joins_(procs_.size(), false),
        live_children_(procs_.size(), 0),
        assigned_(procs_.size(), false),
        renames_or_ignores_(
            std::any_of(rules_.rules.begin(), rules_.rules.end(), [](const Rule& r) {
              return r.action == RuleAction::kIgnore || r.action == RuleAction::kName;
            })) {
    // Copies of one program share their command line: classify each distinct one once.
    absl::flat_hash_map<std::string, const CommandForm*> seen;
    std::string key;
    for (size_t i = 0; i < procs_.size(); ++i) {
      const Process& p = procs_[i];
      if (p.kernel_thread) continue;
      key.assign(p.comm);
      for (const std::string& arg : p.argv) {
        key.push_back('\0');
        key.append(arg);
      }
      auto [it, added] = seen.try_emplace(key, nullptr);
      if (added) it->second = &distinct_.emplace_back(ClassifyCommand(p.argv, p.comm));
      forms_[i] = it->second;
    }
    for (const Process& p : procs_) {
      const Process* parent = Live(p) ? snapshot_.FindProcess(p.ppid) : nullptr;
      if (parent != nullptr && parent != &p) ++live_children_[IndexOf(parent)];
    }
    for (size_t i = 0; i < procs_.size(); ++i) joins_[i] = JoinsParent(procs_[i]);
  }

  std::vector<SpawnChain> Build() {
    chains_.reserve(procs_.size());  // at most one chain per process
    // Roots in pid order; then whatever is left, which can only be parent cycles of wrappers in
    // corrupt input (every member "joins" its parent), each cut where it is first met.
    for (size_t i = 0; i < procs_.size(); ++i) {
      if (!procs_[i].kernel_thread && !joins_[i] && !assigned_[i]) AddChain(i);
    }
    for (size_t i = 0; i < procs_.size(); ++i) {
      if (!procs_[i].kernel_thread && !assigned_[i]) AddChain(i);
    }
    // Roots are met in pid order, so this mostly finds them sorted.
    SortUnlessSorted(
        chains_, [](const SpawnChain& a, const SpawnChain& b) { return a.root_pid < b.root_pid; });
    return std::move(chains_);
  }

 private:
  size_t IndexOf(const Process* p) const { return static_cast<size_t>(p - procs_.data()); }

  bool JoinsParent(const Process& p) const {
    if (p.kernel_thread) return false;
    const Process* parent = snapshot_.FindProcess(p.ppid);
    if (parent == nullptr || parent == &p || parent->kernel_thread) return false;
    if (!forms_[IndexOf(parent)]->wrapper || parent->container != p.container) return false;
    // No chain crosses a cgroup: a kill list made from it must not either.
    if (p.container.empty() && parent->cgroup != p.cgroup) return false;
    // Orphans are reparented to an init; an init never continues a chain, even a wrapper-like one.
    if (parent->pid == 1 || parent->ns_pid == 1) return false;
    if (!p.container.empty()) {
      const Container* c = snapshot_.FindContainer(p.container);
      if (c != nullptr && c->init_pid == parent->pid) return false;
    }
    // A wrapper launches one program and waits for it; a shell with several children runs a
    // script of its own, and each child roots its own chain.
    if (live_children_[IndexOf(parent)] > (Live(p) ? 1 : 0)) return false;
    return p.starttime_ticks >= parent->starttime_ticks;
  }

  static bool Live(const Process& p) { return p.state != 'Z' && p.state != 'X'; }

  // Collects the chain rooted at `root` in preorder (iteratively: chains can be 10,000 deep)
  // and appends it unless an ignore rule matches.
  void AddChain(size_t root) {
    SpawnChain chain;
    chain.root_pid = procs_[root].pid;
    chain.container = procs_[root].container;
    std::vector<std::set<std::string_view>> levels;  // programs at depth 1, 2, ...
    std::vector<std::pair<size_t, size_t>> stack = {{root, 0}};
    assigned_[root] = true;
    while (!stack.empty()) {
      auto [at, depth] = stack.back();
      stack.pop_back();
      chain.pids.push_back(procs_[at].pid);
      if (depth > 0) {
        if (levels.size() < depth) levels.resize(depth);
        levels[depth - 1].insert(forms_[at]->program);
      }
      const std::vector<int>& children = procs_[at].children;
      for (auto it = children.rbegin(); it != children.rend(); ++it) {
        const Process* child = snapshot_.FindProcess(*it);
        if (child == nullptr) continue;
        size_t c = IndexOf(child);
        if (joins_[c] && !assigned_[c]) {
          assigned_[c] = true;
          stack.emplace_back(c, depth + 1);
        }
      }
    }

    const std::string tail = SignatureTail(levels);
    const Process& p = procs_[root];
    chain.root_signature = BoundText(forms_[root]->signature, kMaxRootSignatureBytes);
    chain.signature = BoundText(chain.root_signature + tail, kMaxSignatureBytes);

    if (!renames_or_ignores_) {
      chains_.push_back(std::move(chain));
      return;
    }
    std::string cmdline = JoinArgv(p.argv);
    RuleSubject subject;
    subject.cmdline = cmdline;
    subject.comm = p.comm;
    subject.exe = p.exe;
    subject.signature = chain.signature;
    subject.container = p.container;
    if (const Container* c = p.container.empty() ? nullptr : snapshot_.FindContainer(p.container)) {
      subject.container_name = c->name;
    }
    if (rules_.Match(RuleAction::kIgnore, subject) != nullptr) return;
    if (const Rule* name = rules_.Match(RuleAction::kName, subject)) {
      chain.root_signature = BoundText(name->name, kMaxRootSignatureBytes);
      chain.signature = BoundText(chain.root_signature + tail, kMaxSignatureBytes);
    }
    chains_.push_back(std::move(chain));
  }

  const Snapshot& snapshot_;
  const RuleTable& rules_;
  std::span<const Process> procs_;
  static inline const CommandForm kNoForm{};  // a kernel thread's
  std::deque<CommandForm> distinct_;          // stable addresses for forms_
  std::vector<const CommandForm*> forms_;
  std::vector<bool> joins_;
  std::vector<int> live_children_;  // children that are neither zombies nor dead
  std::vector<bool> assigned_;
  std::vector<SpawnChain> chains_;
  // Whether a rule may drop or rename a chain; if none does (the built-in rules), no chain needs
  // its command line joined for matching.
  const bool renames_or_ignores_;
};

}  // namespace

std::vector<SpawnChain> BuildChains(const Snapshot& snapshot, const Rules& rules) {
  return ChainBuilder(snapshot, rules).Build();
}

}  // namespace procleak
