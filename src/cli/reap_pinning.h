// SPDX-License-Identifier: Apache-2.0
#pragma once
// The processes reap pins while stopping chains (reap_stopper.h): the planned ones, what it finds
// below them and what they leave behind, each held by a pidfd and sent the phase's signal once it
// is verified to be the process seen.

#include <signal.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "analysis/reap_plan.h"
#include "cli/reap_result.h"
#include "cli/reap_stopper.h"
#include "cli/reap_strays.h"
#include "cli/reap_system.h"
#include "procfs/stat_parser.h"

namespace procleak {

struct ReapEntry {
  bool Live() const { return handle >= 0; }

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

// The entry table of a stop: one entry per process of plan.order (same positions), then one per
// process found; and the pinning of each.
class ReapPinning {
 public:
  ReapPinning(const ReapPlan& plan, const ReapStopOptions& options, ReapSystem* system);

  std::vector<ReapEntry>& entries() { return entries_; }
  const std::vector<ReapEntry>& entries() const { return entries_; }
  size_t chain_count() const { return chains_.size(); }
  // The entry pinned through pidfd `handle`, if any.
  std::optional<size_t> EntryOfHandle(int handle) const;
  // What a process found from now on is sent.
  void set_phase_signal(int sig) { phase_sig_ = sig; }
  bool incomplete() const { return incomplete_; }    // the max_found limit left processes running
  size_t left_noted() const { return left_noted_; }  // the most a listing left running

  // The first freeze begins: pins and stops the root of every chain.
  void PinRoots();
  // Pins and stops planned process `i` if it is still the planned one.
  void PinPlanned(size_t i);
  // One listing of /proc: pins every process that pinned ones started and that is not known yet,
  // below them or lost by them (reap_strays.h). Returns how many it pinned.
  int Track();

  void Resolve(size_t i, ReapResult result, bool tentative = false);
  // `i` has exited: what that means depends on the last signal it was sent. What it started
  // and left behind may be found by its process group and session (reap_strays.h).
  void Exit(size_t i);

 private:
  using Key = std::pair<int, uint64_t>;  // (pid, starttime): a process, where a pid may be reused

  // Sends `sig` to the freshly pinned `i` (its stat `now` read after pidfd_open) through `fd`,
  // which it keeps while the process lives.
  bool Pin(size_t i, int fd, int sig, const Stat& now);
  // nullopt when `i`, just pinned, is in its chain's cgroup (the first pinned process of a chain
  // sets it); else what became of it.
  std::optional<ReapResult> CgroupCheck(size_t i);
  std::string ProtectedReason(const Stat& s) const;
  size_t AddFound(const Stat& s, int chain, int parent);
  // Pins child `s` of the pinned `parent` and sends it `sig`; its entry if it is pinned now.
  std::optional<size_t> PinChild(const Stat& s, size_t parent);
  // Pins `stray` and sends it the phase's signal, if it is still the process listed and runs in
  // its chain's cgroup (else it is left alone, and not looked at again).
  bool PinStray(const Stray& stray);
  // Pins every process of `all` below a pinned one that is not known yet; returns how many.
  int PinChildren(const std::vector<Stat>& all);

  const ReapStopOptions& options_;
  ReapSystem* system_;
  std::vector<const ReapChain*> chains_;
  std::vector<std::optional<std::string>> cgroup_;  // per chain: its first pinned process's
  std::vector<ReapEntry> entries_;                  // planned (plan order), then found
  std::map<Key, size_t> by_key_;
  std::map<int, size_t> handle_entry_;
  std::set<Key> spared_;
  std::set<Key> elsewhere_;  // lost by a pinned process (it seemed) but in another cgroup
  StrayScope scope_;
  int phase_sig_ = SIGSTOP;  // what a process found now is sent
  size_t found_ = 0;
  size_t left_ = 0;
  size_t left_noted_ = 0;
  bool incomplete_ = false;
};

}  // namespace procleak
