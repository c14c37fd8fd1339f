// SPDX-License-Identifier: Apache-2.0
// A /proc mounted with hidepid hides other users' processes; a scan says so in every output
// (issue 17). The pure parts on their own, fixture trees whose mountinfo names the option, and a
// live scan as user nobody of a /proc mounted hidepid=2 in a private mount and PID namespace
// (unshare(1)): the host's /proc mount is never touched, and everything the test starts runs in
// that namespace, which ends with unshare (waited for; --kill-child).
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "render/format.h"
#include "scan/proc_visibility.h"
#include "testing/fake_proc.h"
#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, ParseJson, Field, TempTree, ...

constexpr const char* kInvisibleGid4 =
    "/proc is mounted hidepid=invisible: only your own processes are visible; run as root or as "
    "a member of group 4 for the whole picture";

std::vector<MountInfo> Mounts(std::string_view text) {
  absl::StatusOr<std::vector<MountInfo>> m = ParseMountInfo(text);
  EXPECT_TRUE(m.ok()) << m.status();
  return m.ok() ? *m : std::vector<MountInfo>();
}

Process Pid(int pid) {
  Process p;
  p.pid = pid;
  return p;
}

TEST(ProcHidden, MountAt_TakesTheLastProcMountThereAndNamesNumericValues) {
  // Overmounted: the second proc mount at /proc is the one a path resolves to.
  const std::vector<MountInfo> mounts = Mounts(
      "22 1 0:21 / /proc rw,relatime - proc proc rw\n"
      "30 22 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n"
      "68 22 0:40 / /proc rw,relatime - proc proc rw,gid=4,hidepid=invisible\n"
      "70 1 0:41 / /host/proc rw - proc proc rw,hidepid=1\n"
      "71 1 0:42 / /old/proc rw - proc proc rw,hidepid=4,gid=x\n"
      "72 1 0:43 / /tmpfs/proc rw - tmpfs tmpfs rw,hidepid=2\n");
  std::optional<ProcMountOptions> proc = ProcMountAt(mounts, "/proc");
  ASSERT_TRUE(proc);
  EXPECT_EQ(proc->hidepid, "invisible");
  EXPECT_EQ(proc->gid, 4u);
  EXPECT_EQ(ProcMountAt(mounts, "/host/proc")->hidepid, "noaccess");
  EXPECT_EQ(ProcMountAt(mounts, "/old/proc")->hidepid, "ptraceable");
  EXPECT_FALSE(ProcMountAt(mounts, "/old/proc")->gid);  // not a number: not a group
  EXPECT_FALSE(ProcMountAt(mounts, "/tmpfs/proc"));     // not procfs
  EXPECT_FALSE(ProcMountAt(mounts, "/sys/fs/cgroup"));
  EXPECT_EQ(ProcMountAt(Mounts("1 0 0:1 / /proc rw - proc proc rw,hidepid=0\n"), "/proc")->hidepid,
            "");
  EXPECT_EQ(ProcMountAt(Mounts("1 0 0:1 / /proc rw - proc proc rw,hidepid=5\n"), "/proc")->hidepid,
            "5");  // a later kernel's value, shown as it is
  EXPECT_EQ(
      ProcMountAt(Mounts("1 0 0:1 / /proc rw - proc proc rw,hidepid=\\033[2J\n"), "/proc")->hidepid,
      "");  // nothing to show a terminal
}

TEST(ProcHidden, HiddenOnlyWhenPid1WasNotRead) {
  const ProcMountOptions invisible{"invisible", 4};
  const std::vector<Process> own = {Pid(4242)};
  const std::vector<Process> all = {Pid(1), Pid(4242)};
  EXPECT_EQ(ProcHidden(invisible, true, own), "hidepid=invisible,gid=4");
  EXPECT_EQ(ProcHidden(ProcMountOptions{"noaccess", {}}, false, own), "hidepid=noaccess");
  EXPECT_EQ(ProcHidden(invisible, true, all), "");           // root, or in group 4: sees everything
  EXPECT_EQ(ProcHidden(ProcMountOptions{}, true, own), "");  // mounted without hidepid
  // Options unknown: a live /proc always lists its PID 1, a fixture tree need not.
  EXPECT_EQ(ProcHidden(std::nullopt, true, own), "pid 1 not visible");
  EXPECT_EQ(ProcHidden(std::nullopt, false, own), "");
  EXPECT_EQ(ProcHidden(std::nullopt, true, all), "");
}

