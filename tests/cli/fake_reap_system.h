// SPDX-License-Identifier: Apache-2.0
#pragma once
// A simulated process table for the tests of StopChains() (reap_stopper.h): processes with
// parents, process groups, sessions and cgroups that fork, stop, handle SIGTERM and die as told,
// and a clock that moves only when the code under test sleeps or waits. PID 1 is in it.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cli/reap_system.h"

namespace procleak::testing {

struct FakeProcess {
  int pid = 0;
  int ppid = 0;
  uint64_t starttime = 0;
  std::vector<std::string> argv;
  std::string cgroup = "0::/app.slice/app.service\n";
  int pgrp = 1;     // inherited by children
  int session = 1;  // inherited by children
  int chain = 0;    // which chain it descends from (inherited by children); 0: none
  bool alive = true;
  bool stopped = false;
  bool term_pending = false;
  // Behaviour.
  bool ignores_term = false;
  bool unkillable = false;            // survives SIGKILL (stuck in the kernel)
  bool never_stops = false;           // SIGSTOP does not take (uninterruptible sleep)
  bool fork_on_stop = false;          // a fork in flight completes as SIGSTOP arrives
  bool stop_forker = false;           // forks as every SIGSTOP arrives, and so do its children
  bool fork_on_term = false;          // handles SIGTERM with `sleep 120 & exit`
  bool term_child_own_group = false;  // ... in a process group of its own (`set -m`)
  std::string term_child_cgroup;      // ... moved to this cgroup, if not empty
  absl::Duration fork_every = absl::InfiniteDuration();
  absl::Time next_fork = absl::InfiniteFuture();
};

// A process table with a clock that moves only when the code under test sleeps or waits.
class FakeSystem : public ReapSystem {
 public:
  FakeSystem() {
    FakeProcess init;
    init.pid = 1;
    init.argv = {"init"};
    init.starttime = 1;
    procs_.push_back(init);
  }
  int Add(int ppid, std::vector<std::string> argv, int chain = -1) {
    FakeProcess p;
    p.pid = next_pid_++;
    p.ppid = ppid;
    p.starttime = ++ticks_;
    p.argv = std::move(argv);
    if (const FakeProcess* parent = Find(ppid)) {
      p.cgroup = parent->cgroup;
      p.chain = parent->chain;
      p.pgrp = parent->pgrp;
      p.session = parent->session;
    }
    if (chain >= 0) p.chain = chain;
    procs_.push_back(p);
    return p.pid;
  }
  // A process with `pid` that started after the one that had it.
  void Reuse(int pid, std::vector<std::string> argv) {
    Die(P(pid));
    FakeProcess p;
    p.pid = pid;
    p.ppid = 1;
    p.starttime = ++ticks_;
    p.argv = std::move(argv);
    procs_.push_back(p);
  }
  FakeProcess& P(int pid) {
    for (auto it = procs_.rbegin(); it != procs_.rend(); ++it) {
      if (it->pid == pid) return *it;
    }
    ADD_FAILURE() << "no process " << pid;
    return procs_.front();
  }
  // setsid(2) and setpgid(2) as `pid` would call them.
  void Setsid(int pid) { P(pid).session = P(pid).pgrp = pid; }
  void Setpgid(int pid, int pgrp) { P(pid).pgrp = pgrp; }
  // The children of `pid` that are alive.
  std::vector<int> ChildrenOf(int pid) const {
    std::vector<int> out;
    for (const FakeProcess& p : procs_) {
      if (p.alive && p.ppid == pid) out.push_back(p.pid);
    }
    return out;
  }
  // Runs `event` once the clock has moved on by `delay` (what other processes do meanwhile).
  void After(absl::Duration delay, std::function<void()> event) {
    events_.push_back({now_ + delay, std::move(event)});
  }
  void Exit(int pid) { Die(P(pid)); }
  void ForkEvery(int pid, absl::Duration every) {
    P(pid).fork_every = every;
    P(pid).next_fork = now_ + every;
  }
  void Advance(absl::Duration d) {
    const absl::Time until = now_ + d;
    while (now_ < until) {
      now_ = std::min(until, now_ + absl::Milliseconds(5));
      for (size_t i = 0; i < events_.size(); ++i) {
        if (events_[i].first > now_) continue;
        std::function<void()> event = std::move(events_[i].second);
        events_.erase(events_.begin() + static_cast<std::ptrdiff_t>(i--));
        event();
      }
      for (size_t i = 0; i < procs_.size(); ++i) {
        FakeProcess& p = procs_[i];
        if (!p.alive || p.stopped || p.never_stops || now_ < p.next_fork) continue;
        p.next_fork = now_ + p.fork_every;
        Fork(i);
      }
    }
  }
  std::vector<int> AliveOfChain(int chain) const {
    std::vector<int> out;
    for (const FakeProcess& p : procs_) {
      if (p.alive && p.chain == chain) out.push_back(p.pid);
    }
    return out;
  }
  // Signals each process received, in order.
  std::vector<int> SignalsOf(int pid) const {
    std::vector<int> out;
    for (const auto& [to, sig] : log_) {
      if (to == pid) out.push_back(sig);
    }
    return out;
  }
  const std::vector<std::pair<int, int>>& log() const { return log_; }
  size_t open_handles() const { return handles_.size(); }

