// SPDX-License-Identifier: Apache-2.0
// ReadHost over fixture roots and over this machine.
#include "procfs/host_reader.h"

#include <gtest/gtest.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::TempTree;

void WriteHost(const TempTree& tree) {
  tree.Write("proc/stat", "cpu  1 2 3 4\ncpu0 1 2 3 4\nctxt 99\nbtime 1795387045\nprocesses 9\n");
  tree.Write("proc/meminfo",
             "MemTotal:       24684084 kB\nMemFree:        20000000 kB\n"
             "MemAvailable:   23290780 kB\nCached:            70052 kB\n");
  tree.Write("proc/sys/kernel/hostname", "fixture-host\n");
  tree.Write("proc/sys/kernel/osrelease", "6.1.0-18-amd64\n");
}

TEST(HostReader, Reads_EveryFieldOfFixtureRoot) {
  TempTree tree;
  WriteHost(tree);
  absl::StatusOr<Host> host = ReadHost(tree.root());
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->hostname, "fixture-host");
  EXPECT_EQ(host->kernel, "6.1.0-18-amd64");
  EXPECT_EQ(host->boot_time, absl::FromUnixSeconds(1795387045));
  EXPECT_EQ(host->mem_total_bytes, 24684084ull * 1024);
  EXPECT_EQ(host->mem_available_bytes, 23290780ull * 1024);
  EXPECT_EQ(host->cgroup_mode, CgroupMode::kNone);  // left to the caller
  EXPECT_EQ(host->scanned_at, absl::Time());
}

TEST(HostReader, Accepts_RootWithTrailingSlash) {
  TempTree tree;
  WriteHost(tree);
  absl::StatusOr<Host> host = ReadHost(tree.root() + "/");
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->hostname, "fixture-host");
}

TEST(HostReader, LeavesEmpty_MissingHostnameReleaseAndMeminfo) {
  TempTree tree;
  tree.Write("proc/stat", "btime 1700000000\n");
  absl::StatusOr<Host> host = ReadHost(tree.root());
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->hostname, "");
  EXPECT_EQ(host->kernel, "");
  EXPECT_FALSE(host->mem_total_bytes.has_value());
  EXPECT_FALSE(host->mem_available_bytes.has_value());
  EXPECT_EQ(host->boot_time, absl::FromUnixSeconds(1700000000));
}

TEST(HostReader, Fails_NamingMissingProcStat) {
  TempTree tree;
  WriteHost(tree);
  tree.Remove("proc/stat");
  absl::StatusOr<Host> host = ReadHost(tree.root());
  ASSERT_FALSE(host.ok());
  EXPECT_EQ(host.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(std::string(host.status().message()),
            tree.Path("proc/stat") + ": No such file or directory");
}

TEST(HostReader, Fails_NamingProcStatWithoutBtime) {
  TempTree tree;
  WriteHost(tree);
  tree.Write("proc/stat", "cpu  1 2 3 4\nprocesses 9\n");
  absl::StatusOr<Host> host = ReadHost(tree.root());
  ASSERT_FALSE(host.ok());
  EXPECT_EQ(host.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(host.status().message()), tree.Path("proc/stat") + ": no btime line");
}

TEST(HostReader, Fails_NamingMalformedMeminfo) {
  TempTree tree;
  WriteHost(tree);
  tree.Write("proc/meminfo", "MemTotal: a lot\n");
  absl::StatusOr<Host> host = ReadHost(tree.root());
  ASSERT_FALSE(host.ok());
  EXPECT_EQ(std::string(host.status().message()),
            tree.Path("proc/meminfo") + ": line 1: bad value for MemTotal");
}

TEST(HostReaderLive, Reads_ThisMachine) {
  absl::StatusOr<Host> host = ReadHost("/");
  ASSERT_TRUE(host.ok()) << host.status();
  char hostname[256] = {};
  ASSERT_EQ(gethostname(hostname, sizeof(hostname) - 1), 0);
  EXPECT_EQ(host->hostname, hostname);
  utsname uts{};
  ASSERT_EQ(uname(&uts), 0);
  EXPECT_EQ(host->kernel, uts.release);
  ASSERT_TRUE(host->mem_total_bytes.has_value());
  EXPECT_GT(*host->mem_total_bytes, 0u);
  ASSERT_TRUE(host->mem_available_bytes.has_value());
  EXPECT_LE(*host->mem_available_bytes, *host->mem_total_bytes);
  // now - boot_time is the uptime; btime is truncated to seconds, so allow a little slack.
  double uptime = 0;
  std::ifstream("/proc/uptime") >> uptime;
  ASSERT_GT(uptime, 0);
  double derived = absl::ToDoubleSeconds(absl::Now() - host->boot_time);
  EXPECT_NEAR(derived, uptime, 3.0);
}

}  // namespace
}  // namespace procleak
