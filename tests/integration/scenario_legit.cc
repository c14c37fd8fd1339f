// SPDX-License-Identifier: Apache-2.0
// The legitimate scenarios, P1..P9: duplicates a healthy host has (pools, client sessions,
// ordinary processes, look-alikes). procleak must raise no finding at warning or above on them
// and call none of their groups a leak. Unrelated parents are stood in for by terminals
// (scenarios/terminal.py, linked under a name of its own per terminal), each in its own session.
#include <gtest/gtest.h>

#include <chrono>

#include "scenario_stage.h"

namespace procleak::testing {
namespace {

using std::chrono::milliseconds;

bool Running(const LiveProcess* p) { return p != nullptr && p->state != 'Z' && p->state != 'X'; }

// Opens terminal `name`, typing `line` into its shell.
void OpenTerminal(Stage& st, Scenario& s, const std::string& name, const std::string& line) {
  st.Start(s, name,
           {st.python(), st.Link("scen-term-" + name + ".py", st.Script("terminal.py")), line}, {},
           /*new_session=*/true);
}

// The one child of terminal `name`'s shell whose arguments contain `marker`, once it is there.
const LiveProcess* ShellChild(const Stage& st, const Scenario& s, const std::string& name,
                              const std::string& marker) {
  const std::vector<pid_t> shell = PidsAfter(st.Out(s, name), "shell ");
  if (shell.size() != 1) return nullptr;
  const LiveProcess* found = nullptr;
  for (const LiveProcess& p : st.ChildrenOf(shell[0])) {
    if (Joined(p.argv).find(marker) == std::string::npos || !Running(&p)) continue;
    if (found != nullptr) return nullptr;
    found = st.Find(p.pid);
  }
  return found;
}

// `count` running children of `parent` for which `is_worker` holds.
bool HasWorkers(const Stage& st, pid_t parent, size_t count,
                const std::function<bool(const LiveProcess&)>& is_worker) {
  size_t n = 0;
  for (const LiveProcess& p : st.ChildrenOf(parent)) n += Running(&p) && is_worker(p);
  return n == count;
}

std::unique_ptr<Scenario> PreforkPool() {
  auto s =
      NewScenario("P1", "PythonPreforkPool", "python pre-fork pool, 4 workers", /*leak=*/false);
  s->steps = {[](Stage& st, Scenario& s) {
    st.Start(s, "pool", {st.python(), st.NpmChains("pool.py"), "4"});
    return true;
  }};
  s->observe = [](Stage& st, Scenario& s) {
    const std::vector<pid_t> workers = PidsAfter(st.Out(s, "pool"), "worker ");
    return workers.size() == 4 && HasWorkers(st, s.leaders.front(), 4, [&](const LiveProcess& p) {
             return std::count(workers.begin(), workers.end(), p.pid) == 1;
           });
  };
  return s;
}

std::unique_ptr<Scenario> NodeCluster() {
  auto s = NewScenario("P2", "NodeCluster", "node cluster, 4 workers forked in one loop",
                       /*leak=*/false);
  s->steps = {[](Stage& st, Scenario& s) {
    st.Start(s, "cluster", {"node", st.Script("cluster.js"), "4"});
    return true;
  }};
  s->observe = [](Stage& st, Scenario& s) {
    return HasWorkers(st, s.leaders.front(), 4, [](const LiveProcess& p) {
      return Joined(p.argv).find("cluster.js") != std::string::npos;
    });
  };
  return s;
}

std::unique_ptr<Scenario> ParallelMake() {
  auto s = NewScenario("P3", "ParallelMake", "make -j4, 4 targets running the same command",
                       /*leak=*/false);
  s->steps = {[](Stage& st, Scenario& s) {
    st.Start(s, "make",
             {"make", "-s", "-f", st.Script("jobs.mk"), "-j4",
              "JOB=" + st.python() + " " + st.Link("scen-make-job.py", st.Script("idle.py"))});
    return true;
  }};
  s->observe = [](Stage& st, Scenario& s) {
    size_t jobs = 0;
    for (const LiveProcess& p : Subtree(s.leaders.front(), st.all())) {
      jobs += Running(&p) && !p.argv.empty() && Basename(p.argv[0]) == "python3" &&
              Joined(p.argv).find("scen-make-job.py") != std::string::npos;
    }
    return jobs == 4;
  };
  return s;
}

std::unique_ptr<Scenario> MultiprocessingPool() {
  auto s = NewScenario("P4", "MultiprocessingPool", "multiprocessing.Pool(4)", /*leak=*/false);
  s->steps = {[](Stage& st, Scenario& s) {
    st.Start(s, "pool", {st.python(), st.Script("mp_pool.py"), "4"});
    return true;
  }};
  s->observe = [](Stage& st, Scenario& s) {
    const LiveProcess* master = st.Find(s.leaders.front());
    return Running(master) && HasWorkers(st, master->pid, 4, [&](const LiveProcess& p) {
             return p.argv == master->argv;  // forked, not exec'd
           });
  };
  return s;
}

std::unique_ptr<Scenario> ClientSessions() {
  auto s =
      NewScenario("P5", "ClientSessions",
                  "3 clients, each with one copy of server A and one of server B", /*leak=*/false);
  static const std::vector<std::string> kTerminals = {"alpha", "beta", "gamma"};
  s->steps = {[](Stage& st, Scenario& s) {
    st.Link("srv-scen-session-a", st.Script("server.js"));
    st.Link("srv-scen-session-b", st.Script("server.js"));
    for (const std::string& name : kTerminals) {
      OpenTerminal(
          st, s, name,
          "node " + ShellQuoted(st.Script("client.js")) + " srv-scen-session-a srv-scen-session-b");
    }
    return true;
  }};
  s->observe = [](Stage& st, Scenario& s) {
    std::vector<Copy> copies;
    for (const std::string& name : kTerminals) {
      if (ShellChild(st, s, name, "client.js") == nullptr) return false;
      std::vector<Copy> servers;
      const std::vector<pid_t> roots = PidsAfter(st.Out(s, name), "spawned ");
      if (roots.size() != 2 ||
          !ObserveCopies(st, roots, 3, "node", "srv-scen-session-", &servers)) {
        return false;
      }
      copies.insert(copies.end(), servers.begin(), servers.end());
    }
    s.copies = std::move(copies);
    return true;
  };
  return s;
}

std::unique_ptr<Scenario> OrdinarySleeps() {
  auto s = NewScenario("P6", "OrdinarySleeps",
                       "a finished script's sleep 600 (reparented) + 2 shells' sleep 600",
                       /*leak=*/false);
  s->steps = {[](Stage& st, Scenario& s) {
                OpenTerminal(st, s, "delta", "sleep 600");
                OpenTerminal(st, s, "epsilon", "sleep 600");
                st.Start(s, "script", {"sh", st.Script("leave-sleep.sh")}, {},
                         /*new_session=*/true);
                return true;
              },
              [](Stage& st, Scenario& s) {
                return st.live().WaitExited(s.leaders.back(), milliseconds(0)).has_value();
              }};
  s->observe = [](Stage& st, Scenario& s) {
    const std::vector<pid_t> left = PidsAfter(st.Out(s, "script"), "left ");
    const LiveProcess* sleep = left.size() == 1 ? st.Find(left[0]) : nullptr;
    return Running(sleep) && sleep->ppid != s.leaders.back() &&
           ShellChild(st, s, "delta", "sleep 600") != nullptr &&
           ShellChild(st, s, "epsilon", "sleep 600") != nullptr;
  };
  return s;
}

std::unique_ptr<Scenario> DoubleForkedDaemon() {
  auto s = NewScenario("P7", "DoubleForkedDaemon", "a daemon: fork, setsid, fork, parent exits",
                       /*leak=*/false);
  s->steps = {[](Stage& st, Scenario& s) {
                st.Start(s, "daemon", {st.python(), st.Script("daemon.py")});
                return true;
              },
              [](Stage& st, Scenario& s) {
                // It leaves the test's process groups: killed by pid (and start time) at the end.
                const std::vector<pid_t> daemon = PidsAfter(st.Out(s, "daemon"), "daemon ");
                const LiveProcess* p = daemon.size() == 1 ? st.Find(daemon[0]) : nullptr;
                if (!Running(p) || !st.live().WaitExited(s.leaders.front(), milliseconds(0))) {
                  return false;
                }
                st.live().Track(*p);
                s.escaped.push_back(*p);
                return true;
              }};
  s->observe = [](Stage& st, Scenario& s) {
    const LiveProcess* daemon = st.Find(s.escaped.front().pid);
    // Settled once the intermediate session leader has exited and the daemon is reparented.
    return Running(daemon) && daemon->sid != daemon->pid && !Running(st.Find(daemon->sid)) &&
           daemon->ppid != s.leaders.front();
  };
  return s;
}

std::unique_ptr<Scenario> TailFromTwoShells() {
  auto s = NewScenario("P8", "TailFromTwoShells", "tail -f FILE from two shells", /*leak=*/false);
  s->steps = {[](Stage& st, Scenario& s) {
    st.WriteFile("scen-p8.log", "a line\n");
    const std::string line = "tail -f " + ShellQuoted(st.Path("scen-p8.log"));
    OpenTerminal(st, s, "zeta", line);
    OpenTerminal(st, s, "eta", line);
    return true;
  }};
  s->observe = [](Stage& st, Scenario& s) {
    return ShellChild(st, s, "zeta", "scen-p8.log") != nullptr &&
           ShellChild(st, s, "eta", "scen-p8.log") != nullptr;
  };
  return s;
}

std::unique_ptr<Scenario> Lookalikes() {
  auto s = NewScenario("P9", "LookalikeScripts", "python3 /tmp/.../a.py, 1 s later b.py",
                       /*leak=*/false);
  s->steps = {[](Stage& st, Scenario& s) {
    st.Start(s, "spawner",
             {"sh", st.Script("lookalike.sh"), st.LinkUnderTmp("a.py", st.Script("idle.py")),
              st.LinkUnderTmp("b.py", st.Script("idle.py"))});
    return true;
  }};
  s->observe = [](Stage& st, Scenario& s) {
    const std::vector<pid_t> roots = PidsAfter(st.Out(s, "spawner"), "spawned ");
    std::vector<Copy> a, b;
    if (roots.size() != 2 || !ObserveCopies(st, {roots[0]}, 1, "python3", "/a.py", &a) ||
        !ObserveCopies(st, {roots[1]}, 1, "python3", "/b.py", &b)) {
      return false;
    }
    s.apart = {{roots[0]}, {roots[1]}};
    return true;
  };
  return s;
}

}  // namespace

Scenarios LegitScenarios() {
  Scenarios out;
  out.push_back(PreforkPool());
  out.push_back(NodeCluster());
  out.push_back(ParallelMake());
  out.push_back(MultiprocessingPool());
  out.push_back(ClientSessions());
  out.push_back(OrdinarySleeps());
  out.push_back(DoubleForkedDaemon());
  out.push_back(TailFromTwoShells());
  out.push_back(Lookalikes());
  return out;
}

}  // namespace procleak::testing
