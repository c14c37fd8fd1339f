// SPDX-License-Identifier: Apache-2.0
// Orphans: the test is deliberately not a child subreaper while the copies run. procleak calls a
// chain orphaned when its parent is PID 1 (or the container's init); were the test a subreaper,
// the orphans would be reparented to the test, which procleak would rightly report as their live
// spawner. So they go to PID 1 (or to a subreaper running the test: the orphan tests then skip,
// saying so), and the test still ends them: each spawner leads its own process group, the copies
// stay in it, and the spawner that exits is left an unreaped zombie until teardown, so its group
// id cannot be reused and kill(-group) reaches exactly the copies it started.
#include "npm_chains_scenario.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <utility>

#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak::testing {
namespace {

using Json = nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kStepTimeout(15000);

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr ? value : "";
}

// The copy rooted at `root` once it reaches the server: root, its wrapper descendants and the
// `node .../fake-mcp-server` at the bottom; nullopt while still starting.
std::optional<ObservedChain> ObserveChain(pid_t root, const std::vector<LiveProcess>& all) {
  std::map<pid_t, const LiveProcess*> by_pid;
  std::multimap<pid_t, const LiveProcess*> children;
  for (const LiveProcess& p : all) {
    by_pid[p.pid] = &p;
    children.emplace(p.ppid, &p);
  }
  if (by_pid.count(root) == 0) return std::nullopt;
  ObservedChain chain;
  for (const LiveProcess* level = by_pid[root]; level != nullptr && chain.levels.size() < 5;) {
    chain.levels.push_back(*level);
    const std::vector<std::string>& argv = level->argv;
    if (argv.size() >= 2 && Basename(argv[0]) == "node" &&
        argv[1].find(kBin) != std::string::npos) {
      return chain;
    }
    auto [first, last] = children.equal_range(level->pid);
    level = std::distance(first, last) == 1 ? first->second : nullptr;
  }
  return std::nullopt;
}

