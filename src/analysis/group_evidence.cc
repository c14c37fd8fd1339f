// SPDX-License-Identifier: Apache-2.0
#include "analysis/group_evidence.h"

#include <algorithm>
#include <functional>
#include <string_view>
#include <vector>

#include "analysis/lineage.h"
#include "base/sort_unless_sorted.h"
#include "base/text_format.h"
#include "fmt/format.h"
#include "signature/signature.h"

namespace procleak {
namespace {

// /proc/PID/stat start times are in USER_HZ, which Linux fixes at 100 for user space. One parent
// forking a batch (a pre-fork loop, `make -j`, a shell's `a & b &`) starts each copy within a few
// milliseconds of the one before, tens of milliseconds on a loaded host; a spawner starting
// copies on a timer or on demand leaves at least its interval between them (100 ms or more), and
// load only stretches that. So a copy that started less than 80 ms after the previous one joins
// its batch. This orders starts; it never decides which chain or group a process belongs to.
constexpr uint64_t kBatchGapTicks = 8;

std::string JoinArgv(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& arg : argv) {
    if (!out.empty()) out.push_back(' ');
    out += arg;
  }
  return out;
}

// What the rules see of a group: its first chain's root process and its container.
class GroupSubject {
 public:
  GroupSubject(const Snapshot& s, const SpawnChain& first, const Group& g) {
    const Process* root = s.FindProcess(first.root_pid);
    const Container* container = g.container.empty() ? nullptr : s.FindContainer(g.container);
    if (root != nullptr) {
      cmdline_ = JoinArgv(root->argv);
      subject_.comm = root->comm;
      subject_.exe = root->exe;
    }
    subject_.cmdline = cmdline_;
    subject_.signature = g.signature;
    subject_.container = g.container;
    if (container != nullptr) subject_.container_name = container->name;
  }
  GroupSubject(const GroupSubject&) = delete;
  GroupSubject& operator=(const GroupSubject&) = delete;
  const RuleSubject& get() const { return subject_; }

 private:
  std::string cmdline_;
  RuleSubject subject_;
};

// Programs that run N jobs at a time and start the next when one ends (`make -j`, `xargs -P`):
// their children started at different times because earlier ones finished, not because they
// are kept.
bool IsJobRunner(const Process& p) {
  static constexpr std::string_view kRunners[] = {"make",     "gmake", "xargs",
                                                  "parallel", "ninja", "samu"};
  return std::find(std::begin(kRunners), std::end(kRunners), p.comm) != std::end(kRunners);
}

// Whether `root` (of chain `c`) has a live child outside its chain: it started programs of its
// own, as a client starts its servers or a supervisor its workers. An idle leaked copy does not;
// a copy whose server drives a browser does so below the chain's root, not at it.
bool StartsChainsOfItsOwn(const Snapshot& s, const Process& root, const Chain& c) {
  return std::any_of(root.children.begin(), root.children.end(), [&](int pid) {
    const Process* child = s.FindProcess(pid);
    return child != nullptr && child->state != 'Z' && child->state != 'X' &&
           std::find(c.pids.begin(), c.pids.end(), pid) == c.pids.end();
  });
}

// Start times grouped into spawn events (see kBatchGapTicks): how many, and the largest.
struct SpawnEvents {
  int count = 0;
  int largest = 0;
};

SpawnEvents EventsOf(std::vector<uint64_t> starts) {
  SortUnlessSorted(starts, std::less<uint64_t>());  // chains come oldest first
  SpawnEvents e;
  int size = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    if (i == 0 || starts[i] - starts[i - 1] >= kBatchGapTicks) {
      ++e.count;
      size = 0;
    }
    e.largest = std::max(e.largest, ++size);
  }
  return e;
}

// "pid 2102 (node /app/hub.js)", the command line bounded (renderers escape it).
std::string Described(const Process& p) {
  return fmt::format("{} ({})", PidText(p), ShortenEnd(CommandLine(p.argv, p.comm), 60));
}

