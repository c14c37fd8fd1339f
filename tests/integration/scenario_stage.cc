// SPDX-License-Identifier: Apache-2.0
#include "scenario_stage.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "testing/run_procleak.h"

namespace procleak::testing {

std::vector<pid_t> Copy::pids() const {
  std::vector<pid_t> pids;
  for (const LiveProcess& p : processes) pids.push_back(p.pid);
  return pids;
}

std::unique_ptr<Scenario> NewScenario(std::string id, std::string name, std::string shape,
                                      bool leak) {
  auto s = std::make_unique<Scenario>();
  s->id = std::move(id);
  s->name = std::move(name);
  s->shape = std::move(shape);
  s->leak = leak;
  return s;
}

Stage::Stage(LiveProcesses& live, std::string scripts, std::string npm_chains, std::string python)
    : live_(live),
      scripts_(std::move(scripts)),
      npm_chains_(std::move(npm_chains)),
      python_(std::move(python)) {
  tmp_.MakeDir("bin");
}

std::string Stage::Link(const std::string& name, const std::string& target) {
  const std::string path = tmp_.Path("bin/" + name);
  if (symlink(target.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    problems_.push_back("cannot link " + path + " to " + target);
  }
  return path;
}

std::string Stage::LinkUnderTmp(const std::string& name, const std::string& target) {
  const std::string path = under_tmp_.Path(name);
  if (symlink(target.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    problems_.push_back("cannot link " + path + " to " + target);
  }
  return path;
}

void Stage::WriteFile(const std::string& relative, const std::string& content) const {
  tmp_.Write(relative, content);
}

std::optional<pid_t> Stage::Start(Scenario& s, const std::string& role,
                                  std::vector<std::string> argv,
                                  std::vector<std::pair<std::string, std::string>> env,
                                  bool new_session) {
  const char* path = std::getenv("PATH");
  const std::string python_dir = std::filesystem::path(python_).parent_path().string();
  env.emplace_back("PATH", tmp_.Path("bin") + ":" + python_dir + ":" + (path ? path : ""));
  roles_[s.id].push_back(role);
  const std::string base = tmp_.Path(s.id + "-" + role);
  std::optional<pid_t> pid = live_.Start(SpawnSpec{.argv = std::move(argv),
                                                   .stdout_path = base + ".out",
                                                   .stderr_path = base + ".err",
                                                   .env = std::move(env),
                                                   .new_session = new_session});
  if (pid) {
    s.leaders.push_back(*pid);
  } else {
    s.failed = "cannot start " + role;
  }
  return pid;
}

std::string Stage::Out(const Scenario& s, const std::string& role) const {
  return ReadAll(tmp_.Path(s.id + "-" + role + ".out"));
}

std::string Stage::Err(const Scenario& s, const std::string& role) const {
  return ReadAll(tmp_.Path(s.id + "-" + role + ".err"));
}

std::string Stage::Errors(const Scenario& s) const {
  std::string out;
  auto roles = roles_.find(s.id);
  if (roles == roles_.end()) return out;
  for (const std::string& role : roles->second) {
    const std::string err = Err(s, role);
    if (!err.empty()) out += role + ": " + err.substr(0, 2000) + "\n";
  }
  return out;
}

void Stage::Refresh() {
  all_ = ReadAllLiveProcesses();
  index_.clear();
  for (size_t i = 0; i < all_.size(); ++i) index_[all_[i].pid] = i;
}

const LiveProcess* Stage::Find(pid_t pid) const {
  auto it = index_.find(pid);
  return it == index_.end() ? nullptr : &all_[it->second];
}

std::vector<LiveProcess> Stage::ChildrenOf(pid_t pid) const {
  std::vector<LiveProcess> out;
  for (const LiveProcess& p : all_) {
    if (p.ppid == pid) out.push_back(p);
  }
  return out;
}

std::vector<LiveProcess> Stage::InGroup(pid_t pgid) const {
  std::vector<LiveProcess> out;
  for (const LiveProcess& p : all_) {
    if (p.pgid == pgid) out.push_back(p);
  }
  return out;
}

std::optional<Copy> ObserveCopy(const Stage& stage, pid_t root, size_t size,
                                const std::string& program, const std::string& marker) {
  Copy copy;
  copy.processes = Subtree(root, stage.all());
  if (copy.processes.size() != size) return std::nullopt;
  const LiveProcess& last = copy.processes.back();
  if (last.argv.empty() || Basename(last.argv[0]) != program) return std::nullopt;
  for (size_t i = 1; i < last.argv.size(); ++i) {
    if (last.argv[i].find(marker) != std::string::npos) return copy;
  }
  return std::nullopt;
}

bool ObserveCopies(const Stage& stage, const std::vector<pid_t>& roots, size_t size,
                   const std::string& program, const std::string& marker,
                   std::vector<Copy>* copies) {
  std::vector<Copy> seen;
  for (pid_t root : roots) {
    std::optional<Copy> copy = ObserveCopy(stage, root, size, program, marker);
    if (!copy) return false;
    seen.push_back(*std::move(copy));
  }
  *copies = std::move(seen);
  return true;
}

std::string ShellQuoted(const std::string& word) {
  std::string out = "'";
  for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

void RecordProcesses(const Stage& stage, Scenario& s) {
  s.processes.clear();
  s.ns_pids.clear();
  const std::set<pid_t> groups(s.leaders.begin(), s.leaders.end());
  for (const LiveProcess& p : stage.all()) {
    bool ours = groups.count(p.pgid) != 0;
    for (const LiveProcess& e : s.escaped)
      ours = ours || (e.pid == p.pid && e.starttime == p.starttime);
    if (!ours || p.state == 'Z' || p.state == 'X') continue;
    s.processes[p.pid] = p;
    if (std::optional<pid_t> ns = ReadNsPid(p.pid)) s.ns_pids[p.pid] = *ns;
  }
}

namespace {

// Runs `s`'s steps as far as they go in this round, then its observation.
void Advance(Stage& stage, Scenario& s) {
  while (s.failed.empty() && s.next_step < s.steps.size() && s.steps[s.next_step](stage, s)) {
    ++s.next_step;
  }
  if (s.failed.empty() && s.next_step == s.steps.size()) s.ready = s.observe(stage, s);
}

}  // namespace

std::vector<std::string> BringUp(Stage& stage, Scenarios& scenarios,
                                 std::chrono::milliseconds timeout) {
  PollUntil(
      [&] {
        stage.Refresh();
        bool all_up = true;
        for (const std::unique_ptr<Scenario>& s : scenarios) {
          if (!s->ready && s->failed.empty()) Advance(stage, *s);
          all_up = all_up && s->ready;
        }
        return all_up;
      },
      timeout);
  std::vector<std::string> down;
  for (const std::unique_ptr<Scenario>& s : scenarios) {
    if (s->ready) continue;
    const std::string where = s->failed.empty()
                                  ? "stopped at step " + std::to_string(s->next_step) + " of " +
                                        std::to_string(s->steps.size()) +
                                        (s->next_step == s->steps.size() ? " (observing)" : "")
                                  : s->failed;
    down.push_back(s->id + " (" + s->shape + ") did not come up: " + where + "\n" +
                   stage.Errors(*s));
  }
  return down;
}

}  // namespace procleak::testing
