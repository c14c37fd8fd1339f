// SPDX-License-Identifier: Apache-2.0
// Scans this machine over and over while a helper starts and ends about 1,000 short-lived
// processes a second: every scan succeeds, vanished processes are counted, and no reported process
// mixes the data of two processes (identity is pid plus starttime).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "testing/own_cgroup.h"
#include "procleak/scan.h"

namespace procleak {
namespace {

constexpr char kSpawnerComm[] = "churn-spawner";
constexpr char kChildComm[] = "churn-child";

std::string ReadWhole(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> OwnArgv() {
  std::string text = ReadWhole("/proc/self/cmdline");
  std::vector<std::string> argv;
  for (size_t start = 0; start < text.size();) {
    size_t nul = text.find('\0', start);
    if (nul == std::string::npos) nul = text.size();
    argv.push_back(text.substr(start, nul - start));
    start = nul + 1;
  }
  return argv;
}


void AddNanos(timespec* t, long nanos) {
  t->tv_nsec += nanos;
  while (t->tv_nsec >= 1'000'000'000) {
    t->tv_nsec -= 1'000'000'000;
    ++t->tv_sec;
  }
}

// The spawner: a small forked copy of this test (no exec) that forks a child every millisecond;
// each child renames itself, sleeps 3 ms and exits; the spawner reaps them as it goes. Only
// async-signal-safe calls: the test process may have had threads when it forked.
[[noreturn]] void SpawnerMain(pid_t test_pid, std::atomic<uint64_t>* forks) {
  prctl(PR_SET_NAME, kSpawnerComm);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != test_pid) _exit(1);  // the test died before the line above
  timespec next;
  clock_gettime(CLOCK_MONOTONIC, &next);
  const time_t give_up = next.tv_sec + 30;  // a leaked spawner ends itself
  while (next.tv_sec < give_up) {
    pid_t child = fork();
    if (child == 0) {
      prctl(PR_SET_NAME, kChildComm);
      timespec life{0, 3'000'000};
      nanosleep(&life, nullptr);
      _exit(0);
    }
    if (child > 0) forks->fetch_add(1, std::memory_order_relaxed);
    while (waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    AddNanos(&next, 1'000'000);
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > next.tv_sec + 1) next = now;  // far behind (a stopped machine): catch up
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, nullptr);
  }
  _exit(0);
}

// Owns the spawner and everything it started: the spawner leads its own process group, and the
// test is child subreaper, so the destructor (which also runs when an assertion failed) kills the
// group and reaps the spawner and every orphaned child.
class Churn {
 public:
  Churn() {
    void* shared = mmap(nullptr, sizeof(std::atomic<uint64_t>), PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) return;
    forks_ = new (shared) std::atomic<uint64_t>(0);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    const pid_t test_pid = getpid();
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      SpawnerMain(test_pid, forks_);
    }
    if (pid_ > 0) setpgid(pid_, pid_);
  }
  ~Churn() {
    if (pid_ > 0) {
      kill(-pid_, SIGKILL);
      kill(pid_, SIGKILL);  // in case it had not joined its group yet
      while (waitpid(-1, nullptr, 0) > 0 || errno == EINTR) {
      }
    }
    prctl(PR_SET_CHILD_SUBREAPER, 0);
    if (forks_ != nullptr) munmap(forks_, sizeof(*forks_));
  }
  Churn(const Churn&) = delete;
  Churn& operator=(const Churn&) = delete;

  pid_t pid() const { return pid_; }
  uint64_t forks() const { return forks_ == nullptr ? 0 : forks_->load(); }

 private:
  pid_t pid_ = -1;
  std::atomic<uint64_t>* forks_ = nullptr;
};

// What a short-lived child looked like in one scan; the same (pid, starttime) must look the same
// in every scan.
struct Seen {
  int ppid;
  std::string cgroup;
};

