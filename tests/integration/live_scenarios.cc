// SPDX-License-Identifier: Apache-2.0
#include "live_scenarios.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>

#include "testing/temp_tree.h"

namespace procleak::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

constexpr milliseconds kBringUp(45000);
constexpr milliseconds kReapSettles(8000);  // reap's default grace is 5 s
constexpr int kBusyLoops = 2;
constexpr char kBusyLoop[] = "import signal\nsignal.alarm(600)\nwhile True: pass";

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

bool Running(pid_t pid, uint64_t starttime) {
  std::optional<LiveProcess> now = ReadLiveProcess(pid);
  return now && now->starttime == starttime && now->state != 'Z' && now->state != 'X';
}

// The interpreter `python3` runs, found once so that no version manager's shim (a shell script
// that forks on its way) sits between a scenario and its python processes.
std::string ResolvePython(LiveProcesses& live) {
  TempTree probe;
  SpawnSpec spec{.argv = {"python3", "-c", "import sys; print(sys.executable)"},
                 .stdout_path = probe.Path("out")};
  if (live.Run(spec, milliseconds(15000)) != 0) return "";
  std::string path = ReadAll(probe.Path("out"));
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  return path;
}

// What each scenario is right now, for comparing before and after the scan.
std::string Fingerprint(const Scenario& s) {
  std::string out;
  for (const Copy& c : s.copies) {
    for (const LiveProcess& p : c.processes) {
      out += std::to_string(p.pid) + "@" + std::to_string(p.starttime) + " ";
    }
    out += "| ";
  }
  for (const auto& [pid, p] : s.processes) out += std::to_string(pid) + "," + Joined(p.argv) + " ";
  return out;
}

// Observes every scenario that came up in the current /proc listing.
void ObserveAll(Stage& stage, SuiteRun& run) {
  stage.Refresh();
  for (const std::unique_ptr<Scenario>& s : run.scenarios) {
    if (!s->ready) continue;
    if (!s->observe(stage, *s)) s->ready = false;
    RecordProcesses(stage, *s);
  }
}

void Reap(const Scenario& l1, ReapCheck& reap) {
  if (!l1.ready || l1.copies.size() < 2) {
    reap.skipped = "L1 did not come up";
    return;
  }
  std::set<pid_t> ours;
  for (size_t i = 0; i < l1.copies.size(); ++i) {
    for (pid_t pid : l1.copies[i].pids()) {
      ours.insert(pid);
      (i + 1 < l1.copies.size() ? reap.stopped : reap.kept).push_back(pid);
    }
  }
  // Never signal what the test did not start: the plan must stay inside L1.
  reap.plan = RunProcleak({"reap", "--signature", "srv-delayed", "--json"});
  const Json plan = Json::parse(reap.plan.out, nullptr, /*allow_exceptions=*/false);
  if (plan.is_discarded() || !plan.contains("order") || !plan["order"].is_array()) {
    reap.skipped = "the dry run gave no plan: " + reap.plan.out.substr(0, 300) + reap.plan.err;
    return;
  }
  for (const Json& pid : plan["order"]) {
    if (!pid.is_number_integer() || ours.count(pid.get<pid_t>()) == 0) {
      reap.skipped = "the dry run would stop " + pid.dump() + ", which L1 did not start";
      return;
    }
  }
  reap.apply = RunProcleak({"reap", "--signature", "srv-delayed", "--apply", "--json"});
  std::map<pid_t, uint64_t> starttime;
  for (const Copy& c : l1.copies) {
    for (const LiveProcess& p : c.processes) starttime[p.pid] = p.starttime;
  }
  auto alive = [&](const std::vector<pid_t>& pids) {
    std::vector<pid_t> out;
    for (pid_t pid : pids) {
      if (Running(pid, starttime[pid])) out.push_back(pid);
    }
    return out;
  };
  PollUntil([&] { return alive(reap.stopped).empty(); }, kReapSettles);
  reap.stopped_alive = alive(reap.stopped);
  const std::vector<pid_t> kept_alive = alive(reap.kept);
  for (pid_t pid : reap.kept) {
    if (std::count(kept_alive.begin(), kept_alive.end(), pid) == 0) reap.kept_gone.push_back(pid);
  }
}

