// SPDX-License-Identifier: Apache-2.0
// Scanner: a full scan first, then warm rescans that re-read only what changes.

#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "cgroupfs/cgroup_layout.h"
#include "cgroupfs/cgroup_reader.h"
#include "procfs/host_reader.h"
#include "procfs/pid_listing.h"
#include "procfs/process_reader.h"
#include "procleak/scan.h"
#include "scan/proc_visibility.h"
#include "scan/process_scan.h"
#include "scan/snapshot_assembly.h"

namespace procleak {

struct Scanner::State {
  ScanOptions options;
  int proc_fd = -1;
  std::string pid_ns;  // ProcPidNamespace() of proc_fd
  std::string proc_path;
  uint64_t page_size = 4096;
  TypeCheck type_check = TypeCheck::kRegular;  // TypeCheckFor(proc_fd)
  std::optional<CgroupLayout> layout;
  std::optional<ProcMountOptions> proc_mount;  // read with the layout
  bool procfs = false;                         // IsProcfs(proc_fd)
  absl::flat_hash_map<int, Process> known;     // the last snapshot's processes, by pid
  KeptProcesses kept;
  int reused = 0;

  ~State() {
    for (auto& [pid, files] : kept.files) CloseKept(files);
    if (proc_fd >= 0) close(proc_fd);
  }

  void Forget(int pid) {
    known.erase(pid);
    if (auto it = kept.files.find(pid); it != kept.files.end()) {
      CloseKept(it->second);
      kept.files.erase(it);
    }
  }

  KeptFiles FilesOf(int pid) const {
    auto it = kept.files.find(pid);
    return it == kept.files.end() ? KeptFiles() : it->second;
  }

  ProcessReadContext Context() const {
    ProcessReadContext ctx;
    ctx.proc_fd = proc_fd;
    ctx.type_check = type_check;
    ctx.proc_path = proc_path;
    ctx.page_size = page_size;
    ctx.pss = options.pss;
    ctx.ns_pid = true;  // ReadPlan::Full()
    ctx.pid_ns = pid_ns;
    return ctx;
  }

