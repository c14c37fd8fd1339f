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
#include "cli/reap_pinning.h"
#include "cli/reap_result.h"
#include "fmt/format.h"

namespace procleak {
namespace {

// "812 813 ... and 4 more": ten pids at most.
std::string PidList(const std::vector<int>& pids) {
  const size_t shown = std::min<size_t>(pids.size(), 10);
  std::string out = absl::StrJoin(pids.begin(), pids.begin() + shown, " ");
  if (pids.size() > shown) absl::StrAppend(&out, " and ", pids.size() - shown, " more");
  return out;
}

class Stopper {
 public:
  Stopper(const ReapPlan& plan, const ReapStopOptions& options, ReapSystem* system)
      : plan_(plan), options_(options), system_(system), pins_(plan, options, system) {}

  ReapActed Run() {
    // Roots first, then what is below them; then the planned processes not found that way
    // (their parent exited since the scan), shallowest first.
    pins_.PinRoots();
    const absl::Time deadline = system_->Now() + options_.stop_wait;
    Freeze(deadline);
    for (size_t i = plan_.order.size(); i-- > 0;) pins_.PinPlanned(i);
    Freeze(deadline);
    NoteNotStopped();
    for (ReapEntry& e : entries()) e.tentative = false;
    Terminate();
    Grace();
    Kill();
    return Collect();
  }

 private:
  std::vector<ReapEntry>& entries() { return pins_.entries(); }
  const std::vector<ReapEntry>& entries() const { return pins_.entries(); }

  // Waits until every pinned process is seen stopped, or until `deadline`.
  void AwaitStopped(absl::Time deadline) {
    absl::Duration nap = absl::Milliseconds(1);
    for (;;) {
      bool all = true;
      for (size_t i = 0; i < entries().size(); ++i) {
        ReapEntry& e = entries()[i];
        if (!e.Live() || e.stopped) continue;
        switch (system_->ThreadsStopped(e.process.pid, e.process.starttime_ticks)) {
          case ReapSystem::Stopped::kYes:
            e.stopped = true;
            break;
          case ReapSystem::Stopped::kGone:
            pins_.Exit(i);
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
    pins_.set_phase_signal(SIGSTOP);
    for (int round = 1;; ++round) {
      AwaitStopped(deadline);
      if (pins_.Track() == 0) break;
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
    for (const ReapEntry& e : entries()) {
      if (e.Live() && !e.stopped) running.push_back(e.process.pid);
    }
    if (!running.empty()) {
      notes_.push_back(fmt::format("did not stop within {} of SIGSTOP: {}",
                                   absl::FormatDuration(options_.stop_wait), PidList(running)));
    }
  }

  int Depth(size_t i) const {
    int depth = 0;
    for (int p = entries()[i].parent; p >= 0 && depth <= static_cast<int>(entries().size());
         p = entries()[p].parent) {
      ++depth;
    }
    return depth;
  }

  // The live entries, each before its live ancestors: deepest first (found below a pinned one,
  // or by ppid among the pinned), then in plan order.
  std::vector<size_t> SignalOrder() const {
    std::map<int, size_t> live_by_pid;
    for (size_t i = 0; i < entries().size(); ++i) {
      if (entries()[i].Live()) live_by_pid[entries()[i].process.pid] = i;
    }
    std::vector<std::pair<int, size_t>> depth;
    for (const auto& [pid, i] : live_by_pid) {
      int d = 0;
      std::set<size_t> seen{i};
      for (auto up = live_by_pid.find(entries()[i].ppid);
           up != live_by_pid.end() && seen.insert(up->second).second;
           up = live_by_pid.find(entries()[up->second].ppid)) {
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
      ReapEntry& e = entries()[i];
      if (!e.Live()) continue;
      if (const int err = system_->Signal(e.handle, sig); err == 0) {
        if (sig == SIGTERM) e.termed = true;
        if (sig == SIGKILL) e.killed = true;
        if (sig == SIGSTOP) e.stopped = false;
      } else if (err == ESRCH) {
        pins_.Exit(i);
      } else if (sig != SIGCONT) {
        pins_.Resolve(i, FailedCall(call, err));
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
    for (const ReapEntry& e : entries()) {
      if (e.Live()) out.push_back(e.handle);
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
        if (pins_.Track() == 0) return;
        continue;
      }
      const absl::Time now = system_->Now();
      if (now >= deadline) return;
      for (int h : system_->WaitExited(handles, std::min(deadline, next_track) - now)) {
        if (std::optional<size_t> i = pins_.EntryOfHandle(h)) pins_.Exit(*i);
      }
      if (system_->Now() >= next_track) {
        pins_.Track();  // what the terminating processes started: SIGTERM
        next_track = system_->Now() + track;
      }
    }
  }

  void Grace() {
    pins_.set_phase_signal(SIGTERM);
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
    pins_.set_phase_signal(SIGKILL);  // what the last ones left as they exited
    AwaitExits(system_->Now() + options_.kill_wait, absl::InfiniteDuration());
    for (size_t i = 0; i < entries().size(); ++i) {
      if (entries()[i].Live()) {
        pins_.Resolve(i, {ReapOutcome::kFailed, "still running after SIGKILL"});
      }
    }
  }

  ReapActed Collect() {
    ReapActed out;
    out.planned.resize(plan_.order.size());
    out.found.resize(pins_.chain_count());
    std::vector<std::pair<int, size_t>> found;
    for (size_t i = 0; i < entries().size(); ++i) {
      const ReapEntry& e = entries()[i];
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
      const ReapEntry& e = entries()[i];
      out.found[e.chain].push_back({e.process, e.result, e.by, e.found_in});
    }
    out.notes = std::move(notes_);
    if (pins_.left_noted() > 0) {
      out.notes.push_back(fmt::format(
          "stopped pinning after {} processes found after the scan: {} more below stopped "
          "processes were left running",
          options_.max_found, pins_.left_noted()));
    }
    out.incomplete = incomplete_ || pins_.incomplete();
    return out;
  }

  const ReapPlan& plan_;
  const ReapStopOptions& options_;
  ReapSystem* system_;
  ReapPinning pins_;
  std::vector<std::string> notes_;
  bool incomplete_ = false;  // the max_rounds limit left processes running
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
