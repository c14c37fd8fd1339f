// SPDX-License-Identifier: Apache-2.0
// RenderTree: the process tree with subtree totals, identical sibling chains collapsed.

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "base/text_format.h"
#include "fmt/format.h"
#include "render/findings_text.h"
#include "render/style.h"
#include "render/subtree.h"
#include "render/text_report.h"

namespace procleak {
namespace {

constexpr int kMaxIndent = 12;  // deeper chains keep their depth as a number instead

constexpr size_t kMinMiddle = 16;  // a shortened signature keeps at least this much

// A tree line's text after the pid: `middle` is shortened to fit, `head` and `tail` are kept.
struct Label {
  std::string head, middle, tail;
};

// Sibling chains of one group under one parent, shown as one line.
struct Collapsed {
  const Group* group = nullptr;
  int chains = 0;
  int orphaned = 0;
  int processes = 0;
  uint64_t rss = 0;
  bool printed = false;
  bool last_line = false;  // no other sibling follows its first chain: drawn with "`- "
};

class TreePrinter {
 public:
  // `visible`: the pids that have lines; null: all.
  TreePrinter(const Snapshot& s, const Analysis* analysis, size_t width,
              const absl::flat_hash_set<int>* visible)
      : s_(s), width_(width), visible_(visible) {
    if (analysis == nullptr) return;
    for (const Group& g : analysis->groups) {
      if (g.count < 2) continue;
      for (const Chain& c : g.chains) {
        const Process* root = s.FindProcess(c.root_pid);
        // Only chains that are their whole subtree fold: a containerd shim's chain is one
        // process, but the container under it must stay visible.
        if (root == nullptr || 1 + static_cast<size_t>(root->descendants) != c.pids.size()) {
          continue;
        }
        group_of_root_[c.root_pid] = &g;
        Collapsed& k = collapsed_[{root->ppid, &g}];
        k.group = &g;
        ++k.chains;
        k.orphaned += c.orphaned ? 1 : 0;
        k.processes += 1 + root->descendants;
        k.rss += root->subtree_rss_bytes;
      }
    }
    for (auto& [key, k] : collapsed_) k.last_line = OnlyMembersFollow(key.first, key.second);
  }

  std::string From(int pid, bool fold_kernel_threads) {
    std::string out;
    std::vector<bool> last_at_depth;
    int hidden_below = -1;  // while >= 0, entries deeper than it are hidden
    for (TreeEntry entry : WalkSubtree(s_, pid)) {
      walked_.insert(entry.process->pid);
      if (hidden_below >= 0 && entry.depth > hidden_below) continue;
      hidden_below = -1;
      if (visible_ != nullptr) {
        if (!visible_->contains(entry.process->pid)) {
          hidden_below = entry.depth;
          continue;
        }
        entry.last_sibling = LastShown(*entry.process);
      }
      if (last_at_depth.size() <= static_cast<size_t>(entry.depth)) {
        last_at_depth.resize(entry.depth + 1);
      }
      last_at_depth[entry.depth] = entry.last_sibling;
      const Process& p = *entry.process;
      if (Collapsed* k = CollapsedFor(p, entry.depth)) {
        hidden_below = entry.depth;
        if (k->printed) continue;
        k->printed = true;
        TreeEntry shown = entry;
        shown.last_sibling = k->last_line;
        last_at_depth[entry.depth] = k->last_line;
        out += Line(shown, last_at_depth, k->processes, k->rss, "", CollapsedLabel(*k));
        continue;
      }
      bool fold = fold_kernel_threads && p.kernel_thread && p.descendants > 0;
      Label label{SanitizeForTerminal(CommandLine(p.argv, p.comm)), "", ""};
      if (fold) label.head += fmt::format(" (+{} kernel threads)", p.descendants);
      out += Line(entry, last_at_depth, 1 + p.descendants, p.subtree_rss_bytes,
                  fmt::format("{} ", p.pid), label);
      if (fold) hidden_below = entry.depth;
    }
    return out;
  }

  // Whether a walk so far went through `pid` (printed, folded or collapsed).
  bool Walked(int pid) const { return walked_.contains(pid); }

 private:
  // Whether no later sibling of `p` has a line, in a filtered tree.
  bool LastShown(const Process& p) const {
    const Process* parent = s_.FindProcess(p.ppid);
    if (parent == nullptr) return true;
    auto later = std::upper_bound(parent->children.begin(), parent->children.end(), p.pid);
    return std::none_of(later, parent->children.end(),
                        [&](int child) { return visible_->contains(child); });
  }

