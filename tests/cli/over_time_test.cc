// SPDX-License-Identifier: Apache-2.0
// record, replay, diff and export through the built binary, on fixture trees: a replayed moment
// is the scan it recorded, a damaged record still replays, diff reports what changed between two
// scans field by field, and export -o replaces its file atomically or not at all.
#include <dirent.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, TempTree, ...

// The parts of a scan document that describe the host's state (not when or how it was read).
Json StateOf(const Json& doc) {
  Json state = doc;
  for (const char* key :
       {"scanned_at", "scan_ms", "sandbox", "skipped_vanished", "skipped_denied"}) {
    state["host"].erase(key);
  }
  return state;
}

RunResult RecordIncident(const std::string& file, int count) {
  return RunProcleak({"record", "-o", file, "--interval", "0", "--count", std::to_string(count),
                      "--root", DataDir("incident")});
}

TEST(Record, Replay_RendersRecordedMomentAsScanDid) {
  TempTree tmp;
  const std::string file = tmp.Path("incident.plr");
  RunResult rec = RecordIncident(file, 3);
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_NE(rec.err.find("recorded 3 moments to " + file), std::string::npos) << rec.err;

  RunResult scan = RunProcleak({"scan", "--root", DataDir("incident"), "--json"});
  RunResult replay = RunProcleak({"replay", file, "--index", "1", "--json"});
  EXPECT_EQ(replay.exit_code, scan.exit_code) << replay.err;  // the same findings: exit 1
  EXPECT_EQ(replay.err, "");
  Json scanned = ParseJson(scan.out);
  Json replayed = ParseJson(replay.out);
  EXPECT_EQ(StateOf(replayed), StateOf(scanned));
  // The text report too, apart from its timing footer.
  RunResult text = RunProcleak({"replay", file});
  RunResult scan_text = RunProcleak({"scan", "--root", DataDir("incident")});
  std::vector<std::string> a = Lines(text.out), b = Lines(scan_text.out);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i + 1 < a.size(); ++i) EXPECT_EQ(a[i], b[i]);
}