  std::optional<Stat> ReadStat(int pid) override {
    const FakeProcess* p = Find(pid);
    if (p == nullptr) return std::nullopt;
    Stat s;
    s.pid = p->pid;
    s.ppid = p->ppid;
    s.comm = p->argv.empty() ? "" : p->argv[0];
    s.state = p->stopped ? 'T' : 'S';
    s.pgrp = p->pgrp;
    s.session = p->session;
    s.starttime = p->starttime;
    return s;
  }
  ReadOutcome ReadArgv(int pid, std::vector<std::string>* argv) override {
    const FakeProcess* p = Find(pid);
    if (p == nullptr) return ReadOutcome::kGone;
    *argv = p->argv;
    return ReadOutcome::kRead;
  }
  std::optional<std::string> ReadCgroup(int pid) override {
    const FakeProcess* p = Find(pid);
    return p == nullptr ? std::nullopt : std::optional<std::string>(p->cgroup);
  }
  std::vector<Stat> ListProcesses() override {
    ++listings_;
    std::vector<Stat> out;
    for (const FakeProcess& p : procs_) {
      if (p.alive) out.push_back(*ReadStat(p.pid));
    }
    return out;
  }
  Stopped ThreadsStopped(int pid, uint64_t starttime) override {
    const FakeProcess* p = Find(pid);
    if (p == nullptr || p->starttime != starttime) return Stopped::kGone;
    return p->stopped ? Stopped::kYes : Stopped::kNo;
  }
  int Open(int pid) override {
    const FakeProcess* p = Find(pid);
    if (p == nullptr) return -ESRCH;
    handles_[next_handle_] = {p->pid, p->starttime};
    return next_handle_++;
  }
  int Signal(int handle, int sig) override {
    auto it = handles_.find(handle);
    if (it == handles_.end()) return EBADF;
    FakeProcess* p = Find(it->second.first);
    if (p == nullptr || p->starttime != it->second.second) return ESRCH;
    log_.push_back({p->pid, sig});
    switch (sig) {
      case SIGSTOP:
        if (p->never_stops) break;
        if (p->fork_on_stop || p->stop_forker) {
          p->fork_on_stop = false;
          Fork(static_cast<size_t>(p - procs_.data()));
          p = Find(it->second.first);  // Fork may move the table
        }
        p->stopped = true;
        break;
      case SIGCONT:
        p->stopped = false;
        if (p->term_pending) {
          p->term_pending = false;
          if (!p->ignores_term) Terminate(it->second.first);
        }
        break;
      case SIGTERM:
        if (p->stopped) {
          p->term_pending = !p->ignores_term;
        } else if (!p->ignores_term) {
          Terminate(it->second.first);
        }
        break;
      case SIGKILL:
        if (!p->unkillable) Die(*p);
        break;
      default:
        break;
    }
    return 0;
  }
  std::vector<int> WaitExited(const std::vector<int>& handles, absl::Duration timeout) override {
    const absl::Time until = now_ + timeout;
    for (;;) {
      std::vector<int> out;
      for (int h : handles) {
        auto it = handles_.find(h);
        const FakeProcess* p = it == handles_.end() ? nullptr : Find(it->second.first);
        if (p == nullptr || p->starttime != it->second.second) out.push_back(h);
      }
      if (!out.empty() || now_ >= until) return out;
      Advance(std::min(absl::Milliseconds(5), until - now_));
    }
  }
  void Close(int handle) override { handles_.erase(handle); }
  absl::Time Now() override { return now_; }
  uint64_t NowTicks() override { return ++ticks_; }
  void Sleep(absl::Duration d) override { Advance(d); }

 private:
  FakeProcess* Find(int pid) {
    for (FakeProcess& p : procs_) {
      if (p.alive && p.pid == pid) return &p;
    }
    return nullptr;
  }
  const FakeProcess* Find(int pid) const { return const_cast<FakeSystem*>(this)->Find(pid); }
  void Fork(size_t parent) {
    const int ppid = procs_[parent].pid;
    const bool stop_forker = procs_[parent].stop_forker;
    P(Add(ppid, {"sleep", "120"})).stop_forker = stop_forker;
  }
  void Terminate(int pid) {
    if (P(pid).fork_on_term) {
      Fork(static_cast<size_t>(&P(pid) - procs_.data()));
      FakeProcess& child = procs_.back();
      if (P(pid).term_child_own_group) child.pgrp = child.pid;
      if (!P(pid).term_child_cgroup.empty()) child.cgroup = P(pid).term_child_cgroup;
    }
    Die(P(pid));
  }
  void Die(FakeProcess& p) {
    p.alive = false;
    for (FakeProcess& c : procs_) {
      if (c.alive && c.ppid == p.pid) c.ppid = 1;
    }
  }

  std::vector<FakeProcess> procs_;
  std::vector<std::pair<absl::Time, std::function<void()>>> events_;
  std::map<int, std::pair<int, uint64_t>> handles_;
  std::vector<std::pair<int, int>> log_;
  absl::Time now_ = absl::FromUnixSeconds(1800000000);
  uint64_t ticks_ = 1000;
  int next_pid_ = 100;
  int next_handle_ = 3;
  int listings_ = 0;
};

}  // namespace procleak::testing