  // Whether nothing is printed under `parent` after the collapsed line of `group`: every later
  // child roots a chain of a collapsed line that is printed no later than this one.
  bool OnlyMembersFollow(int parent, const Group* group) const {
    const Process* p = s_.FindProcess(parent);
    if (p == nullptr) return false;
    std::map<const Group*, size_t> first;  // collapsed line -> index of its first chain
    std::vector<const Group*> line_of(p->children.size(), nullptr);
    for (size_t i = 0; i < p->children.size(); ++i) {
      auto it = group_of_root_.find(p->children[i]);
      if (it == group_of_root_.end()) continue;
      auto k = collapsed_.find({parent, it->second});
      if (k == collapsed_.end() || k->second.chains < 2) continue;
      line_of[i] = it->second;
      first.try_emplace(it->second, i);
    }
    auto mine = first.find(group);
    if (mine == first.end()) return false;
    for (size_t i = mine->second + 1; i < p->children.size(); ++i) {
      if (line_of[i] == nullptr || first[line_of[i]] > mine->second) return false;
    }
    return true;
  }

  // The collapsed line `p` belongs to, when it roots one of two or more sibling chains of a
  // group (the start of a --pid subtree is never collapsed).
  Collapsed* CollapsedFor(const Process& p, int depth) {
    if (depth == 0) return nullptr;
    auto group = group_of_root_.find(p.pid);
    if (group == group_of_root_.end()) return nullptr;
    auto it = collapsed_.find({p.ppid, group->second});
    return it != collapsed_.end() && it->second.chains >= 2 ? &it->second : nullptr;
  }

  // "9x npm exec @scope/x > sh > node (of 20: 3 orphaned)": the signature is what gets
  // shortened when the line is too long.
  static Label CollapsedLabel(const Collapsed& k) {
    const int orphaned = k.orphaned;
    // Only the chain's root part is shortened: "npm exec @mod~filesystem > sh > node".
    std::string signature = SanitizeForTerminal(k.group->signature);
    size_t rest = signature.find(" > ");
    if (rest == std::string::npos) rest = signature.size();
    Label label{fmt::format("{}x ", k.chains), signature.substr(0, rest), signature.substr(rest)};
    if (k.group->count != k.chains || orphaned > 0) {
      label.tail += fmt::format(" (of {}{})", k.group->count,
                                orphaned > 0 ? fmt::format(": {} orphaned", orphaned) : "");
    }
    return label;
  }

  std::string Line(const TreeEntry& entry, const std::vector<bool>& last_at_depth, int processes,
                   uint64_t rss, const std::string& pid, const Label& label) const {
    std::string prefix;
    int depth = std::min(entry.depth, kMaxIndent);
    for (int d = 1; d < depth; ++d) prefix += last_at_depth[d] ? "   " : "|  ";
    if (entry.depth > 0) prefix += entry.last_sibling ? "`- " : "|- ";
    if (entry.depth > kMaxIndent) prefix += fmt::format("[depth {}] ", entry.depth);
    std::string start =
        fmt::format("{:>6}  {:>10}  {}{}{}", processes, FormatBytes(rss), prefix, pid, label.head);
    size_t used = DisplayWidth(start) + DisplayWidth(label.tail);
    size_t room = std::max<size_t>(width_ > used ? width_ - used : 0, kMinMiddle);
    return ShortenEnd(start + ShortenMiddle(label.middle, room) + label.tail, width_) + "\n";
  }

  const Snapshot& s_;
  const size_t width_;
  const absl::flat_hash_set<int>* const visible_;
  absl::flat_hash_map<int, const Group*> group_of_root_;
  std::map<std::pair<int, const Group*>, Collapsed> collapsed_;
  absl::flat_hash_set<int> walked_;
};

}  // namespace

std::string RenderTree(const Snapshot& snapshot, const TextOptions& options) {
  Style style(options.color);
  std::string out = ProcHiddenLines(snapshot, options.color, options.width);
  // A filtered tree keeps the shown processes and, to show where they hang, their ancestors.
  absl::flat_hash_set<int> visible;
  const bool filtered = options.scope != nullptr && !options.scope->all();
  if (filtered) {
    out += style.Bold(Wrap(options.scope->note(), options.width, "  ")) + "\n";
    for (const Process& p : snapshot.processes()) {
      if (!options.scope->Shows(p)) continue;
      for (const Process* up = &p; up != nullptr && visible.insert(up->pid).second;
           up = snapshot.FindProcess(up->ppid)) {
      }
    }
  }
  out += style.Bold(ShortenEnd(
             fmt::format("{:>6}  {:>10}  {}", "PROCS", "RSS", "PID COMMAND (subtree totals)"),
             options.width)) +
         "\n";
  TreePrinter printer(snapshot, options.analysis, options.width, filtered ? &visible : nullptr);
  if (options.subtree_of) return out + printer.From(*options.subtree_of, false);
  for (int root : snapshot.roots()) out += printer.From(root, true);
  // Processes on a parent cycle (corrupt input) hang below no root: each cycle from its lowest
  // pid, so that every process still appears once.
  for (const Process& p : snapshot.processes()) {
    if (!printer.Walked(p.pid)) out += printer.From(p.pid, true);
  }
  return out;
}

}  // namespace procleak