// Starts everything, brings it up, scans, reaps, and kills it all while the stage's temp dir
// still holds the links the scenarios run. On a problem before the stage exists it returns early;
// the caller kills what was started either way.
void StageAndScan(SuiteRun& run, LiveProcesses& live) {
  const std::string scripts = Env("SCENARIOS_DIR");
  const std::string npm_chains = Env("NPM_CHAINS_DIR");
  if (Env("PROCLEAK_BIN").empty() || scripts.empty() || npm_chains.empty()) {
    run.problems.push_back("PROCLEAK_BIN, SCENARIOS_DIR and NPM_CHAINS_DIR are set by meson test");
    return;
  }
  for (const char* tool : {"node", "python3", "make", "unshare"}) {
    if (!InPath(tool))
      run.skip += std::string(run.skip.empty() ? "" : ", ") + tool + " not in PATH";
  }
  if (!run.skip.empty()) return;
  for (const LiveProcess& p : ReadAllLiveProcesses()) {
    const std::string args = Joined(p.argv);
    if (p.state != 'Z' &&
        (args.find("srv-delayed") != std::string::npos ||
         args.find("srv-scen-") != std::string::npos || args.find("/scen-") != std::string::npos)) {
      run.problems.push_back(
          "a scenario process not started by this run is still running (an earlier run that "
          "died? they end themselves within 10 minutes): " +
          std::to_string(p.pid) + " " + args);
    }
  }
  const std::string python = ResolvePython(live);
  if (python.empty()) run.problems.push_back("python3 does not say where it is");
  if (!run.problems.empty()) return;

  const auto started = steady_clock::now();
  run.markers = {scripts, npm_chains + "/pool.py", kBusyLoop};
  for (int i = 0; i < kBusyLoops; ++i) {
    SpawnSpec busy;
    busy.argv = {python, "-c", kBusyLoop};
    if (!live.Start(busy)) return;
  }
  Stage stage(live, scripts, npm_chains, python);
  for (const std::string& root : stage.roots()) run.markers.push_back(root + "/");
  run.scenarios = LeakScenarios();
  for (std::unique_ptr<Scenario>& s : LegitScenarios()) run.scenarios.push_back(std::move(s));
  run.problems = BringUp(stage, run.scenarios, kBringUp);
  run.ready_after = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);

  ObserveAll(stage, run);
  std::vector<std::string> before;
  for (const std::unique_ptr<Scenario>& s : run.scenarios) before.push_back(Fingerprint(*s));
  run.scan = RunProcleak({"scan", "--json"});
  // LIVE_SCENARIOS_KEEP=FILE keeps the document to look at after a failure.
  if (const char* keep = std::getenv("LIVE_SCENARIOS_KEEP"); keep != nullptr && *keep != '\0') {
    std::ofstream(keep) << run.scan.out;
  }
  run.doc = Json::parse(run.scan.out, nullptr, /*allow_exceptions=*/false);
  if (run.doc.is_discarded()) {
    run.problems.push_back("scan output is not JSON: " + run.scan.out.substr(0, 500) + "\n" +
                           run.scan.err);
    run.doc = Json();
  }
  run.scanned = true;
  ObserveAll(stage, run);
  for (size_t i = 0; i < run.scenarios.size(); ++i) {
    const Scenario& s = *run.scenarios[i];
    if (Fingerprint(s) != before[i]) {
      run.problems.push_back(s.id + " changed while it was scanned: " + before[i] + "\n  -> " +
                             Fingerprint(s));
    }
  }
  run.problems.insert(run.problems.end(), stage.problems().begin(), stage.problems().end());

  if (const Scenario* l1 = FindScenario(run, "L1")) Reap(*l1, run.reap);
  run.leftovers = live.KillAll();
}

// Processes named by one of `markers`, zombies left out.
std::vector<LiveProcess> Marked(const std::vector<std::string>& markers) {
  std::vector<LiveProcess> out;
  for (const LiveProcess& p : ReadAllLiveProcesses()) {
    const std::string args = Joined(p.argv);
    if (p.state == 'Z') continue;
    for (const std::string& marker : markers) {
      if (args.find(marker) != std::string::npos) {
        out.push_back(p);
        break;
      }
    }
  }
  return out;
}

}  // namespace

const Scenario* FindScenario(const SuiteRun& run, const std::string& id) {
  for (const std::unique_ptr<Scenario>& s : run.scenarios) {
    if (s->id == id) return s.get();
  }
  return nullptr;
}

SuiteRun RunLiveScenarios() {
  const auto started = steady_clock::now();
  const LiveTestLock lock;
  SuiteRun run;
  {
    LiveProcesses live;
    StageAndScan(run, live);
    for (const LiveProcess& p : live.KillAll()) run.leftovers.push_back(p);  // after a problem
  }
  // What `ps -eo pid,args | grep MARKER` would show, checked while the lock still keeps other
  // runs out; SIGKILLed processes may take a moment to go.
  std::vector<LiveProcess> marked;
  PollUntil([&] { return (marked = Marked(run.markers)).empty(); }, milliseconds(3000));
  for (const LiveProcess& p : marked) {
    const bool listed = std::any_of(run.leftovers.begin(), run.leftovers.end(),
                                    [&](const LiveProcess& l) { return l.pid == p.pid; });
    if (!listed) run.leftovers.push_back(p);
  }
  run.wall = std::chrono::duration_cast<milliseconds>(steady_clock::now() - started);
  return run;
}

}  // namespace procleak::testing
