// SPDX-License-Identifier: Apache-2.0
#include "cli/reap_pinning.h"

#include <algorithm>
#include <cerrno>

#include "signature/signature.h"

namespace procleak {

ReapPinning::ReapPinning(const ReapPlan& plan, const ReapStopOptions& options, ReapSystem* system)
    : options_(options), system_(system) {
  for (const ReapGroup& g : plan.groups) {
    for (const ReapChain& c : g.stop) chains_.push_back(&c);
  }
  cgroup_.resize(chains_.size());
  for (size_t i = 0; i < plan.order.size(); ++i) {
    ReapEntry e;
    e.process = plan.order[i];
    e.planned = static_cast<int>(i);
    if (!e.process.protected_reason.empty()) {
      e.done = true;
      e.result = {ReapOutcome::kSkipped, SkipDetail(e.process.protected_reason)};
    }
    by_key_.emplace(Key{e.process.pid, e.process.starttime_ticks}, entries_.size());
    entries_.push_back(std::move(e));
  }
  for (size_t c = 0; c < chains_.size(); ++c) {
    for (const ReapProcess& p : chains_[c]->processes) {
      auto it = by_key_.find({p.pid, p.starttime_ticks});
      if (it != by_key_.end() && entries_[it->second].chain < 0) {
        entries_[it->second].chain = static_cast<int>(c);
      }
    }
  }
  for (const ReapIdentity& s : plan.spared) spared_.insert({s.pid, s.starttime_ticks});
}

std::optional<size_t> ReapPinning::EntryOfHandle(int handle) const {
  auto it = handle_entry_.find(handle);
  if (it == handle_entry_.end()) return std::nullopt;
  return it->second;
}

void ReapPinning::PinRoots() {
  scope_.freeze_ticks = system_->NowTicks();
  for (size_t c = 0; c < chains_.size(); ++c) {
    for (const ReapProcess& p : chains_[c]->processes) {
      auto it = by_key_.find({p.pid, p.starttime_ticks});
      if (p.pid == chains_[c]->root_pid && it != by_key_.end()) PinPlanned(it->second);
    }
  }
}

void ReapPinning::Resolve(size_t i, ReapResult result, bool tentative) {
  ReapEntry& e = entries_[i];
  if (e.handle >= 0) {
    handle_entry_.erase(e.handle);
    system_->Close(e.handle);
    e.handle = -1;
  }
  e.result = std::move(result);
  e.done = true;
  e.tentative = tentative;
}

void ReapPinning::Exit(size_t i) {
  const ReapEntry& e = entries_[i];
  const StrayOrigin origin{system_->NowTicks(), e.chain};
  scope_.group_exits[e.pgrp].push_back(origin);
  scope_.session_exits[e.session].push_back(origin);
  Resolve(i, e.killed   ? ReapResult{ReapOutcome::kKilled, ""}
             : e.termed ? ReapResult{ReapOutcome::kTerminated, ""}
                        : ExitedBefore());
}

bool ReapPinning::Pin(size_t i, int fd, int sig, const Stat& now) {
  entries_[i].pgrp = now.pgrp;
  entries_[i].session = now.session;
  if (const int err = system_->Signal(fd, sig); err != 0) {
    system_->Close(fd);
    Resolve(i, err == ESRCH ? ExitedBefore()
                            : FailedCall(sig == SIGSTOP ? "pidfd_send_signal SIGSTOP"
                                                        : "pidfd_send_signal SIGTERM",
                                         err));
    return false;
  }
  ReapEntry& e = entries_[i];
  e.handle = fd;
  e.stopped = false;
  e.termed = sig == SIGTERM;
  e.killed = sig == SIGKILL;
  e.done = false;
  e.tentative = false;
  handle_entry_[fd] = i;
  return true;
}

std::optional<ReapResult> ReapPinning::CgroupCheck(size_t i) {
  ReapEntry& e = entries_[i];
  if (e.chain < 0) return std::nullopt;
  std::optional<std::string> text = system_->ReadCgroup(e.process.pid);
  std::optional<std::string>& chain = cgroup_[e.chain];
  if (!chain) {
    chain = text;
    return std::nullopt;
  }
  if (text == chain) return std::nullopt;
  // An exiting process leaves its cgroups (on v1 it then shows "/").
  std::optional<Stat> again = system_->ReadStat(e.process.pid);
  if (!again || again->starttime != e.process.starttime_ticks || Exited(*again)) {
    return ExitedBefore();
  }
  if (!text) return ReapResult{ReapOutcome::kSkipped, "cgroup not readable"};
  return ReapResult{ReapOutcome::kSkipped, kOtherCgroup};
}

void ReapPinning::PinPlanned(size_t i) {
  if (entries_[i].done && !entries_[i].tentative) return;
  if (entries_[i].Live()) return;
  Stat now;
  if (std::optional<ReapResult> changed = VerifyPlanned(entries_[i].process, system_, &now)) {
    Resolve(i, *changed, changed->outcome == ReapOutcome::kSkipped);
    return;
  }
  const int fd = system_->Open(entries_[i].process.pid);
  if (fd < 0) {
    Resolve(i, -fd == ESRCH ? ExitedBefore() : FailedCall("pidfd_open", -fd));
    return;
  }
  // The pidfd refers to whatever process held the pid when it was opened: if that one still
  // has the planned starttime (and command), the pidfd pins the planned process.
  if (std::optional<ReapResult> changed = VerifyPlanned(entries_[i].process, system_, &now)) {
    system_->Close(fd);
    Resolve(i, *changed, changed->outcome == ReapOutcome::kSkipped);
    return;
  }
  entries_[i].ppid = now.ppid;
  if (std::optional<ReapResult> other = CgroupCheck(i)) {
    system_->Close(fd);
    Resolve(i, *other);
    return;
  }
  Pin(i, fd, SIGSTOP, now);
}

std::string ReapPinning::ProtectedReason(const Stat& s) const {
  if (s.pid == 1) return "PID 1";
  if (s.pid <= 1) return "pid <= 1";
  if ((s.flags & kPfKthread) != 0) return "kernel thread";
  auto it = options_.protected_pids.find(s.pid);
  return it == options_.protected_pids.end() ? "" : it->second;
}

size_t ReapPinning::AddFound(const Stat& s, int chain, int parent) {
  ReapEntry e;
  e.process.pid = s.pid;
  e.process.ppid = s.ppid;
  e.process.starttime_ticks = s.starttime;
  e.process.comm = s.comm;
  system_->ReadArgv(s.pid, &e.process.argv);
  e.process.command_signature = ClassifyCommand(e.process.argv, s.comm).signature;
  e.process.in_chain = false;
  e.chain = chain;
  e.parent = parent;
  e.ppid = s.ppid;
  by_key_.emplace(Key{s.pid, s.starttime}, entries_.size());
  entries_.push_back(std::move(e));
  ++found_;
  return entries_.size() - 1;
}

std::optional<size_t> ReapPinning::PinChild(const Stat& s, size_t parent) {
  std::optional<size_t> known;
  if (auto it = by_key_.find({s.pid, s.starttime}); it != by_key_.end()) known = it->second;
  const std::string reason = ProtectedReason(s);
  if (!known && reason.empty() && found_ >= options_.max_found) {
    ++left_;
    return std::nullopt;
  }
  const int fd = reason.empty() ? system_->Open(s.pid) : -1;
  if (reason.empty() && fd < 0 && -fd == ESRCH) {
    if (known) Resolve(*known, ExitedBefore());
    return std::nullopt;
  }
  std::optional<Stat> again;
  if (reason.empty() && fd >= 0) {
    // The pidfd pins the child seen in the listing only if the starttime is the same; and it
    // is still this parent's child only if its parent has not exited (and been reaped) since.
    again = system_->ReadStat(s.pid);
    const bool gone = !again || again->starttime != s.starttime || Exited(*again);
    if (gone || again->ppid != entries_[parent].process.pid) {
      system_->Close(fd);
      if (known && gone) Resolve(*known, ExitedBefore());
      return std::nullopt;
    }
  }
  const size_t i = known ? *known : AddFound(s, entries_[parent].chain, static_cast<int>(parent));
  ReapEntry& e = entries_[i];
  e.parent = static_cast<int>(parent);
  e.ppid = s.ppid;
  if (e.chain < 0) e.chain = entries_[parent].chain;
  if (!reason.empty()) {
    Resolve(i, {ReapOutcome::kSkipped, "protected: " + reason});
    return std::nullopt;
  }
  if (fd < 0) {
    Resolve(i, FailedCall("pidfd_open", -fd));
    return std::nullopt;
  }
  if (std::optional<ReapResult> other = CgroupCheck(i)) {
    system_->Close(fd);
    Resolve(i, *other);
    return std::nullopt;
  }
  if (!Pin(i, fd, phase_sig_, *again)) return std::nullopt;
  return i;
}

bool ReapPinning::PinStray(const Stray& stray) {
  const Stat& s = *stray.stat;
  if (stray.chain < 0) return false;
  if (found_ + elsewhere_.size() >= options_.max_found) {
    ++left_;
    return false;
  }
  const int fd = system_->Open(s.pid);
  if (fd < 0) {
    if (-fd == ESRCH) return false;
    Resolve(AddFound(s, stray.chain, -1), FailedCall("pidfd_open", -fd));
    return false;
  }
  std::optional<Stat> again = system_->ReadStat(s.pid);
  if (!again || again->starttime != s.starttime || Exited(*again)) {
    system_->Close(fd);
    return false;
  }
  if (system_->ReadCgroup(s.pid) != cgroup_[stray.chain]) {
    system_->Close(fd);
    elsewhere_.insert({s.pid, s.starttime});
    return false;
  }
  const size_t i = AddFound(s, stray.chain, -1);
  entries_[i].by = stray.by;
  entries_[i].found_in = stray.id;
  return Pin(i, fd, phase_sig_, *again);
}

int ReapPinning::Track() {
  const std::vector<Stat> all = system_->ListProcesses();
  left_ = 0;
  int added = PinChildren(all);
  const auto skip = [&](const Stat& s) {
    const Key key{s.pid, s.starttime};
    return by_key_.contains(key) || spared_.contains(key) || elsewhere_.contains(key) ||
           !ProtectedReason(s).empty();
  };
  for (const Stray& stray : SelectStrays(all, scope_, skip)) {
    if (PinStray(stray)) ++added;
  }
  if (left_ > 0) {
    incomplete_ = true;
    left_noted_ = std::max(left_noted_, left_);
  }
  return added;
}

int ReapPinning::PinChildren(const std::vector<Stat>& all) {
  std::map<int, const Stat*> by_pid;
  std::map<int, std::vector<const Stat*>> children;
  for (const Stat& s : all) {
    by_pid[s.pid] = &s;
    if (!Exited(s)) children[s.ppid].push_back(&s);
  }
  std::vector<size_t> queue;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].Live()) queue.push_back(i);
  }
  int added = 0;
  for (size_t q = 0; q < queue.size(); ++q) {
    // By value: pinning a child adds to entries_.
    const int pid = entries_[queue[q]].process.pid;
    const uint64_t starttime = entries_[queue[q]].process.starttime_ticks;
    auto self = by_pid.find(pid);
    if (self == by_pid.end() || self->second->starttime != starttime) continue;
    auto kids = children.find(pid);
    if (kids == children.end()) continue;
    for (const Stat* child : kids->second) {
      const Key key{child->pid, child->starttime};
      if (spared_.contains(key)) continue;
      if (auto it = by_key_.find(key); it != by_key_.end()) {
        const ReapEntry& k = entries_[it->second];
        if (k.Live() || (k.done && !k.tentative)) continue;
      }
      if (std::optional<size_t> pinned = PinChild(*child, queue[q])) {
        queue.push_back(*pinned);
        ++added;
      }
    }
  }
  return added;
}

}  // namespace procleak