TEST(ProcHidden, Warning_SaysWhatIsHiddenAndWhoSeesIt) {
  EXPECT_EQ(ProcHiddenWarning(""), "");
  EXPECT_EQ(ProcHiddenWarning("hidepid=invisible,gid=4"), kInvisibleGid4);
  EXPECT_EQ(ProcHiddenWarning("hidepid=noaccess"),
            "/proc is mounted hidepid=noaccess: other users' processes cannot be read (counted as "
            "denied); run as root for the whole picture");
  EXPECT_EQ(ProcHiddenWarning("hidepid=ptraceable"),
            "/proc is mounted hidepid=ptraceable: only processes you may trace are visible; run "
            "as root for the whole picture");
  EXPECT_EQ(ProcHiddenWarning("pid 1 not visible"),
            "/proc hides processes from this scan (pid 1 is not visible): the counts cover only "
            "what it shows; run as root for the whole picture");
  // From a hostile document (replay, diff): escaped and bounded.
  const std::string hostile = ProcHiddenWarning("hidepid=\x1b[2J" + std::string(5000, 'x'));
  EXPECT_EQ(hostile.find('\x1b'), std::string::npos);
  EXPECT_LT(hostile.size(), 200u);
}

// A fixture tree (WriteHost's v2 host) with the given processes and a proc line in its mountinfo.
void WriteTree(const TempTree& tree, const std::vector<int>& pids, std::string_view proc_options) {
  WriteHost(tree);
  std::string mountinfo = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n";
  if (!proc_options.empty()) {
    mountinfo += "22 1 0:21 / /proc rw,relatime - proc proc " + std::string(proc_options) + "\n";
  }
  tree.Write("proc/self/mountinfo", mountinfo);
  for (int pid : pids) WriteProcess(tree, pid, pid == 1 ? 0 : 1, pid == 1 ? "init" : "sleep");
}

// Every output of a scan: text, JSON, Prometheus. `wrapper` (empty: none) runs procleak, whose
// path it is given after its own arguments, followed by the command's.
struct Outputs {
  RunResult text, json, metrics;
  Json doc;
};
Outputs ScanAll(const std::vector<std::string>& wrapper, const std::vector<std::string>& after) {
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.end(), after.begin(), after.end());
    if (wrapper.empty()) return RunProcleak(args);
    std::vector<std::string> argv = wrapper;
    argv.push_back(ProcleakBin());
    argv.insert(argv.end(), args.begin(), args.end());
    return RunCommand(argv);
  };
  Outputs o;
  o.text = run({"scan"});
  o.json = run({"scan", "--json"});
  o.metrics = run({"export", "--prometheus"});
  o.doc = ParseJson(o.json.out);
  return o;
}

// The text with its wrapped lines joined again.
std::string Unwrapped(const std::string& text) {
  return absl::StrReplaceAll(text, {{"\n  ", " "}});
}

TEST(ProcHidden, FixtureTreeWithHidepidAndNoPid1_SaysSoEverywhere) {
  TempTree tree;
  WriteTree(tree, {4242}, "rw,hidepid=invisible,gid=4");
  Outputs o = ScanAll({}, {"--root", tree.root()});
  ASSERT_EQ(o.json.exit_code, 0) << o.json.err;
  EXPECT_EQ(Field(Field(o.doc, "host"), "proc_hidden"), "hidepid=invisible,gid=4");
  EXPECT_EQ(Field(Field(o.doc, "host"), "processes"), 1);
  const std::string text = Unwrapped(o.text.out);
  // Under the host lines, and under the process count.
  EXPECT_NE(text.find("\nwarning: " + std::string(kInvisibleGid4) + "\n"), std::string::npos)
      << o.text.out;
  EXPECT_NE(text.find(" denied\nwarning: " + std::string(kInvisibleGid4) + "\n"), std::string::npos)
      << o.text.out;
  EXPECT_NE(o.metrics.out.find("\nprocleak_proc_hidden 1\n"), std::string::npos) << o.metrics.out;
}

TEST(ProcHidden, FixtureTreeWithPid1OrWithoutHidepid_HidesNothing) {
  for (const auto& [pids, options] : std::vector<std::pair<std::vector<int>, std::string>>{
           {{1, 4242}, "rw,hidepid=invisible"},  // the scanning user saw PID 1: nothing hidden
           {{4242}, "rw"},                       // no option
           {{4242}, ""}}) {                      // no proc mount listed (a fixture need not)
    TempTree tree;
    WriteTree(tree, pids, options);
    Outputs o = ScanAll({}, {"--root", tree.root()});
    ASSERT_EQ(o.json.exit_code, 0) << o.json.err;
    EXPECT_TRUE(Field(Field(o.doc, "host"), "proc_hidden").is_null()) << options;
    EXPECT_EQ(o.text.out.find("warning: /proc"), std::string::npos) << o.text.out;
    EXPECT_NE(o.metrics.out.find("\nprocleak_proc_hidden 0\n"), std::string::npos) << o.metrics.out;
  }
}