std::string Plural(int n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

struct Facts {
  int orphaned = 0;
  int wrapper_chains = 0;
  size_t shortest = 0, longest = 0;  // processes per chain
  SpawnEvents live_events;           // of the chains whose spawner is alive
  SpawnEvents all_events;
  int forked = 0;         // live chains forked from a spawner running the same program
  int sessions = 0;       // live chains rooted in a terminal session's leader
  int spawning = 0;       // live chains whose root started chains of its own
  int adopter = 0;        // the init the orphaned chains were reparented to (the first one's)
  int in_init_group = 0;  // chains in the process group their init parent leads (kInit)
  const Process* spawner = nullptr;
};

Facts Gather(const Snapshot& s, const Group& g) {
  Facts f;
  if (g.origin != Origin::kGone) f.spawner = s.FindProcess(g.spawner_pid);
  std::string spawner_signature, root_signature;
  std::vector<uint64_t> live_starts, all_starts;
  f.shortest = g.chains.front().pids.size();
  for (const Chain& c : g.chains) {
    f.shortest = std::min(f.shortest, c.pids.size());
    f.longest = std::max(f.longest, c.pids.size());
    if (c.pids.size() > 1) ++f.wrapper_chains;
    const Process* root = s.FindProcess(c.root_pid);
    if (root == nullptr) continue;
    all_starts.push_back(root->starttime_ticks);
    if (root->pgid == root->ppid && root->pgid != root->pid) ++f.in_init_group;
    if (c.orphaned) {
      ++f.orphaned;
      if (f.adopter == 0) f.adopter = c.spawner_pid;
      continue;
    }
    live_starts.push_back(root->starttime_ticks);
    if ((root->sid == root->pid && root->tty_nr != 0) || IsInteractiveShell(root->argv)) {
      ++f.sessions;
    }
    if (StartsChainsOfItsOwn(s, *root, c)) ++f.spawning;
    const Process* sp = f.spawner;
    if (sp == nullptr || sp->comm != root->comm ||
        (!sp->exe.empty() && !root->exe.empty() && sp->exe != root->exe)) {
      continue;
    }
    // Same name and executable: forked without exec, unless it exec'd the same interpreter with
    // another program (`python3 sup.py` starting `python3 server.py`). A fork that renamed
    // itself (`nginx: worker process`) shows one argument.
    if (spawner_signature.empty()) {
      spawner_signature = ClassifyCommand(sp->argv, sp->comm).signature;
      root_signature = ClassifyCommand(root->argv, root->comm).signature;
    }
    if (root->argv.size() <= 1 || spawner_signature == root_signature) ++f.forked;
  }
  f.live_events = EventsOf(std::move(live_starts));
  f.all_events = EventsOf(std::move(all_starts));
  return f;
}

// Who started the chains, as one line.
std::string LineageEvidence(const Snapshot& s, const Group& g, const Facts& f) {
  const Process* adopter = s.FindProcess(f.adopter);
  const std::string reparented =
      adopter != nullptr
          ? fmt::format("reparented to {}, {}", Described(*adopter), InitDescription(s, *adopter))
          : std::string("their parent is not in the scan");
  switch (g.origin) {
    case Origin::kGone:
      return fmt::format("spawner gone: {}; they were left in process group {}", reparented,
                         g.process_group);
    case Origin::kInit:
      if (f.spawner == nullptr) return "started by an init";
      return fmt::format(
          "started by {}, {}, {}", Described(*f.spawner), InitDescription(s, *f.spawner),
          f.in_init_group == 0         ? "as services: each leads its own process group "
                                         "or session"
          : f.in_init_group == g.count ? "in the process group it leads itself (jobs of its own)"
                                       : "as services or as jobs in the process group it leads");
    case Origin::kSpawner:
      break;
  }
  if (f.spawner == nullptr) return "started by the kernel";
  std::string out = "spawned by " + Described(*f.spawner);
  if (InitRoleOf(s, *f.spawner) == InitRole::kSpawner) out += ", the container's init";
  if (f.orphaned > 0) {
    out +=
        fmt::format("; {} left behind by earlier instances of its program (older than {}), {}",
                    Plural(f.orphaned, "copy was", "copies were"), PidText(*f.spawner), reparented);
  }
  return out;
}

// "started together in one batch", "started in 5 separate spawn events and all kept", "started
// in 2 spawn events, 3 of 4 in one batch".
std::string EventsEvidence(const SpawnEvents& e, int copies, std::string_view kept) {
  if (e.count == 1) return "started together in one batch";
  if (e.largest > 1) {
    return fmt::format("started in {} spawn events, {} of {} in one batch", e.count, e.largest,
                       copies);
  }
  return fmt::format("started in {} separate spawn events{}{}", e.count, kept.empty() ? "" : " ",
                     kept);
}

void AddEvidence(const Snapshot& s, const Group& g, const Facts& f, std::vector<std::string>* ev) {
  ev->push_back(LineageEvidence(s, g, f));
  if (f.wrapper_chains > 0) {
    ev->push_back(
        fmt::format("{} of {} are wrapper chains ({} processes each)", f.wrapper_chains, g.count,
                    f.shortest == f.longest ? fmt::format("{}", f.longest)
                                            : fmt::format("{}-{}", f.shortest, f.longest)));
  }
  const int live = g.count - f.orphaned;
  if (f.spawner != nullptr && g.origin == Origin::kSpawner && live > 0) {
    if (f.forked == live) {
      ev->push_back("forked by a parent running the same program (pre-forked workers)");
    } else if (f.forked == 0) {
      ev->push_back("exec'd a program other than their parent's");
    }
  }
  if (f.spawner != nullptr && g.origin == Origin::kSpawner && IsJobRunner(*f.spawner)) {
    ev->push_back(
        fmt::format("started by a parallel job runner ({}), which starts a job when "
                    "another ends",
                    f.spawner->comm));
  }
  if (f.spawning > 0 && f.spawning == live) {
    ev->push_back("each started programs of its own (clients or supervisors, not idle copies)");
  }
  if (f.sessions > 0 && f.sessions == live) {
    ev->push_back(
        "each is a session: an interactive shell, or the leader of a terminal session (a login "
        "or a terminal multiplexer's window)");
  }
  if (live > 1) {
    ev->push_back(EventsEvidence(f.live_events, live, "and all kept"));
  } else if (g.origin == Origin::kGone && g.count > 1) {
    ev->push_back(EventsEvidence(f.all_events, g.count, ""));
  }
}

Classification Decide(const Group& g, const Facts& f) {
  const int live = g.count - f.orphaned;
  if (g.expected) {
    if (g.count > *g.expected || f.orphaned > 0) {
      return g.origin == Origin::kGone && g.count == 1 ? Classification::kSingle
                                                       : Classification::kLeak;
    }
    return g.count == 1 ? Classification::kSingle : Classification::kPool;
  }
  if (g.count == 1) return Classification::kSingle;
  if (g.origin == Origin::kGone || f.orphaned > 0) return Classification::kLeak;
  if (g.origin == Origin::kInit || f.spawner == nullptr || IsJobRunner(*f.spawner)) {
    return Classification::kPool;
  }
  // Mostly one batch: a pool, whose manager may have replaced a worker since.
  if (f.sessions == live || f.spawning == live || f.forked == live ||
      2 * f.live_events.largest > live) {
    return Classification::kPool;
  }
  return Classification::kLeak;
}

}  // namespace

