// SPDX-License-Identifier: Apache-2.0
#pragma once
// The live scenario suite's stage (issue 15): every scenario is real processes started from the
// scripts in tests/integration/scenarios/, advanced step by step while all of them come up side
// by side, then observed in /proc as a whole, so that one `procleak scan --json` can be checked
// against what each scenario really is.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "live_processes.h"
#include "testing/temp_tree.h"

namespace procleak::testing {

class Stage;

// One copy of a leaking program as /proc shows it: its root and every descendant, root first.
struct Copy {
  std::vector<LiveProcess> processes;
  bool orphaned = false;  // what procleak must say: left behind by a spawner that is gone
  pid_t root() const { return processes.front().pid; }
  std::vector<pid_t> pids() const;
};

// What procleak must report for a leak scenario's one group.
struct LeakExpectation {
  std::string origin{};             // "spawner" or "gone"
  pid_t spawner = 0;                // origin "spawner": its host pid
  pid_t process_group = 0;          // origin "gone": the group the copies were left in
  std::optional<int> expected{};    // a rule's count (1 for npm exec), else none
  bool duplicate = false;           // a duplicate_chain finding is required
  bool orphans = false;             // an orphaned_chain finding is required
  bool ns_evidence = false;         // an evidence line shows an in-namespace pid ("ns pid")
  std::string orphans_unchecked{};  // why orphan attributions cannot be checked here ("": checked)
};

// One scenario. Its steps run in order, each polled (every 50 ms, beside every other
// scenario's) until it returns true; then `observe` is polled until the scenario is fully up,
// and filled `copies` (leaks) and whatever else its checks need.
struct Scenario {
  using Step = std::function<bool(Stage&, Scenario&)>;

  std::string id;     // "L1"
  std::string name;   // "DelayedWrappers": test-name suffix
  std::string shape;  // one line for the summary
  bool leak = false;
  std::vector<Step> steps;
  Step observe;

  size_t next_step = 0;
  bool ready = false;
  std::string failed;                     // a step gave up: why
  std::vector<pid_t> leaders;             // process groups (or sessions) it started
  std::vector<LiveProcess> escaped;       // processes that left those groups (a daemon)
  std::vector<Copy> copies;               // leaks: every copy, oldest first
  LeakExpectation expect;                 // leaks
  std::vector<std::vector<pid_t>> apart;  // look-alikes: pid sets no one group may join
  // Every live process of the scenario when it was observed, with its in-namespace pid.
  std::map<pid_t, LiveProcess> processes;
  std::map<pid_t, pid_t> ns_pids;
};

using Scenarios = std::vector<std::unique_ptr<Scenario>>;

std::unique_ptr<Scenario> NewScenario(std::string id, std::string name, std::string shape,
                                      bool leak);

// The processes, files and paths every scenario starts from.
class Stage {
 public:
  // `scripts` is tests/integration/scenarios, `npm_chains` tests/integration/npm_chains;
  // `python` the interpreter python3 runs (resolved once: no version-manager shim in between).
  Stage(LiveProcesses& live, std::string scripts, std::string npm_chains, std::string python);

  LiveProcesses& live() { return live_; }
  const std::string& python() const { return python_; }
  std::string Script(const std::string& name) const { return scripts_ + "/" + name; }
  std::string NpmChains(const std::string& name) const { return npm_chains_ + "/" + name; }
  // A link named `name` to `target` in the stage's bin directory (on the PATH the scenarios
  // see): how each scenario gives its copies names no other test uses. Returns its path.
  std::string Link(const std::string& name, const std::string& target);
  // A file of the stage's temp dir; the same under /tmp (where a.py and b.py must be).
  std::string Path(const std::string& relative) const { return tmp_.Path(relative); }
  std::string TmpPath(const std::string& relative) const { return under_tmp_.Path(relative); }
  void WriteFile(const std::string& relative, const std::string& content) const;
  std::string LinkUnderTmp(const std::string& name, const std::string& target);

  // Starts `argv` for `s` (its process group joins s.leaders), as role `role` of s: its stdout
  // and stderr go to files Out() and Err() read. The environment adds `env` to PATH=bin:python.
  std::optional<pid_t> Start(Scenario& s, const std::string& role, std::vector<std::string> argv,
                             std::vector<std::pair<std::string, std::string>> env = {},
                             bool new_session = false);
  std::string Out(const Scenario& s, const std::string& role) const;
  std::string Err(const Scenario& s, const std::string& role) const;
  // Every role's stderr of `s`, for a report.
  std::string Errors(const Scenario& s) const;

  // The /proc listing of this polling round, and lookups into it.
  void Refresh();
  const std::vector<LiveProcess>& all() const { return all_; }
  const LiveProcess* Find(pid_t pid) const;
  std::vector<LiveProcess> ChildrenOf(pid_t pid) const;
  std::vector<LiveProcess> InGroup(pid_t pgid) const;

  // Its temp dirs: every link a scenario runs is in one of them.
  std::vector<std::string> roots() const { return {tmp_.root(), under_tmp_.root()}; }
  // What went wrong setting the stage (a link that could not be made).
  const std::vector<std::string>& problems() const { return problems_; }

 private:
  LiveProcesses& live_;
  std::string scripts_;
  std::string npm_chains_;
  std::string python_;
  TempTree tmp_;
  TempTree under_tmp_{"/tmp"};
  std::map<std::string, std::vector<std::string>> roles_;  // scenario id -> roles
  std::vector<LiveProcess> all_;
  std::map<pid_t, size_t> index_;
  std::vector<std::string> problems_;
};

// The copy rooted at `root` once it is complete: exactly `size` processes (root, wrapper
// descendants) whose deepest (last in preorder) runs `program` with an argument containing
// `marker`; nullopt while it is still starting.
std::optional<Copy> ObserveCopy(const Stage& stage, pid_t root, size_t size,
                                const std::string& program, const std::string& marker);
// ObserveCopy for each of `roots`; false unless every one is complete (copies then in order).
bool ObserveCopies(const Stage& stage, const std::vector<pid_t>& roots, size_t size,
                   const std::string& program, const std::string& marker,
                   std::vector<Copy>* copies);

// `word` quoted for sh.
std::string ShellQuoted(const std::string& word);

// Advances every scenario until each is up or `timeout` passes; what did not come up, and why.
std::vector<std::string> BringUp(Stage& stage, Scenarios& scenarios,
                                 std::chrono::milliseconds timeout);
// Fills s.processes and s.ns_pids from the stage's current listing.
void RecordProcesses(const Stage& stage, Scenario& s);

// The scenarios: L1..L8b leak, P1..P9 do not.
Scenarios LeakScenarios();
Scenarios LegitScenarios();

}  // namespace procleak::testing