TEST(ProcHidden, RecordAndReplay_KeepIt) {
  TempTree tree;
  WriteTree(tree, {4242}, "rw,hidepid=2");
  const std::string record = tree.Path("r.plr");
  RunResult rec = RunProcleak(
      {"record", "-o", record, "--root", tree.root(), "--count", "1", "--interval", "0"});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  RunResult replay = RunProcleak({"replay", record, "--json"});
  ASSERT_EQ(replay.exit_code, 0) << replay.err;
  EXPECT_EQ(Field(Field(ParseJson(replay.out), "host"), "proc_hidden"), "hidepid=invisible");
  RunResult text = RunProcleak({"replay", record});
  EXPECT_NE(text.out.find("warning: /proc is mounted hidepid=invisible"), std::string::npos)
      << text.out;
}

// unshare(1) running `sh -c SCRIPT procleak ARGS...` as PID 1 of a new PID namespace, in a new
// mount namespace (private: nothing propagates to the host) where /proc is mounted anew with
// hidepid=2,gid=4; procleak then runs as nobody (setpriv(1)), or as root, in its own process: the
// shell stays PID 1, which every /proc lists.
std::vector<std::string> HidepidNamespace(bool as_nobody) {
  const std::string become =
      as_nobody ? "/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups -- " : "";
  return {"/usr/bin/unshare",
          "--mount",
          "--pid",
          "--fork",
          "--kill-child",
          "--propagation",
          "private",
          "/bin/sh",
          "-c",
          "mount -t proc -o hidepid=2,gid=4 proc /proc || exit 99; " + become + "\"$0\" \"$@\""};
}

TEST(ProcHidden, LiveScanAsNobodyUnderHidepid2_SaysSoEverywhere) {
  if (access("/usr/bin/unshare", X_OK) != 0 || access("/usr/bin/setpriv", X_OK) != 0) {
    GTEST_SKIP() << "needs unshare(1) and setpriv(1)";
  }
  Outputs o = ScanAll(HidepidNamespace(true), {});
  if (o.json.exit_code == 99 || o.json.err.starts_with("unshare:")) {
    GTEST_SKIP() << "cannot mount a private /proc here: " << o.json.err;
  }
  ASSERT_EQ(o.json.exit_code, 0) << o.json.err;
  const Json& host = Field(o.doc, "host");
  EXPECT_EQ(Field(host, "proc_hidden"), "hidepid=invisible,gid=4");
  EXPECT_EQ(Field(host, "processes"), 1);  // procleak itself: the shell (PID 1) is root's
  ASSERT_EQ(o.text.exit_code, 0) << o.text.err;
  const std::string text = Unwrapped(o.text.out);
  EXPECT_NE(text.find("\n1 processes (0 kernel threads) in "), std::string::npos) << o.text.out;
  EXPECT_NE(text.find(" denied\nwarning: " + std::string(kInvisibleGid4) + "\n"), std::string::npos)
      << o.text.out;
  ASSERT_EQ(o.metrics.exit_code, 0) << o.metrics.err;
  EXPECT_NE(o.metrics.out.find("\nprocleak_proc_hidden 1\n"), std::string::npos) << o.metrics.out;
  EXPECT_NE(o.metrics.out.find("\nprocleak_processes 1\n"), std::string::npos) << o.metrics.out;
}

TEST(ProcHidden, LiveScanAsRootUnderHidepid2_SeesEverythingAndSaysNothing) {
  if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "needs unshare(1)";
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  Outputs o = ScanAll(HidepidNamespace(false), {});
  if (o.json.exit_code == 99 || o.json.err.starts_with("unshare:")) {
    GTEST_SKIP() << "cannot mount a private /proc here: " << o.json.err;
  }
  ASSERT_EQ(o.json.exit_code, 0) << o.json.err;
  const Json& host = Field(o.doc, "host");
  EXPECT_TRUE(Field(host, "proc_hidden").is_null());
  EXPECT_GE(Field(host, "processes").get<int>(), 2);  // the shell (PID 1) and procleak
  EXPECT_EQ(o.text.out.find("warning: /proc"), std::string::npos) << o.text.out;
  EXPECT_NE(o.metrics.out.find("\nprocleak_proc_hidden 0\n"), std::string::npos) << o.metrics.out;
}

}  // namespace
}  // namespace procleak