TEST(Record, ListAndSelect_Moments) {
  TempTree tmp;
  const std::string file = tmp.Path("r.plr");
  ASSERT_EQ(RecordIncident(file, 2).exit_code, 0);
  ASSERT_EQ(RecordIncident(file, 2).exit_code, 0);  // appends: 4 moments, a key frame each run
  RunResult list = RunProcleak({"replay", file, "--list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  RunResult version = RunProcleak({"--version"});
  EXPECT_EQ("procleak " + Field(ParseJson(list.out), "procleak_version").get<std::string>() + "\n",
            version.out);
  Json moments = Field(ParseJson(list.out), "moments");
  ASSERT_EQ(moments.size(), 4u);
  EXPECT_EQ(moments[0]["key"], true);
  EXPECT_EQ(moments[1]["key"], false);
  EXPECT_EQ(moments[2]["key"], true);
  EXPECT_EQ(moments[3]["processes"], 634);

  const std::string at = moments[2]["scanned_at"];
  RunResult by_time = RunProcleak({"replay", file, "--at", at, "--json"});
  EXPECT_EQ(Field(Field(ParseJson(by_time.out), "host"), "scanned_at"), at);

  RunResult missing = RunProcleak({"replay", file, "--index", "9"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err, "procleak: " + file + ": no moment 9 (it has 4: 0 to 3)\n");
  RunResult early = RunProcleak({"replay", file, "--at", "2000-01-01T00:00:00Z"});
  EXPECT_EQ(early.exit_code, 2);
  EXPECT_EQ(Lines(early.err).size(), 1u) << early.err;
}

TEST(Record, TruncatedRecord_ReplaysUpToLastCompleteMoment) {
  TempTree tmp;
  const std::string file = tmp.Path("cut.plr");
  ASSERT_EQ(RecordIncident(file, 3).exit_code, 0);
  struct stat st;
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  ASSERT_EQ(truncate(file.c_str(), st.st_size - 10), 0);  // the last frame is cut
  RunResult list = RunProcleak({"replay", file, "--list", "--json"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(Field(ParseJson(list.out), "moments").size(), 2u);
  EXPECT_EQ(list.err.rfind("procleak: warning: " + file, 0), 0u) << list.err;
  RunResult replay = RunProcleak({"replay", file, "--fail-on", "never"});
  EXPECT_EQ(replay.exit_code, 0);
  // Recording again cuts the torn frame off, says so, and goes on.
  RunResult again = RecordIncident(file, 1);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("warning: " + file), std::string::npos) << again.err;
  list = RunProcleak({"replay", file, "--list", "--json"});
  EXPECT_EQ(Field(ParseJson(list.out), "moments").size(), 3u);
  EXPECT_EQ(list.err, "");
}

TEST(Record, Duration_StopsBeforeTheFirstSampleThatWouldStartAfterIt) {
  TempTree tmp;
  const std::string file = tmp.Path("d.plr");
  // Samples at 0, 0.25, 0.5 and 0.75 s; the one at 1 s would start `--duration` after the first.
  RunResult rec = RunProcleak({"record", "-o", file, "--interval", "250ms", "--duration", "1s",
                               "--root", DataDir("incident")});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  EXPECT_NE(rec.err.find("recorded 4 moments"), std::string::npos) << rec.err;
  RunResult list = RunProcleak({"replay", file, "--list", "--json"});
  EXPECT_EQ(Field(ParseJson(list.out), "moments").size(), 4u);
}

// tests/data/records/v1-four-moments.plr was written by procleak record before the record
// format's version 2, from a copy of the v1-docker tree changed between moments (a process
// started, RSS and threads changed, a process ended, a pid reused); v1-four-moments.N.json is
// `procleak replay --index N --json` of it as that procleak printed it (without the analysis).
TEST(Record, VersionOneRecord_ReplaysAsItDidBefore) {
  const std::string dir = DataDir("records");
  const std::string file = dir + "/v1-four-moments.plr";
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    RunResult replay = RunProcleak({"replay", file, "--index", std::to_string(i), "--json"});
    ASSERT_NE(replay.exit_code, 2) << replay.err;
    EXPECT_EQ(replay.err, "");
    Json got = ParseJson(replay.out);
    Json want = ParseJson(ReadAll(dir + "/v1-four-moments." + std::to_string(i) + ".json"));
    got.erase("groups");  // the analysis: what today's procleak makes of the snapshot
    got.erase("findings");
    for (Json* doc : {&got, &want}) (*doc)["host"].erase("sandbox");  // this run's, not recorded
    // Members the document gained since that procleak (additions only: the rest is unchanged).
    got.erase("procleak_version");
    EXPECT_TRUE(Field(got["host"], "proc_hidden").is_null());  // not in a version-1 record
    got["host"].erase("proc_hidden");
    for (const char* array : {"cgroups", "containers"}) {
      for (Json& c : got[array]) {
        for (const char* key : {"memory_limit_bytes_unlimited", "pids_max_unlimited"}) {
          EXPECT_TRUE(Field(c, key).is_boolean());
          c.erase(key);
        }
        // Issue 18: PSS sums (none recorded), swap (not in a version-1 record), the unit.
        EXPECT_TRUE(Field(c, "pss_bytes").is_null());
        c.erase("pss_bytes");
        if (std::string(array) == "cgroups") {
          EXPECT_TRUE(Field(c, "swap_bytes").is_null());
          const Json& unit = Field(c, "unit");
          const std::string path = c.value("path", "");
          EXPECT_TRUE(unit.is_null() || unit == path.substr(path.rfind('/') + 1)) << unit;
          c.erase("swap_bytes");
          c.erase("unit");
        }
        if (std::string(array) == "containers") {
          c.erase("memory_pressure");
          EXPECT_EQ(Field(c, "verified"), true);  // a record without the field: as shown then
          c.erase("verified");
        }
      }
    }
    for (Json& p : got["processes"]) {  // a version-1 record has none of these
      SCOPED_TRACE(p.value("pid", -1));
      EXPECT_EQ(Field(p, "pgid"), 0);
      EXPECT_EQ(Field(p, "sid"), 0);
      EXPECT_EQ(Field(p, "tty_nr"), 0);
      EXPECT_TRUE(Field(p, "ns_pid").is_null());
      EXPECT_FALSE(Field(p, "cgroup_lines").empty());
      for (const char* key : {"pgid", "sid", "tty_nr", "ns_pid", "cgroup_lines"}) p.erase(key);
    }
    EXPECT_EQ(got, want);
  }
}

TEST(Record, NotARecord_IsOneLineError) {
  TempTree tmp;
  tmp.Write("junk", "hello, world\n");
  RunResult replay = RunProcleak({"replay", tmp.Path("junk")});
  EXPECT_EQ(replay.exit_code, 2);
  EXPECT_EQ(Lines(replay.err).size(), 1u);
  EXPECT_EQ(replay.err.rfind("procleak: " + tmp.Path("junk") + ": ", 0), 0u) << replay.err;
  RunResult rec = RunProcleak({"record", "-o", tmp.Path("junk"), "--count", "1"});
  EXPECT_EQ(rec.exit_code, 2);
  EXPECT_EQ(ReadAll(tmp.Path("junk")), "hello, world\n");  // never overwritten
}

TEST(Diff, ScanJsonFiles_ReportsChangesFieldByField) {
  TempTree tmp;
  const std::string root = CopyFixture("incident", tmp.Path("incident"));
  RunResult a = RunProcleak({"scan", "--root", root, "--json"});
  tmp.Write("a.json", a.out);
  // One tavily-mcp chain ends (npm exec, its sh and node), and mcp-hub's charge grows by 1 GiB.
  Json before = ParseJson(a.out);
  const Json* group =
      FindBy(Field(before, "groups"), "signature", "npm exec tavily-mcp > sh > node");
  ASSERT_NE(group, nullptr);
  const Json& chain = (*group)["chains"][0];
  for (const Json& pid : chain["pids"]) tmp.Remove("incident/proc/" + std::to_string(int(pid)));
  const Json* hub = FindBy(Field(before, "containers"), "name", "mcp-hub");
  ASSERT_NE(hub, nullptr);
  const uint64_t memory = (*hub)["memory_bytes"];
  const std::string cgroup = (*hub)["cgroup"];
  tmp.Write("incident/sys/fs/cgroup" + cgroup + "/memory.current",
            std::to_string(memory + (1ull << 30)) + "\n");
  RunResult b = RunProcleak({"scan", "--root", root, "--json"});
  tmp.Write("b.json", b.out);

  RunResult diff = RunProcleak({"diff", tmp.Path("a.json"), tmp.Path("b.json"), "--json"});
  EXPECT_EQ(diff.exit_code, 1) << diff.err;  // changes
  Json d = ParseJson(diff.out);
  EXPECT_EQ(Field(d, "schema"), "procleak.diff/1");
  EXPECT_EQ(Field(d, "processes_ended").size(), chain["pids"].size());
  EXPECT_EQ(Field(d, "processes_started").size(), 0u);
  ASSERT_EQ(Field(d, "chains_ended").size(), 1u);
  EXPECT_EQ(d["chains_ended"][0]["root_pid"], chain["root_pid"]);
  const Json* changed = FindBy(Field(d, "groups"), "signature", "npm exec tavily-mcp > sh > node");
  ASSERT_NE(changed, nullptr);
  EXPECT_EQ((*changed)["count_before"], (*group)["count"]);
  EXPECT_EQ((*changed)["count_after"], int((*group)["count"]) - 1);
  EXPECT_EQ((*changed)["chains_ended"], 1);
  EXPECT_EQ((*changed)["rss_delta_bytes"], -int64_t(chain["rss_bytes"]));
  const Json* grew = FindBy(Field(d, "containers"), "id", (*hub)["id"]);
  ASSERT_NE(grew, nullptr);
  EXPECT_EQ((*grew)["memory_before_bytes"], memory);
  EXPECT_EQ((*grew)["memory_after_bytes"], memory + (1ull << 30));

  RunResult same = RunProcleak({"diff", tmp.Path("a.json"), tmp.Path("a.json")});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  EXPECT_NE(same.out.find("no changes"), std::string::npos) << same.out;
}

TEST(Diff, RecordMoments_AndBadSpecs) {
  TempTree tmp;
  const std::string file = tmp.Path("r.plr");
  ASSERT_EQ(RecordIncident(file, 2).exit_code, 0);
  RunResult d = RunProcleak({"diff", file + "@#0", file, "--json"});
  EXPECT_EQ(d.exit_code, 0) << d.err;  // the fixture did not change
  EXPECT_EQ(Field(ParseJson(d.out), "groups").size(), 0u);
  RunResult bad = RunProcleak({"diff", file + "@#7", file});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "procleak: " + file + "@#7: no such moment (the record has 2: #0 to #1)\n");
  RunResult none = RunProcleak({"diff", tmp.Path("absent.json"), file});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err, "procleak: " + tmp.Path("absent.json") + ": No such file or directory\n");
}

// A recorded moment and the JSON of the same moment are the same snapshot, also when command
// lines and names are not UTF-8 (written as U+FFFD plus their bytes in *_base64).
TEST(Diff, RecordedMomentAgainstItsOwnJson_ReportsNoChange) {
  TempTree tmp;
  const std::string root = CopyFixture("incident", tmp.Path("incident"));
  int rewritten = 0;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/proc")) {
    const std::string cmdline = entry.path() / "cmdline";
    if (!std::filesystem::is_regular_file(cmdline) || std::filesystem::file_size(cmdline) == 0)
      continue;
    std::string args = ReadAll(cmdline);
    args.insert(args.size() - 1, "\xff\xfe\n\"\\\u202E");  // inside the last argument
    tmp.Write("incident/proc/" + entry.path().filename().string() + "/cmdline", args);
    tmp.Write("incident/proc/" + entry.path().filename().string() + "/comm", "\xc3(x\n");
    ++rewritten;
  }
  ASSERT_GT(rewritten, 100);
  const std::string file = tmp.Path("r.plr");
  RunResult rec =
      RunProcleak({"record", "-o", file, "--interval", "0", "--count", "1", "--root", root});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  RunResult replay = RunProcleak({"replay", file, "--json"});
  ASSERT_EQ(replay.err, "");
  const Json doc = ParseJson(replay.out);  // valid UTF-8 JSON
  const Json* chained = FindBy(Field(doc, "groups"), "classification", "leak");
  ASSERT_NE(chained, nullptr);
  EXPECT_NE((*chained)["signature"].get<std::string>().find("\uFFFD"), std::string::npos);
  tmp.Write("moment.json", replay.out);
  for (const auto& [a, b] :
       {std::pair{file, tmp.Path("moment.json")}, {tmp.Path("moment.json"), file}}) {
    RunResult diff = RunProcleak({"diff", a, b});
    EXPECT_EQ(diff.exit_code, 0) << diff.out << diff.err;
    EXPECT_NE(diff.out.find("no changes"), std::string::npos) << diff.out;
  }
}

