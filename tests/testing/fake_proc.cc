// SPDX-License-Identifier: Apache-2.0
#include "testing/fake_proc.h"

namespace procleak::testing {

std::string StatLine(int pid, std::string_view comm, char state, int ppid, uint64_t starttime,
                     uint64_t rss_pages) {
  // Fields 3..52 of a real stat line.
  return std::to_string(pid) + " (" + std::string(comm) + ") " + state + " " +
         std::to_string(ppid) + " " + std::to_string(pid) +
         " 0 0 -1 4194560 134 0 1 0 0 0 0 0 20 0 1 0 " + std::to_string(starttime) + " 3133440 " +
         std::to_string(rss_pages) +
         " 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";
}

void WriteProcess(const TempTree& tree, int pid, int ppid, std::string_view comm,
                  uint64_t starttime) {
  std::string dir = "proc/" + std::to_string(pid) + "/";
  tree.Write(dir + "stat", StatLine(pid, comm, 'S', ppid, starttime));
  tree.Write(dir + "statm", "765 381 305 5 0 123 0\n");
  tree.Write(dir + "status", "Name:\t" + std::string(comm) + "\nUid:\t0\t0\t0\t0\nThreads:\t1\n");
  tree.Write(dir + "cmdline", std::string(comm) + std::string("\0--flag\0", 8));
  tree.Write(dir + "cgroup", "0::/app.slice\n");
}

void WriteHost(const TempTree& tree) {
  tree.Write("proc/stat", "cpu  1 2 3 4\nbtime 1795387045\nprocesses 9\n");
  tree.Write("proc/meminfo", "MemTotal:       24684084 kB\nMemAvailable:   23290780 kB\n");
  tree.Write("proc/sys/kernel/hostname", "fixture\n");
  tree.Write("proc/sys/kernel/osrelease", "6.1.0-test\n");
  tree.Write("proc/self/mountinfo",
             "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
  tree.Write("sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
  tree.Write("sys/fs/cgroup/app.slice/memory.current", "4096000\n");
  tree.Write("sys/fs/cgroup/app.slice/memory.max", "max\n");
}

}  // namespace procleak::testing