// Starts everything and waits until it is all there, then scans. ASSERTs return early; the
// caller kills what was started either way.
void Stage(Scenario& s, LiveProcesses& live, const TempTree& tmp) {
  const std::string procleak = Env("PROCLEAK_BIN");
  const std::string dir = Env("NPM_CHAINS_DIR");
  const std::string scripts = Env("SCENARIOS_DIR");
  ASSERT_FALSE(procleak.empty() || dir.empty() || scripts.empty())
      << "PROCLEAK_BIN, NPM_CHAINS_DIR and SCENARIOS_DIR are set by meson test";
  for (const char* tool : {"node", "npm", "python3"}) {
    if (!InPath(tool)) s.skip += std::string(s.skip.empty() ? "" : ", ") + tool + " not in PATH";
  }
  if (!s.skip.empty()) return;
  for (const LiveProcess& p : ReadAllLiveProcesses()) {
    ASSERT_EQ(Joined(p.argv).find(kBin), std::string::npos)
        << "a copy not started by this test is running and would change the counts: " << p.pid
        << " " << Joined(p.argv);
  }
  const auto started = std::chrono::steady_clock::now();

  // A project whose node_modules/.bin has the bin, installed from the source tree (a symlink),
  // with npm's cache and user config inside the temp dir: nothing reaches for the network.
  const std::string project = tmp.Path("project");
  const Json package = {{"name", "npm-chains-host"},
                        {"version", "1.0.0"},
                        {"private", true},
                        {"dependencies", {{kBin, "file:" + dir + "/fake-mcp-server"}}}};
  tmp.Write("project/package.json", package.dump(2));
  tmp.Write("npmrc", "");
  const std::vector<std::pair<std::string, std::string>> npm_env = {
      {"npm_config_cache", tmp.Path("npm-cache")},
      {"npm_config_userconfig", tmp.Path("npmrc")},
      {"npm_config_offline", "true"},
      {"npm_config_update_notifier", "false"},
      {"npm_config_audit", "false"},
      {"npm_config_fund", "false"}};
  auto spec = [&](std::vector<std::string> argv, const std::string& name) {
    return SpawnSpec{.argv = std::move(argv),
                     .cwd = project,
                     .stdout_path = tmp.Path(name + ".out"),
                     .stderr_path = tmp.Path(name + ".err"),
                     .env = npm_env};
  };
  // The spawner (scenarios/spawn.js) starting `npm exec fake-mcp-server` `count` times, then
  // exiting or staying: the same command either way, as a supervisor started again would be.
  auto spawner = [&](int count, const std::string& then, const std::string& name) {
    SpawnSpec spawn = spec({"node", scripts + "/spawn.js", std::to_string(count),
                            std::to_string(kSpawnIntervalMs), "npm", "exec", kBin},
                           name);
    spawn.env.emplace_back("SCEN_THEN", then);
    return spawn;
  };
  const std::optional<int> installed = live.Run(
      spec({"npm", "install", "--offline", "--no-audit", "--no-fund"}, "install"), kStepTimeout);
  ASSERT_EQ(installed, 0) << ReadAll(tmp.Path("install.err"));

  // K copies whose spawner exits: reparented, orphaned.
  std::optional<pid_t> orphaning = live.Start(spawner(kOrphanedCopies, "exit", "orphaning"));
  ASSERT_TRUE(orphaning);
  ASSERT_EQ(live.WaitExited(*orphaning, kStepTimeout), 0) << ReadAll(tmp.Path("orphaning.err"));
  const std::vector<pid_t> orphan_roots = PidsAfter(ReadAll(tmp.Path("orphaning.out")), "spawned ");
  ASSERT_EQ(orphan_roots.size(), static_cast<size_t>(kOrphanedCopies));

  // N copies whose spawner stays, and the pool.
  std::optional<pid_t> long_lived = live.Start(spawner(kLongLivedCopies, "stay", "spawner"));
  ASSERT_TRUE(long_lived);
  s.long_lived_spawner = *long_lived;
  std::optional<pid_t> master =
      live.Start(spec({"python3", dir + "/pool.py", std::to_string(kPoolWorkers)}, "pool"));
  ASSERT_TRUE(master);

  std::vector<pid_t> roots;
  const bool ready = PollUntil(
      [&] {
        roots = orphan_roots;
        const std::vector<pid_t> more = PidsAfter(ReadAll(tmp.Path("spawner.out")), "spawned ");
        roots.insert(roots.end(), more.begin(), more.end());
        const std::vector<pid_t> workers = PidsAfter(ReadAll(tmp.Path("pool.out")), "worker ");
        if (roots.size() != static_cast<size_t>(kCopies) ||
            workers.size() != static_cast<size_t>(kPoolWorkers)) {
          return false;
        }
        const std::vector<LiveProcess> all = ReadAllLiveProcesses();
        s.chains.clear();
        for (pid_t root : roots) {
          std::optional<ObservedChain> chain = ObserveChain(root, all);
          if (!chain) return false;
          chain->orphaned = s.chains.size() < static_cast<size_t>(kOrphanedCopies);
          s.chains.push_back(*std::move(chain));
        }
        s.pool = {*master};
        s.pool.insert(workers.begin(), workers.end());
        return true;
      },
      kStepTimeout);
  ASSERT_TRUE(ready) << "copies or pool not up in time; spawner: "
                     << ReadAll(tmp.Path("spawner.err"))
                     << " orphaning: " << ReadAll(tmp.Path("orphaning.err"))
                     << " pool: " << ReadAll(tmp.Path("pool.err"));
  for (const ObservedChain& chain : s.chains) {
    for (const LiveProcess& level : chain.levels) live.Track(level);
  }
  s.orphan_parent = s.chains.front().levels.front().ppid;
  s.ready_after =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);

  // TODO(issue 4): use tests/testing/run_procleak.h once it exists.
  SpawnSpec scan;
  scan.argv = {procleak, "scan", "--json"};
  scan.stdout_path = tmp.Path("scan.out");
  scan.stderr_path = tmp.Path("scan.err");
  s.scan_exit = live.Run(scan, kStepTimeout);
  s.scan_err = ReadAll(tmp.Path("scan.err"));
  const std::string out = ReadAll(tmp.Path("scan.out"));
  s.doc = Json::parse(out, nullptr, /*allow_exceptions=*/false);
  if (s.doc.is_discarded()) {
    ADD_FAILURE() << "scan output is not JSON: " << out.substr(0, 500) << "\n" << s.scan_err;
    s.doc = Json();
  }
  s.ran = true;
}

}  // namespace

Scenario RunNpmChainsScenario() {
  const LiveTestLock lock;
  Scenario s;
  {
    LiveProcesses live;
    TempTree tmp;
    Stage(s, live, tmp);
    s.leftovers = live.KillAll();  // while `tmp` still holds the package the copies run
  }
  for (const LiveProcess& p : s.leftovers) {
    ADD_FAILURE() << "still alive after teardown: " << p.pid << " " << Joined(p.argv);
  }
  return s;
}

}  // namespace procleak::testing
