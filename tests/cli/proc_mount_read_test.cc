// SPDX-License-Identifier: Apache-2.0
// Reading the options of the scanned /proc from ROOT/proc/self/mountinfo (ReadProcMount): a
// fixture tree without mountinfo leaves them unknown; a malformed one, or one that is not a regular
// file, is an error naming it, in the reader itself and in every command that scans.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "scan/proc_visibility.h"
#include "testing/fake_proc.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::Lines;
using testing::RunProcleakWithin;
using testing::RunResult;
using testing::TempTree;

constexpr const char* kMountinfo = "proc/self/mountinfo";
// A cgroup2 line, then one with no " - " separator.
constexpr const char* kMalformed =
    "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n"
    "22 1 0:21 / /proc rw,relatime proc proc rw,hidepid=2\n";

// WriteHost's v2 host with one process (not PID 1) and `mountinfo` (none when empty).
void WriteTree(const TempTree& tree, std::string_view mountinfo) {
  testing::WriteHost(tree);
  tree.Remove(kMountinfo);
  if (!mountinfo.empty()) tree.Write(kMountinfo, mountinfo);
  testing::WriteProcess(tree, 4242, 1, "sleep");
}

TEST(ProcMountRead, NoMountinfo_OptionsUnknown) {
  TempTree tree;
  WriteTree(tree, "");
  absl::StatusOr<std::optional<ProcMountOptions>> mount = ReadProcMount(tree.root());
  ASSERT_TRUE(mount.ok()) << mount.status();
  EXPECT_FALSE(mount->has_value());
}

TEST(ProcMountRead, WellFormed_GivesTheProcMountsOptions) {
  TempTree tree;
  WriteTree(tree, "22 1 0:21 / /proc rw,relatime - proc proc rw,hidepid=2,gid=4\n");
  absl::StatusOr<std::optional<ProcMountOptions>> mount = ReadProcMount(tree.root());
  ASSERT_TRUE(mount.ok()) << mount.status();
  ASSERT_TRUE(mount->has_value());
  EXPECT_EQ((*mount)->hidepid, "invisible");
  EXPECT_EQ((*mount)->gid, 4u);
}

TEST(ProcMountRead, Malformed_IsAnErrorNamingTheFileAndLine) {
  TempTree tree;
  WriteTree(tree, kMalformed);
  absl::StatusOr<std::optional<ProcMountOptions>> mount = ReadProcMount(tree.root());
  ASSERT_FALSE(mount.ok());
  EXPECT_EQ(mount.status().message(), tree.Path(kMountinfo) + ": line 2: no ' - ' separator");
}

TEST(ProcMountRead, Fifo_IsAnErrorNamingItNotAWait) {
  TempTree tree;
  WriteTree(tree, "");
  const std::string path = tree.Path(kMountinfo);
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0) << path << ": " << std::strerror(errno);
  absl::StatusOr<std::optional<ProcMountOptions>> mount = ReadProcMount(tree.root());
  ASSERT_FALSE(mount.ok());
  EXPECT_NE(mount.status().message().find(path + ": not a regular file"), std::string::npos)
      << mount.status();
}

// scan (one Scan()), record (the rescanning Scanner) and export: exit 2 and one line naming the
// file, never a report that quietly lacks the mount's options.
TEST(ProcMountRead, MalformedInFixtureTree_EveryScanFailsNamingIt) {
  TempTree tree;
  WriteTree(tree, kMalformed);
  const std::string expected =
      "procleak: " + tree.Path(kMountinfo) + ": line 2: no ' - ' separator";
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"scan", "--root", tree.root()},
           {"scan", "--json", "--root", tree.root()},
           {"record", "-o", tree.Path("r.plr"), "--root", tree.root(), "--count", "1"},
           {"export", "--prometheus", "--root", tree.root()}}) {
    const RunResult r = RunProcleakWithin(args, 30000);
    EXPECT_EQ(r.exit_code, 2) << args[0] << ": " << r.err;
    EXPECT_EQ(Lines(r.err), std::vector<std::string>{expected}) << args[0];
    EXPECT_EQ(r.out, "") << args[0];
  }
}

TEST(ProcMountRead, NoMountinfoInFixtureTree_ScansWithNothingSaidHidden) {
  TempTree tree;
  WriteTree(tree, "");
  const RunResult r = RunProcleakWithin({"scan", "--json", "--root", tree.root()}, 30000);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"proc_hidden\": null"), std::string::npos) << r.out.substr(0, 600);
}

}  // namespace
}  // namespace procleak