TEST(Churn, EveryScanSucceeds_VanishedAreCounted_AndNoRecordMixesTwoProcesses) {
  const std::vector<std::string> argv = OwnArgv();
  char exe_target[4096];
  ssize_t exe_len = readlink("/proc/self/exe", exe_target, sizeof(exe_target));
  ASSERT_GT(exe_len, 0);
  const std::string self_exe(exe_target, static_cast<size_t>(exe_len));
  const std::string cgroup = testing::OwnAccountingCgroup();

  Churn churn;
  ASSERT_GT(churn.pid(), 0);
  // Let the spawner get going (and rename itself) before the first scan.
  timespec warmup{0, 50'000'000};
  nanosleep(&warmup, nullptr);

  const auto started = std::chrono::steady_clock::now();
  // Three seconds of scans, longer if the machine is so loaded that the churner has not yet
  // forked enough for the test to mean anything (a count, never a rate: CI machines are shared).
  const auto deadline = started + std::chrono::seconds(3);
  const auto last_chance = started + std::chrono::seconds(30);
  constexpr uint64_t kMinForks = 500;
  int scans = 0, pss_scans = 0, threaded_scans = 0, vanished = 0, max_vanished = 0;
  int children_seen = 0;
  std::map<std::pair<int, uint64_t>, Seen> identities;
  for (auto now = started; now < deadline || (churn.forks() < kMinForks && now < last_chance);
       now = std::chrono::steady_clock::now()) {
    ScanOptions options{.root = "/"};
    if (scans % 5 == 1) options.pss = true;
    if (scans % 3 == 2) options.threads = 4;
    absl::StatusOr<Snapshot> s = Scan(options);
    ASSERT_TRUE(s.ok()) << "scan " << scans << ": " << s.status();
    ++scans;
    pss_scans += options.pss ? 1 : 0;
    threaded_scans += options.threads == 4 ? 1 : 0;
    vanished += s->stats().skipped_vanished;
    max_vanished = std::max(max_vanished, s->stats().skipped_vanished);

    const Process* spawner = s->FindProcess(churn.pid());
    ASSERT_NE(spawner, nullptr) << "scan " << scans;
    for (const Process& p : s->processes()) {
      const bool named_child = p.comm == kChildComm;
      if (!named_child && p.ppid != churn.pid()) continue;
      SCOPED_TRACE("pid " + std::to_string(p.pid) + " comm " + p.comm + " state " + p.state);
      // A child is the spawner's until it is reaped (the spawner never dies mid-test), and is
      // named either as its parent (just forked) or churn-child.
      EXPECT_EQ(p.ppid, churn.pid());
      EXPECT_TRUE(named_child || p.comm == kSpawnerComm);
      // No exec: the spawner's argv, exe and cgroup; an exiting child or a zombie has none of
      // argv, exe and RSS any more, but never some other program's.
      if (!p.argv.empty()) {
        EXPECT_EQ(p.argv, argv);
        // status (RSS) is read before cmdline, and an mm once gone never comes back.
        ASSERT_TRUE(p.rss_bytes.has_value());
        EXPECT_GT(*p.rss_bytes, 0u);
        EXPECT_LE(*p.rss_bytes, spawner->rss_bytes.value_or(0) * 4 + (64u << 20));
      }
      if (!p.exe.empty()) {
        EXPECT_EQ(p.exe, self_exe);
      }
      if (p.state == 'Z') {
        EXPECT_TRUE(p.argv.empty());
        EXPECT_FALSE(p.rss_bytes.has_value());
      }
      EXPECT_EQ(p.cgroup, cgroup);
      EXPECT_EQ(p.uid, getuid());
      EXPECT_FALSE(p.kernel_thread);
      // Started after the spawner, and not in the future.
      EXPECT_GE(p.starttime_ticks, spawner->starttime_ticks);
      EXPECT_LE(p.started_at, s->host().scanned_at + absl::Seconds(1));
      auto [it, added] = identities.try_emplace({p.pid, p.starttime_ticks}, Seen{p.ppid, p.cgroup});
      if (!added) {
        EXPECT_EQ(it->second.ppid, p.ppid);
        EXPECT_EQ(it->second.cgroup, p.cgroup);
      }
      ++children_seen;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const uint64_t forks = churn.forks();
  RecordProperty("scans", scans);
  RecordProperty("forks_per_second", static_cast<int>(static_cast<double>(forks) / seconds));
  RecordProperty("vanished", vanished);
  RecordProperty("children_seen", children_seen);
  EXPECT_GE(pss_scans, 1);
  EXPECT_GE(threaded_scans, 1);
  // The churn really ran.
  EXPECT_GE(forks, kMinForks) << "in " << seconds << " s";
  EXPECT_GT(children_seen, 0);
  EXPECT_GT(max_vanished, 0) << scans << " scans, none saw a process vanish";
}

}  // namespace
}  // namespace procleak