void ClassifyGroup(const Snapshot& s, const Rules& rules, const SpawnChain& first, Group* g) {
  GroupSubject subject(s, first, *g);
  const RuleTable& table = RuleTableOf(rules);
  const Rule* expect = table.Match(RuleAction::kExpect, subject.get());
  const Rule* pool = table.Match(RuleAction::kPool, subject.get());
  // An expect rule and a pool rule may both match: the one listed first wins (file rules come
  // before the built-in ones, so a user's pool overrides a built-in expectation).
  if (pool != nullptr && expect != nullptr && expect < pool) pool = nullptr;
  if (pool == nullptr && expect != nullptr) g->expected = expect->expected;
  if (g->count == 1 && !g->expected) {
    g->classification = Classification::kSingle;
    return;
  }
  const Facts f = Gather(s, *g);
  std::vector<std::string>& ev = g->evidence;
  if (g->expected) {
    ev.push_back(fmt::format("{} where {} expected per spawner ({})",
                             Plural(g->count, "chain", "chains"), *g->expected, expect->origin));
  }
  AddEvidence(s, *g, f, &ev);
  if (pool != nullptr) {
    g->classification = Classification::kPool;
    ev.push_back(fmt::format("marked a pool by rule {}", pool->origin));
    return;
  }
  g->classification = Decide(*g, f);
}

}  // namespace procleak