std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  return names;
}

TEST(Export, Output_IsReplacedAtomicallyOrNotAtAll) {
  TempTree tmp;
  const std::string prom = tmp.Path("procleak.prom");
  RunResult ok = RunProcleak({"export", "--prometheus", "-o", prom, "--root", DataDir("incident")});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "");
  const std::string first = ReadAll(prom);
  EXPECT_NE(first.find("# TYPE procleak_processes gauge\nprocleak_processes 634\n"),
            std::string::npos);
  struct stat st;
  ASSERT_EQ(stat(prom.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  // A failing export (no such root) leaves the old file as it was and no temporary file behind.
  RunResult bad = RunProcleak({"export", "--prometheus", "-o", prom, "--root", tmp.Path("none")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "procleak: " + tmp.Path("none") + "/proc: No such file or directory\n");
  EXPECT_EQ(ReadAll(prom), first);
  EXPECT_EQ(Entries(tmp.root()), std::vector<std::string>{"procleak.prom"});
  // The same to standard output.
  RunResult out = RunProcleak({"export", "--prometheus", "--root", DataDir("incident")});
  EXPECT_EQ(out.exit_code, 0);
  EXPECT_NE(out.out.find("procleak_processes 634\n"), std::string::npos);
}

TEST(Export, UnwritableDirectory_IsOneLineError) {
  RunResult bad = RunProcleak(
      {"export", "--prometheus", "-o", "/nonexistent-dir/x.prom", "--root", DataDir("incident")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "procleak: /nonexistent-dir/x.prom: cannot create a temporary file in "
            "/nonexistent-dir: No such file or directory\n");
}

}  // namespace
}  // namespace procleak
