// SPDX-License-Identifier: Apache-2.0
#include "render/json_report.h"

#include <gtest/gtest.h>

#include "procleak/version.h"
#include "report_fixture.h"

namespace procleak {
namespace {

using Json = nlohmann::json;

std::string Text(const Snapshot& s, std::optional<int> subtree = {}, int indent = 2) {
  JsonOptions options;
  options.subtree_of = subtree;
  return ScanJsonString(s, nullptr, options, indent);
}

Json Parse(const Snapshot& s, std::optional<int> subtree = {}) {
  return Json::parse(Text(s, subtree));
}

TEST(JsonReport, Host_HasEveryContractField) {
  Json doc = Parse(testing::ReportSnapshot());
  EXPECT_EQ(doc["schema"], "procleak.scan/1");
  EXPECT_EQ(doc["procleak_version"], PROCLEAK_VERSION);
  const Json& h = doc["host"];
  EXPECT_EQ(h["hostname"], "web-1");
  EXPECT_EQ(h["kernel"], "6.1.0-18-amd64");
  EXPECT_EQ(h["boot_time"], "2026-11-22T22:37:25Z");
  EXPECT_EQ(h["scanned_at"], "2026-11-23T02:13:20Z");
  EXPECT_EQ(h["cgroup_mode"], "hybrid");
  EXPECT_EQ(h["mem_total_bytes"], 24ull << 30);
  EXPECT_EQ(h["mem_available_bytes"], 20ull << 30);
  EXPECT_EQ(h["processes"], 6);
  EXPECT_EQ(h["skipped_vanished"], 2);
  EXPECT_EQ(h["skipped_denied"], 1);
  EXPECT_DOUBLE_EQ(h["scan_ms"].get<double>(), 12.5);
}

TEST(JsonReport, Cgroups_SortedByMemoryWithNullForUnlimitedAndUnknown) {
  Json doc = Parse(testing::ReportSnapshot());
  const Json& c = doc["cgroups"];
  ASSERT_EQ(c.size(), 3u);
  EXPECT_EQ(c[0]["path"], "/");
  EXPECT_TRUE(c[0]["memory_limit_bytes"].is_null());  // unlimited
  EXPECT_EQ(c[0]["memory_limit_bytes_unlimited"], true);
  EXPECT_EQ(c[1]["memory_limit_bytes_unlimited"], false);
  EXPECT_EQ(c[1]["memory_bytes"], 900ull << 20);
  EXPECT_EQ(c[1]["memory_limit_bytes"], 1ull << 30);
  EXPECT_EQ(c[1]["oom_kills"], 3);
  EXPECT_EQ(c[1]["pids_current"], 2);
  EXPECT_EQ(c[1]["pids_max"], 4096);
  EXPECT_EQ(c[1]["processes"], 2);
  EXPECT_EQ(c[1]["memory_pressure"]["some"]["avg10"], 1.5);
  EXPECT_EQ(c[1]["memory_pressure"]["some"]["total_us"], 4242);
  EXPECT_TRUE(c[1]["memory_pressure"]["full"].is_null());
  EXPECT_EQ(c[2]["path"], "/unread");
  for (const char* key : {"memory_bytes", "memory_limit_bytes", "oom_kills", "pids_current",
                          "pids_max", "memory_pressure", "memory_peak_bytes", "limit_hits"}) {
    EXPECT_TRUE(c[2][key].is_null()) << key;
  }
  EXPECT_TRUE(c[2]["memory_stat"]["anon"].is_null());
  EXPECT_EQ(c[2]["memory_limit_bytes_unlimited"], false);  // unknown, not unlimited
  EXPECT_EQ(c[2]["pids_max_unlimited"], false);
}

TEST(JsonReport, Processes_CarryFieldsAndSurviveInvalidUtf8) {
  Json doc = Parse(testing::ReportSnapshot());
  const Json& procs = doc["processes"];
  ASSERT_EQ(procs.size(), 6u);
  const Json& kworker = procs[2];
  EXPECT_EQ(kworker["pid"], 3);
  EXPECT_TRUE(kworker["kernel_thread"].get<bool>());
  EXPECT_TRUE(kworker["rss_bytes"].is_null());
  EXPECT_EQ(kworker["cmdline"], Json::array());
  const Json& node = procs[4];
  EXPECT_EQ(node["pid"], 100);
  EXPECT_EQ(node["ppid"], 1);
  EXPECT_EQ(node["comm"], "node) x\n\x1b[2J");
  EXPECT_EQ(node["cmdline"][2], "\xEF\xBF\xBD\xEF\xBF\xBD");  // two U+FFFD for 0xff 0xfe
  // Every element's exact bytes, because one of them is not UTF-8.
  ASSERT_EQ(node["cmdline_base64"].size(), node["cmdline"].size());
  EXPECT_EQ(node["cmdline_base64"][2], "//4=");
  EXPECT_FALSE(node.contains("comm_base64"));  // valid UTF-8, control characters escaped
  EXPECT_EQ(node["state"], "S");
  EXPECT_EQ(node["starttime"], 1234);
  EXPECT_EQ(node["started_at"], "2026-11-22T22:37:37.34Z");
  EXPECT_EQ(node["uid"], 0);
  EXPECT_EQ(node["children"], 1);
  EXPECT_EQ(node["descendants"], 1);
  EXPECT_EQ(node["subtree_rss_bytes"], (600ull << 20) + (2ull << 20));
  EXPECT_EQ(node["cgroup"],
            "/docker/2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d");
}

TEST(JsonReport, Processes_CarryGroupSessionTerminalAndNsPid) {
  const Snapshot base = testing::ReportSnapshot();
  std::vector<Process> procs(base.processes().begin(), base.processes().end());
  for (Process& p : procs) {
    if (p.pid == 100) {  // a container's init, which runc made a session leader
      p.pgid = p.sid = 100;
      p.ns_pid = 1;
    } else if (p.pid == 101) {  // its child, in its own group on a terminal
      p.pgid = 101;
      p.sid = 100;
      p.tty_nr = 34816;
      p.ns_pid = 7;
    }
  }
  const Json doc = Parse(Snapshot::Build(base.host(), procs, {}, base.stats()));
  const Json& procs_json = doc["processes"];
  ASSERT_EQ(procs_json.size(), 6u);
  const Json& kworker = procs_json[2];
  EXPECT_EQ(kworker["pgid"], 0);
  EXPECT_EQ(kworker["sid"], 0);
  EXPECT_EQ(kworker["tty_nr"], 0);
  EXPECT_TRUE(kworker["ns_pid"].is_null());  // null, not 0: not in a nested namespace
  EXPECT_EQ(procs_json[4]["sid"], 100);
  EXPECT_EQ(procs_json[4]["ns_pid"], 1);
  EXPECT_EQ(procs_json[5]["pgid"], 101);
  EXPECT_EQ(procs_json[5]["sid"], 100);
  EXPECT_EQ(procs_json[5]["tty_nr"], 34816);
  EXPECT_EQ(procs_json[5]["ns_pid"], 7);
}

TEST(JsonReport, SubtreeOption_LimitsProcessesOnly) {
  Json doc = Parse(testing::ReportSnapshot(), 2);
  ASSERT_EQ(doc["processes"].size(), 3u);
  EXPECT_EQ(doc["processes"][0]["pid"], 2);
  EXPECT_EQ(doc["processes"][2]["pid"], 4);
  EXPECT_EQ(doc["host"]["processes"], 6);
}

TEST(JsonReport, OneLineDump_HasNoNewlines) {
  std::string line = Text(testing::ReportSnapshot(), {}, -1);
  EXPECT_EQ(line.find('\n'), std::string::npos);
}

// The streamed text is what nlohmann would print for the same document (same keys, order,
// spacing and number spelling), pretty and on one line.
TEST(JsonReport, Streamed_IsByteForByteNlohmannsDumpOfItself) {
  const Snapshot s = testing::ReportSnapshot();
  for (int indent : {2, -1}) {
    const std::string text = Text(s, {}, indent);
    EXPECT_EQ(nlohmann::ordered_json::parse(text).dump(indent), text) << indent;
  }
}

}  // namespace
}  // namespace procleak