  // Refreshes the known processes still listed; returns the listed pids that need a full read.
  absl::StatusOr<std::vector<int>> RefreshKnown(const std::vector<int>& listed, SkipCounter* skips);
};

absl::StatusOr<std::vector<int>> Scanner::State::RefreshKnown(const std::vector<int>& listed,
                                                              SkipCounter* skips) {
  const absl::flat_hash_set<int> listed_set(listed.begin(), listed.end());
  std::vector<int> gone;
  std::vector<Process*> carried;
  for (auto& [pid, p] : known) {
    if (listed_set.contains(pid)) {
      carried.push_back(&p);
    } else {
      gone.push_back(pid);
    }
  }
  for (int pid : gone) Forget(pid);
  std::vector<Refresh> outcome(carried.size(), Refresh::kEnded);
  const ProcessReadContext ctx = Context();
  absl::Status status = ForEachProcess(
      carried.size(), ctx, options.threads, skips,
      [&](size_t i, size_t, ProcessReadContext* c) -> absl::Status {
        absl::StatusOr<Refresh> r = RefreshProcess(FilesOf(carried[i]->pid), false, c, carried[i]);
        if (!r.ok()) return r.status();
        outcome[i] = *r;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  // A process whose parent ended has been reparented: its stat says to whom.
  absl::flat_hash_set<int> alive;
  for (size_t i = 0; i < carried.size(); ++i) {
    if (outcome[i] == Refresh::kRefreshed) alive.insert(carried[i]->pid);
  }
  ProcessReadContext serial = Context();
  for (size_t i = 0; i < carried.size(); ++i) {
    Process* p = carried[i];
    if (outcome[i] != Refresh::kRefreshed || p->ppid == 0 || alive.contains(p->ppid)) continue;
    absl::StatusOr<Refresh> r = RefreshProcess(FilesOf(p->pid), true, &serial, p);
    if (!r.ok()) return r.status();
    outcome[i] = *r;
  }
  skips->vanished += serial.skips.vanished;
  skips->denied += serial.skips.denied;
  // Ended between the listing and the read, or its pid names another process now: that one (if
  // any) is read in full with the new ones.
  std::vector<int> ended;
  for (size_t i = 0; i < carried.size(); ++i) {
    if (outcome[i] == Refresh::kEnded) ended.push_back(carried[i]->pid);
  }
  for (int pid : ended) Forget(pid);
  std::vector<int> fresh;
  for (int pid : listed) {
    if (!known.contains(pid)) fresh.push_back(pid);
  }
  reused = static_cast<int>(known.size());
  return fresh;
}

Scanner::Scanner(ScanOptions options) : state_(std::make_unique<State>()) {
  state_->options = std::move(options);
  state_->options.read = ReadPlan::Full();  // a rescan refreshes exact RSS; record keeps uid, exe
  state_->proc_path = JoinPath(state_->options.root, "/proc");
  state_->page_size = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  // Kept files tell a reaped process by failing; a fixture tree's files would not, so there
  // every rescan checks identity by stat's starttime instead.
  struct statfs fs {};
  if (statfs(state_->proc_path.c_str(), &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC) return;
  rlimit files{};
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    // Leave room for what a scan opens besides (its threads' files, cgroup and state files); two
    // descriptors per process with PSS (statm and smaps_rollup), one without.
    const size_t limit = static_cast<size_t>(files.rlim_cur);
    state_->kept.budget = (limit > 512 ? limit - 256 : limit / 2) / (state_->options.pss ? 2 : 1);
  } else {
    state_->kept.budget = 1 << 16;
  }
}

Scanner::~Scanner() = default;
Scanner::Scanner(Scanner&&) noexcept = default;
Scanner& Scanner::operator=(Scanner&&) noexcept = default;

int Scanner::reused() const { return state_->reused; }

absl::StatusOr<Snapshot> Scanner::Next() {
  State& s = *state_;
  const auto started = std::chrono::steady_clock::now();
  const absl::Time scanned_at = absl::Now();
  if (s.proc_fd < 0) {
    absl::StatusOr<int> fd = OpenProcDir(s.proc_path);
    if (!fd.ok()) return fd.status();
    s.proc_fd = *fd;
    s.type_check = TypeCheckFor(s.proc_fd);
    s.pid_ns = ProcPidNamespace(s.proc_fd);
    s.procfs = IsProcfs(s.proc_fd);
  }
  absl::StatusOr<Host> host = ReadHost(s.options.root);
  if (!host.ok()) return host.status();
  if (!s.layout) {
    absl::StatusOr<CgroupLayout> layout = ReadCgroupLayout(s.options.root);
    if (!layout.ok()) return layout.status();
    absl::StatusOr<std::optional<ProcMountOptions>> proc_mount = ReadProcMount(s.options.root);
    if (!proc_mount.ok()) return proc_mount.status();
    s.layout = *std::move(layout);
    s.proc_mount = *std::move(proc_mount);
  }
  host->cgroup_mode = s.layout->mode;
  host->scanned_at = scanned_at;

  SkipCounter skips;
  std::vector<int> fresh_pids;
  const std::vector<int>* only = nullptr;
  s.reused = 0;
  if (!s.known.empty()) {
    absl::StatusOr<std::vector<int>> listed = ListPids(s.proc_fd, s.proc_path);
    if (!listed.ok()) return listed.status();
    absl::StatusOr<std::vector<int>> fresh = s.RefreshKnown(*listed, &skips);
    if (!fresh.ok()) return fresh.status();
    fresh_pids = *std::move(fresh);
    only = &fresh_pids;
  }
  absl::StatusOr<std::vector<Process>> read = ReadProcesses(
      s.options.root, *host, *s.layout, s.Context(), s.options.threads, &skips, only, &s.kept);
  if (!read.ok()) return read.status();
  for (Process& p : *read) {
    const int pid = p.pid;
    s.known.insert_or_assign(pid, std::move(p));
  }
  // Files of processes the read kept but then dropped (vanished before their cgroup was read).
  std::vector<int> stray;
  for (const auto& [pid, files] : s.kept.files) {
    if (!s.known.contains(pid)) stray.push_back(pid);
  }
  for (int pid : stray) s.Forget(pid);

  std::vector<Process> processes;
  processes.reserve(s.known.size());
  for (const auto& [pid, p] : s.known) processes.push_back(p);
  host->proc_hidden = ProcHidden(s.proc_mount, s.procfs, processes);
  return FinishSnapshot(s.options, *s.layout, *std::move(host), std::move(processes), s.page_size,
                        skips, started);
}

}  // namespace procleak
