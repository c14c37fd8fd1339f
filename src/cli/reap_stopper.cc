// SPDX-License-Identifier: Apache-2.0
#include "cli/reap_stopper.h"

#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/reap_result.h"
#include "cli/reap_strays.h"
#include "fmt/format.h"
#include "signature/signature.h"

namespace procleak {
namespace {

using Key = std::pair<int, uint64_t>;  // (pid, starttime): a process, where a pid may be reused

// "812 813 ... and 4 more": ten pids at most.
std::string PidList(const std::vector<int>& pids) {
  const size_t shown = std::min<size_t>(pids.size(), 10);
  std::string out = absl::StrJoin(pids.begin(), pids.begin() + shown, " ");
  if (pids.size() > shown) absl::StrAppend(&out, " and ", pids.size() - shown, " more");
  return out;
}

struct Entry {
  ReapProcess process;
  int planned = -1;  // position in plan.order; -1 for a process found below a stopped one
  int chain = -1;    // among the plan's chains to stop
  int parent = -1;   // the entry it was found below; -1 when pinned by its planned identity
  int ppid = 0;      // when pinned
  int pgrp = 0;      // when pinned
  int session = 0;   // when pinned
  ReapFoundBy by = ReapFoundBy::kParent;
  int found_in = 0;      // the process group or session it was found by
  int handle = -1;       // its pidfd, while pinned and not known to have exited
  bool stopped = false;  // seen stopped since its last SIGSTOP
  bool termed = false;
  bool killed = false;
  // Its result is "identity changed", unless it turns up below a pinned process of its chain:
  // a child that exec'd since the scan is known by its parent, not by its command.
  bool tentative = false;
  bool done = false;
  ReapResult result;
};

class Stopper {
 public:
  Stopper(const ReapPlan& plan, const ReapStopOptions& options, ReapSystem* system)
      : plan_(plan), options_(options), system_(system) {
    for (const ReapGroup& g : plan.groups) {
      for (const ReapChain& c : g.stop) chains_.push_back(&c);
    }
    cgroup_.resize(chains_.size());
    for (size_t i = 0; i < plan.order.size(); ++i) {
      Entry e;
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

  ReapActed Run() {
    // Roots first, then what is below them; then the planned processes not found that way
    // (their parent exited since the scan), shallowest first.
    scope_.freeze_ticks = system_->NowTicks();
    for (size_t c = 0; c < chains_.size(); ++c) {
      for (const ReapProcess& p : chains_[c]->processes) {
        auto it = by_key_.find({p.pid, p.starttime_ticks});
        if (p.pid == chains_[c]->root_pid && it != by_key_.end()) PinPlanned(it->second);
      }
    }
    const absl::Time deadline = system_->Now() + options_.stop_wait;
    Freeze(deadline);
    for (size_t i = plan_.order.size(); i-- > 0;) PinPlanned(i);
    Freeze(deadline);
    NoteNotStopped();
    for (Entry& e : entries_) e.tentative = false;
    Terminate();
    Grace();
    Kill();
    return Collect();
  }

 private:
  bool Live(const Entry& e) const { return e.handle >= 0; }

  void Resolve(size_t i, ReapResult result, bool tentative = false) {
    Entry& e = entries_[i];
    if (e.handle >= 0) {
      handle_entry_.erase(e.handle);
      system_->Close(e.handle);
      e.handle = -1;
    }
    e.result = std::move(result);
    e.done = true;
    e.tentative = tentative;
  }

  // `i` has exited: what that means depends on the last signal it was sent. What it started
  // and left behind may be found by its process group and session (reap_strays.h).
  void Exit(size_t i) {
    const Entry& e = entries_[i];
    const StrayOrigin origin{system_->NowTicks(), e.chain};
    scope_.group_exits[e.pgrp].push_back(origin);
    scope_.session_exits[e.session].push_back(origin);
    Resolve(i, e.killed   ? ReapResult{ReapOutcome::kKilled, ""}
               : e.termed ? ReapResult{ReapOutcome::kTerminated, ""}
                          : ExitedBefore());
  }

  // Sends `sig` to the freshly pinned `i` (its stat `now` read after pidfd_open) through `fd`,
  // which it keeps while the process lives.
  bool Pin(size_t i, int fd, int sig, const Stat& now) {
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
    Entry& e = entries_[i];
    e.handle = fd;
    e.stopped = false;
    e.termed = sig == SIGTERM;
    e.killed = sig == SIGKILL;
    e.done = false;
    e.tentative = false;
    handle_entry_[fd] = i;
    return true;
  }

  // nullopt when `i`, just pinned, is in its chain's cgroup (the first pinned process of a chain
  // sets it); else what became of it.
  std::optional<ReapResult> CgroupCheck(size_t i) {
    Entry& e = entries_[i];
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

  // Pins and stops planned process `i` if it is still the planned one.
  void PinPlanned(size_t i) {
    if (entries_[i].done && !entries_[i].tentative) return;
    if (Live(entries_[i])) return;
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

  std::string ProtectedReason(const Stat& s) const {
    if (s.pid == 1) return "PID 1";
    if (s.pid <= 1) return "pid <= 1";
    if ((s.flags & kPfKthread) != 0) return "kernel thread";
    auto it = options_.protected_pids.find(s.pid);
    return it == options_.protected_pids.end() ? "" : it->second;
  }

  size_t AddFound(const Stat& s, int chain, int parent) {
    Entry e;
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

  // Pins child `s` of the pinned `parent` and sends it `sig`; its entry if it is pinned now.
  std::optional<size_t> PinChild(const Stat& s, size_t parent) {
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
    Entry& e = entries_[i];
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

  // Pins `stray` and sends it the phase's signal, if it is still the process listed and runs in
  // its chain's cgroup (else it is left alone, and not looked at again).
  bool PinStray(const Stray& stray) {
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

  // One listing of /proc: pins every process that pinned ones started and that is not known yet,
  // below them or lost by them (reap_strays.h). Returns how many it pinned.
  int Track() {
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

  // Pins every process of `all` below a pinned one that is not known yet; returns how many.
  int PinChildren(const std::vector<Stat>& all) {
    std::map<int, const Stat*> by_pid;
    std::map<int, std::vector<const Stat*>> children;
    for (const Stat& s : all) {
      by_pid[s.pid] = &s;
      if (!Exited(s)) children[s.ppid].push_back(&s);
    }
    std::vector<size_t> queue;
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (Live(entries_[i])) queue.push_back(i);
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
          const Entry& k = entries_[it->second];
          if (Live(k) || (k.done && !k.tentative)) continue;
        }
        if (std::optional<size_t> pinned = PinChild(*child, queue[q])) {
          queue.push_back(*pinned);
          ++added;
        }
      }
    }
    return added;
  }

  // Waits until every pinned process is seen stopped, or until `deadline`.
  void AwaitStopped(absl::Time deadline) {
    absl::Duration nap = absl::Milliseconds(1);
    for (;;) {
      bool all = true;
      for (size_t i = 0; i < entries_.size(); ++i) {
        Entry& e = entries_[i];
        if (!Live(e) || e.stopped) continue;
        switch (system_->ThreadsStopped(e.process.pid, e.process.starttime_ticks)) {
          case ReapSystem::Stopped::kYes:
            e.stopped = true;
            break;
          case ReapSystem::Stopped::kGone:
            Exit(i);
            break;
          case ReapSystem::Stopped::kNo:
            all = false;
            break;
        }
      }
      const absl::Time now = system_->Now();
      if (all || now >= deadline) return;
      system_->Sleep(std::min(nap, deadline - now));
      nap = std::min(nap * 2, absl::Milliseconds(20));
    }
  }

  // Rounds of waiting (until `deadline` at most) for the pinned processes to stop and pinning
  // (and stopping) their children, until one finds nothing new: then nothing is left that could
  // fork.
  void Freeze(absl::Time deadline) {
    phase_sig_ = SIGSTOP;
    for (int round = 1;; ++round) {
      AwaitStopped(deadline);
      if (Track() == 0) break;
      if (round >= options_.max_rounds) {
        incomplete_ = true;
        notes_.push_back(
            fmt::format("stopped looking for descendants after {} rounds: some may be left running",
                        options_.max_rounds));
        break;
      }
    }
  }

  void NoteNotStopped() {
    std::vector<int> running;
    for (const Entry& e : entries_) {
      if (Live(e) && !e.stopped) running.push_back(e.process.pid);
    }
    if (!running.empty()) {
      notes_.push_back(fmt::format("did not stop within {} of SIGSTOP: {}",
                                   absl::FormatDuration(options_.stop_wait), PidList(running)));
    }
  }

  int Depth(size_t i) const {
    int depth = 0;
    for (int p = entries_[i].parent; p >= 0 && depth <= static_cast<int>(entries_.size());
         p = entries_[p].parent) {
      ++depth;
    }
    return depth;
  }

  // The live entries, each before its live ancestors: deepest first (found below a pinned one,
  // or by ppid among the pinned), then in plan order.
  std::vector<size_t> SignalOrder() const {
    std::map<int, size_t> live_by_pid;
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (Live(entries_[i])) live_by_pid[entries_[i].process.pid] = i;
    }
    std::vector<std::pair<int, size_t>> depth;
    for (const auto& [pid, i] : live_by_pid) {
      int d = 0;
      std::set<size_t> seen{i};
      for (auto up = live_by_pid.find(entries_[i].ppid);
           up != live_by_pid.end() && seen.insert(up->second).second;
           up = live_by_pid.find(entries_[up->second].ppid)) {
        ++d;
      }
      depth.emplace_back(d, i);
    }
    std::sort(depth.begin(), depth.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    std::vector<size_t> out;
    for (const auto& [d, i] : depth) out.push_back(i);
    return out;
  }

  void SignalAll(const std::vector<size_t>& order, int sig, const char* call) {
    for (size_t i : order) {
      Entry& e = entries_[i];
      if (!Live(e)) continue;
      if (const int err = system_->Signal(e.handle, sig); err == 0) {
        if (sig == SIGTERM) e.termed = true;
        if (sig == SIGKILL) e.killed = true;
        if (sig == SIGSTOP) e.stopped = false;
      } else if (err == ESRCH) {
        Exit(i);
      } else if (sig != SIGCONT) {
        Resolve(i, FailedCall(call, err));
      }
    }
  }

  // SIGTERM to every pinned process, then SIGCONT, so that each handles the SIGTERM; children
  // first, so that no wrapper runs on to see its child die.
  void Terminate() {
    const std::vector<size_t> order = SignalOrder();
    SignalAll(order, SIGTERM, "pidfd_send_signal SIGTERM");
    SignalAll(order, SIGCONT, "pidfd_send_signal SIGCONT");
  }

  std::vector<int> LiveHandles() const {
    std::vector<int> out;
    for (const Entry& e : entries_) {
      if (Live(e)) out.push_back(e.handle);
    }
    return out;
  }

  // Waits until `deadline` for the pinned processes to exit, looking every `track` for what they
  // start (pinned with the phase's signal), and once more when none is left: a process that
  // starts another as it exits leaves it reparented, found by its process group or session.
  void AwaitExits(absl::Time deadline, absl::Duration track) {
    absl::Time next_track = system_->Now() + track;
    for (;;) {
      const std::vector<int> handles = LiveHandles();
      if (handles.empty()) {
        if (Track() == 0) return;
        continue;
      }
      const absl::Time now = system_->Now();
      if (now >= deadline) return;
      for (int h : system_->WaitExited(handles, std::min(deadline, next_track) - now)) {
        if (auto it = handle_entry_.find(h); it != handle_entry_.end()) Exit(it->second);
      }
      if (system_->Now() >= next_track) {
        Track();  // what the terminating processes started: SIGTERM
        next_track = system_->Now() + track;
      }
    }
  }

  void Grace() {
    phase_sig_ = SIGTERM;
    AwaitExits(system_->Now() + options_.grace, options_.track_interval);
  }

  // Freezes what is left (with anything it started), then SIGKILL.
  void Kill() {
    std::vector<size_t> order = SignalOrder();
    if (order.empty()) return;
    SignalAll(std::vector<size_t>(order.rbegin(), order.rend()), SIGSTOP,
              "pidfd_send_signal SIGSTOP");
    Freeze(system_->Now() + options_.stop_wait);
    NoteNotStopped();
    SignalAll(SignalOrder(), SIGKILL, "pidfd_send_signal SIGKILL");
    phase_sig_ = SIGKILL;  // what the last ones left as they exited
    AwaitExits(system_->Now() + options_.kill_wait, absl::InfiniteDuration());
    for (size_t i = 0; i < entries_.size(); ++i) {
      if (Live(entries_[i])) Resolve(i, {ReapOutcome::kFailed, "still running after SIGKILL"});
    }
  }

  ReapActed Collect() {
    ReapActed out;
    out.planned.resize(plan_.order.size());
    out.found.resize(chains_.size());
    std::vector<std::pair<int, size_t>> found;
    for (size_t i = 0; i < entries_.size(); ++i) {
      const Entry& e = entries_[i];
      if (e.planned >= 0) {
        out.planned[e.planned] =
            e.done ? e.result : ReapResult{ReapOutcome::kFailed, "not reached"};
      } else if (e.chain >= 0) {
        found.emplace_back(Depth(i), i);
      }
    }
    std::stable_sort(found.begin(), found.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [d, i] : found) {
      const Entry& e = entries_[i];
      out.found[e.chain].push_back({e.process, e.result, e.by, e.found_in});
    }
    out.notes = std::move(notes_);
    if (left_noted_ > 0) {
      out.notes.push_back(fmt::format(
          "stopped pinning after {} processes found after the scan: {} more below stopped "
          "processes were left running",
          options_.max_found, left_noted_));
    }
    out.incomplete = incomplete_;
    return out;
  }

  const ReapPlan& plan_;
  const ReapStopOptions& options_;
  ReapSystem* system_;
  std::vector<const ReapChain*> chains_;
  std::vector<std::optional<std::string>> cgroup_;  // per chain: its first pinned process's
  std::vector<Entry> entries_;                      // planned (plan order), then found
  std::map<Key, size_t> by_key_;
  std::map<int, size_t> handle_entry_;
  std::set<Key> spared_;
  std::set<Key> elsewhere_;  // lost by a pinned process (it seemed) but in another cgroup
  StrayScope scope_;
  std::vector<std::string> notes_;
  int phase_sig_ = SIGSTOP;  // what a process found now is sent
  size_t found_ = 0;
  size_t left_ = 0;
  size_t left_noted_ = 0;
  bool incomplete_ = false;
};

}  // namespace

ReapActed DryRunResults(const ReapPlan& plan) {
  ReapActed out;
  for (const ReapProcess& p : plan.order) {
    out.planned.push_back(p.protected_reason.empty()
                              ? ReapResult{ReapOutcome::kWouldSignal, ""}
                              : ReapResult{ReapOutcome::kSkipped, SkipDetail(p.protected_reason)});
  }
  for (const ReapGroup& g : plan.groups) out.found.resize(out.found.size() + g.stop.size());
  return out;
}

ReapActed StopChains(const ReapPlan& plan, const ReapStopOptions& options, ReapSystem* system) {
  return Stopper(plan, options, system).Run();
}

}  // namespace procleak
