// SPDX-License-Identifier: Apache-2.0
// The leak scenarios, L1..L8b: each one group of copies procleak must report as a leak with
// exact counts, whole chains and the right findings. Copy and spawner names are links in the
// stage's bin directory that no other test uses, so that nothing else can join their groups.
//
// Orphans: the test is not a child subreaper, so copies whose spawner exits go to PID 1 (or to a
// subreaper running the test: the scenario then says so and the orphan checks skip). The exited
// spawner stays an unreaped zombie until teardown, so its group id cannot be reused and
// kill(-group) still reaches exactly its copies.
#include <gtest/gtest.h>

#include <chrono>

#include "scenario_stage.h"

namespace procleak::testing {
namespace {

using Env = std::vector<std::pair<std::string, std::string>>;
using std::chrono::milliseconds;

std::string Uncheckable(pid_t parent) {
  return "the orphans went to subreaper " + std::to_string(parent) +
         " (something above the test), not PID 1: procleak sees it as their live spawner";
}

// One spawner that stays and keeps every copy it starts: it prints "spawned PID" per copy, and
// each copy is `size` processes, the last running `program` with `marker` in its arguments.
struct Kept {
  std::string id{}, name{}, shape{};
  int copies = 0;
  size_t size = 1;
  std::string program{}, marker{};
  std::optional<int> expected{};
  std::function<std::vector<std::string>(Stage&)> argv{};
  Env env{};
};

std::unique_ptr<Scenario> KeptCopies(Kept k) {
  auto s = NewScenario(k.id, k.name, k.shape, /*leak=*/true);
  s->steps = {[k](Stage& st, Scenario& s) {
    std::optional<pid_t> spawner = st.Start(s, "spawner", k.argv(st), k.env);
    s.expect = {.origin = "spawner",
                .spawner = spawner.value_or(0),
                .expected = k.expected,
                .duplicate = true};
    return true;
  }};
  s->observe = [k](Stage& st, Scenario& s) {
    const std::vector<pid_t> roots = PidsAfter(st.Out(s, "spawner"), "spawned ");
    return roots.size() == static_cast<size_t>(k.copies) &&
           ObserveCopies(st, roots, k.size, k.program, k.marker, &s.copies);
  };
  return s;
}

// The incident's shape: the fake npm takes 8 s to reach `sh -c srv-delayed`.
std::unique_ptr<Scenario> DelayedWrappers() {
  return KeptCopies({.id = "L1",
                     .name = "DelayedWrappers",
                     .shape = "5x npm exec > sh > node, 300 ms apart, each exec 8 s late",
                     .copies = 5,
                     .size = 3,
                     .program = "node",
                     .marker = "srv-delayed",
                     .expected = 1,
                     .argv =
                         [](Stage& st) {
                           st.Link("srv-delayed", st.Script("server.js"));
                           return std::vector<std::string>{
                               "node", st.Script("spawn.js"),   "5",    "300",
                               "node", st.Script("npm-cli.js"), "exec", "srv-delayed"};
                         },
                     .env = {{"SCEN_NPM_DELAY_MS", "8000"}}});
}

// Instance 1 of a supervisor starts 3 copies and exits; instance 2, the same command, starts 3.
std::unique_ptr<Scenario> RestartingSupervisor() {
  auto s = NewScenario("L2", "RestartingSupervisor",
                       "supervisor restarted: 3 orphaned copies + 3 of the live instance",
                       /*leak=*/true);
  auto argv = [](Stage& st) {
    return std::vector<std::string>{
        "node",    st.Script("spawn.js"),
        "3",       "400",
        "python3", st.Link("scen-restart-copy.py", st.Script("idle.py"))};
  };
  s->steps = {
      [argv](Stage& st, Scenario& s) {
        st.Start(s, "first", argv(st), {{"SCEN_THEN", "exit"}});
        return true;
      },
      [](Stage& st, Scenario& s) {
        std::optional<int> status = st.live().WaitExited(s.leaders.front(), milliseconds(0));
        if (status && *status != 0)
          s.failed = "the first instance exited " + std::to_string(*status);
        if (!status) return false;
        // Its copies, once reparented, whole.
        std::vector<Copy> orphans;
        const std::vector<pid_t> roots = PidsAfter(st.Out(s, "first"), "spawned ");
        if (roots.size() != 3 ||
            !ObserveCopies(st, roots, 1, "python3", "scen-restart", &orphans)) {
          return false;
        }
        for (const Copy& c : orphans) {
          if (c.processes.front().ppid == s.leaders.front()) return false;
        }
        const pid_t parent = orphans.front().processes.front().ppid;
        if (parent != 1) s.expect.orphans_unchecked = Uncheckable(parent);
        return true;
      },
      [argv](Stage& st, Scenario& s) {
        std::optional<pid_t> second = st.Start(s, "second", argv(st), {{"SCEN_THEN", "stay"}});
        s.expect.origin = "spawner";
        s.expect.spawner = second.value_or(0);
        s.expect.duplicate = true;
        s.expect.orphans = s.expect.orphans_unchecked.empty();
        return true;
      }};
  s->observe = [](Stage& st, Scenario& s) {
    std::vector<Copy> first, second;
    const std::vector<pid_t> old_roots = PidsAfter(st.Out(s, "first"), "spawned ");
    const std::vector<pid_t> new_roots = PidsAfter(st.Out(s, "second"), "spawned ");
    if (new_roots.size() != 3 ||
        !ObserveCopies(st, old_roots, 1, "python3", "scen-restart", &first) ||
        !ObserveCopies(st, new_roots, 1, "python3", "scen-restart", &second)) {
      return false;
    }
    s.copies.clear();
    // Behind a subreaper the orphans have a live parent of their own: only the second
    // instance's copies make the group then.
    if (s.expect.orphans_unchecked.empty()) {
      for (Copy& c : first) c.orphaned = true;
      s.copies = first;
    }
    s.copies.insert(s.copies.end(), second.begin(), second.end());
    return true;
  };
  return s;
}

// A spawner that starts 3 copies 300 ms apart and exits.
std::unique_ptr<Scenario> DeadSupervisor() {
  auto s = NewScenario("L7", "DeadSupervisor", "3 copies 300 ms apart, their spawner exited",
                       /*leak=*/true);
  s->steps = {
      [](Stage& st, Scenario& s) {
        std::optional<pid_t> spawner =
            st.Start(s, "spawner",
                     {"node", st.Script("spawn.js"), "3", "300", "python3",
                      st.Link("scen-dead-sup-copy.py", st.Script("idle.py"))},
                     {{"SCEN_THEN", "exit"}});
        s.expect = {.origin = "gone", .process_group = spawner.value_or(0), .orphans = true};
        return true;
      },
      [](Stage& st, Scenario& s) {
        std::optional<int> status = st.live().WaitExited(s.leaders.front(), milliseconds(0));
        if (status && *status != 0) s.failed = "the spawner exited " + std::to_string(*status);
        return status.has_value();
      }};
  s->observe = [](Stage& st, Scenario& s) {
    const std::vector<pid_t> roots = PidsAfter(st.Out(s, "spawner"), "spawned ");
    if (roots.size() != 3 ||
        !ObserveCopies(st, roots, 1, "python3", "scen-dead-sup-copy", &s.copies)) {
      return false;
    }
    for (Copy& c : s.copies) {
      if (c.processes.front().ppid == s.leaders.front()) return false;  // not reparented yet
      c.orphaned = true;
    }
    const pid_t parent = s.copies.front().processes.front().ppid;
    s.expect.orphans_unchecked = parent == 1 ? "" : Uncheckable(parent);
    return true;
  };
  return s;
}

// `unshare --pid --fork sh -c 'SPAWNER; sleep 600'`: the sh is the namespace's init; the spawner
// starts 3 copies 300 ms apart and exits (`stays` false) or stays. The spawner prints the
// copies' pids as the namespace sees them; the test maps them to host pids through NSpid.
std::unique_ptr<Scenario> PidNamespace(bool stays) {
  auto s = NewScenario(stays ? "L8b" : "L8", stays ? "PidNamespaceLiveSpawner" : "PidNamespace",
                       stays ? "unshare --pid: 3 copies of a spawner that stays"
                             : "unshare --pid: 3 copies reparented to the namespace's init",
                       /*leak=*/true);
  const std::string copy = stays ? "scen-ns-live-copy.py" : "scen-ns-gone-copy.py";
  s->steps = {[stays, copy](Stage& st, Scenario& s) {
    const std::string script = "node " + ShellQuoted(st.Script("spawn.js")) + " 3 300 python3 " +
                               ShellQuoted(st.Link(copy, st.Script("idle.py"))) + "; sleep 600";
    std::optional<pid_t> unshare =
        st.Start(s, "namespace", {"unshare", "--pid", "--fork", "sh", "-c", script},
                 {{"SCEN_THEN", stays ? "stay" : "exit"}});
    s.expect = {.origin = stays ? "spawner" : "gone",
                .process_group = stays ? 0 : unshare.value_or(0),
                .duplicate = stays,
                .orphans = !stays,
                .ns_evidence = true};
    return true;
  }};
  s->observe = [stays, copy](Stage& st, Scenario& s) {
    const pid_t unshare = s.leaders.front();
    const std::vector<LiveProcess> init = st.ChildrenOf(unshare);
    const std::string out = st.Out(s, "namespace");
    if (init.size() != 1 || out.find("done\n") == std::string::npos) return false;
    std::map<pid_t, pid_t> host_pid;  // in-namespace pid -> host pid
    pid_t spawner = 0;
    bool sleeping = false;
    for (const LiveProcess& p : st.InGroup(unshare)) {
      if (std::optional<pid_t> ns = ReadNsPid(p.pid)) host_pid[*ns] = p.pid;
      const std::string args = Joined(p.argv);
      if (p.state != 'Z' && !p.argv.empty() && Basename(p.argv[0]) == "node" &&
          args.find("spawn.js") != std::string::npos) {
        spawner = p.pid;
      }
      sleeping = sleeping || (p.ppid == init[0].pid && args == "sleep 600");
    }
    std::vector<pid_t> roots;
    for (pid_t ns : PidsAfter(out, "spawned ")) {
      if (host_pid.count(ns) == 0) return false;
      roots.push_back(host_pid[ns]);
    }
    if (roots.size() != 3 || !ObserveCopies(st, roots, 1, "python3", copy, &s.copies)) return false;
    // Settled: the spawner runs and parents the copies, or it is gone, they are the init's, and
    // the init has gone on to its sleep.
    const pid_t parent = stays ? spawner : init[0].pid;
    if (stays ? spawner == 0 : (spawner != 0 || !sleeping)) return false;
    for (Copy& c : s.copies) {
      if (c.processes.front().ppid != parent) return false;
      c.orphaned = !stays;
    }
    s.expect.spawner = stays ? spawner : 0;
    return true;
  };
  return s;
}

}  // namespace

Scenarios LeakScenarios() {
  Scenarios out;
  out.push_back(DelayedWrappers());
  out.push_back(RestartingSupervisor());
  out.push_back(KeptCopies({.id = "L3",
                            .name = "ClientWithFourCopies",
                            .shape = "a client's 4 copies of one server via npm exec, 500 ms apart",
                            .copies = 4,
                            .size = 3,
                            .program = "node",
                            .marker = "srv-scen-client-dup",
                            .expected = 1,
                            .argv = [](Stage& st) {
                              st.Link("srv-scen-client-dup", st.Script("server.js"));
                              return std::vector<std::string>{
                                  "node", st.Script("spawn.js"),   "4",    "500",
                                  "node", st.Script("npm-cli.js"), "exec", "srv-scen-client-dup"};
                            }}));
  out.push_back(KeptCopies(
      {.id = "L4",
       .name = "PythonSupervisor",
       .shape = "python3 starting python3 srv --session <uuid4> every 600 ms, 5 times",
       .copies = 5,
       .program = "python3",
       .marker = "scen-session-srv.py",
       .argv = [](Stage& st) {
         return std::vector<std::string>{st.python(), st.Script("supervisor.py"), "5", "600",
                                         st.Link("scen-session-srv.py", st.Script("idle.py"))};
       }}));
  out.push_back(KeptCopies({.id = "L5",
                            .name = "ShellScript",
                            .shape = "sh script: python3 child & 4 times, 0.5 s apart",
                            .copies = 4,
                            .program = "python3",
                            .marker = "scen-shchild.py",
                            .argv = [](Stage& st) {
                              return std::vector<std::string>{
                                  "sh", st.Script("leak.sh"),
                                  st.Link("scen-shchild.py", st.Script("idle.py"))};
                            }}));
  out.push_back(KeptCopies({.id = "L6",
                            .name = "FastLeak",
                            .shape = "a copy every 150 ms, 6 times",
                            .copies = 6,
                            .program = "python3",
                            .marker = "scen-fast-copy.py",
                            .argv = [](Stage& st) {
                              return std::vector<std::string>{
                                  "node",    st.Script("spawn.js"),
                                  "6",       "150",
                                  "python3", st.Link("scen-fast-copy.py", st.Script("idle.py"))};
                            }}));
  out.push_back(DeadSupervisor());
  out.push_back(PidNamespace(/*stays=*/false));
  out.push_back(PidNamespace(/*stays=*/true));
  return out;
}

}  // namespace procleak::testing
