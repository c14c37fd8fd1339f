// SPDX-License-Identifier: Apache-2.0
// The diff report as text and as the procleak.diff/1 JSON document.
#include <gtest/gtest.h>

#include "analysis/analysis_fixture.h"
#include "procleak/version.h"
#include "render/diff_json.h"
#include "render/diff_text.h"
#include "render/json_report.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using testing::kBoot;
using testing::Lines;
using testing::SnapshotBuilder;

constexpr char kHub[] = "0b6aa5f2967a07ea9b60e7c680931d4f8a4c1b2e3d4f5a6b7c8d9e0f1a2b3c4d";
constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kGiB = 1ull << 30;
const absl::Time kFrom = kBoot + absl::Hours(26);  // 2026-11-24 10:00:00 UTC
const absl::Time kTo = kFrom + absl::Minutes(5);

Snapshot At(const Snapshot& s, absl::Time at, uint64_t available) {
  Host host = s.host();
  host.scanned_at = at;
  host.mem_available_bytes = available;
  std::vector<Process> procs(s.processes().begin(), s.processes().end());
  std::vector<Container> containers(s.containers().begin(), s.containers().end());
  return Snapshot::Build(host, std::move(procs), {}, s.stats(), std::move(containers));
}

// mcp-hub gains one server-x chain and 24 short-lived workers; web grows by 100 MiB; api gets
// OOM kills; worker's task count falls back.
Snapshot Side(bool later) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  Container& hub = b.AddContainer(kHub, "mcp-hub");
  hub.init_pid = 2101;
  b.Add(2101, 1, {"/sbin/tini", "--", "node", "/app/hub.js"}, 1, 1, kHub);
  b.Add(2102, 2101, {"node", "/app/hub.js"}, 1, 90, kHub, "/usr/local/bin/node");
  for (int i = 0; i < (later ? 4 : 3); ++i) {
    const int pid = 3000 + 3 * i;
    const double at = 10 + 30.0 * i;
    b.Add(pid, 2102, {"npm exec @scope/server-x"}, at, 78, kHub, "/usr/local/bin/node");
    b.Add(pid + 1, pid, {"sh", "-c", "server-x"}, at, 1, kHub, "/bin/dash");
    b.Add(pid + 2, pid + 1, {"node", "/x/server-x"}, at, 50, kHub, "/usr/local/bin/node");
  }
  if (later) {
    for (int i = 0; i < 24; ++i) b.Add(5000 + i, 1, {"/usr/bin/task", "evil\x1b[2J"}, 1500, 2);
  }
  AddDiffContainers(b, later);
  return At(b.Build(), later ? kTo : kFrom, later ? 9 * kGiB : 10 * kGiB);
}

struct Case {
  Snapshot a = Side(false), b = Side(true);
  SnapshotDiff diff = Diff(a, Analyze(a, nullptr), b, Analyze(b, nullptr));
};

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

TEST(DiffText, Header_NamesBothTimesAndTheInterval) {
  Case c;
  std::vector<std::string> lines = Lines(RenderDiffText(c.diff, c.a, c.b, false));
  ASSERT_GE(lines.size(), 2u);
  EXPECT_EQ(lines[0], "DIFF 2026-11-24 10:00:00 -> 10:05:00 (5m)");
  EXPECT_EQ(lines[1], "host memory available 10.0 GiB -> 9.0 GiB (-1.0 GiB)");
}

TEST(DiffText, Header_SpellsTheDateWhenTheDayChanges) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  Snapshot a = At(b.Build(), kFrom, kGiB);
  Snapshot later = At(b.Build(), kFrom + absl::Hours(25) + absl::Minutes(3), kGiB);
  SnapshotDiff d = Diff(a, Analyze(a, nullptr), later, Analyze(later, nullptr));
  EXPECT_EQ(RenderDiffText(d, a, later, false),
            "DIFF 2026-11-24 10:00:00 -> 2026-11-25 11:03:00 (1d 1h)\nno changes\n");
}

TEST(DiffText, NoChanges_SaysSo) {
  Snapshot a = Side(false);
  SnapshotDiff d = Diff(a, Analyze(a, nullptr), a, Analyze(a, nullptr));
  EXPECT_EQ(RenderDiffText(d, a, a, false),
            "DIFF 2026-11-24 10:00:00 -> 10:00:00 (0s)\nno changes\n");
}

TEST(DiffText, Containers_ShowMemoryBeforeAfterDeltaSlopeAndProcesses) {
  Case c;
  std::string text = RenderDiffText(c.diff, c.a, c.b, false);
  EXPECT_TRUE(Contains(text, "\nCONTAINERS: 2 changed\n")) << text;
  // 100 MiB in 5 minutes: 1200 MiB per hour.
  EXPECT_TRUE(Contains(
      text, "\n  web               200.0 MiB -> 300.0 MiB   +100.0 MiB    +1.2 GiB/h 1->1\n"))
      << text;
  // mcp-hub's charge is unknown on both sides; its processes changed.
  EXPECT_TRUE(Contains(text,
                       "\n  mcp-hub                   - -> -                    -             - "
                       "11->14\n"))
      << text;
}

TEST(DiffText, Groups_ShowCountsStartedEndedRssAndContainerName) {
  Case c;
  std::string text = RenderDiffText(c.diff, c.a, c.b, false);
  EXPECT_TRUE(Contains(text, "\nGROUPS: 2 changed; 25 chains started, 0 ended\n")) << text;
  // The signature's root part is shortened to fit 80 columns; its chain shape stays.
  EXPECT_TRUE(Contains(
      text, "\n  3->4          +1/-0  +129.0 MiB  mcp-hub    npm exec @s~e/server-x > sh > node\n"))
      << text;
  EXPECT_TRUE(Contains(text, "\n  0->24        +24/-0   +48.0 MiB  host       task evil\\x1b[2J\n"))
      << text;
}

TEST(DiffText, Findings_NewAndResolvedOneLineEach) {
  Case c;
  std::string text = RenderDiffText(c.diff, c.a, c.b, false);
  EXPECT_TRUE(Contains(text, "\nFINDINGS: 1 new, 1 resolved\n")) << text;
  EXPECT_TRUE(Contains(text, "\n  new      warning  oom_kills         api        the OOM killer"))
      << text;
  EXPECT_TRUE(Contains(text, "\n  resolved warning  pids_near_limit   worker     ")) << text;
}

// The finding row starting with `start` in `text`, or "".
std::string RowStarting(const std::string& text, std::string_view start) {
  for (const std::string& line : Lines(text)) {
    if (line.rfind(start, 0) == 0) return line;
  }
  return "";
}

TEST(DiffText, Width_FindingRowsAndSignaturesFitTheTerminal) {
  Case c;
  constexpr std::string_view kOom = "  new      warning  oom_kills         api        ";
  const std::string at80 = RowStarting(RenderDiffText(c.diff, c.a, c.b, false), kOom);
  const std::string at60 = RowStarting(RenderDiffText(c.diff, c.a, c.b, false, 60), kOom);
  const std::string at200 = RowStarting(RenderDiffText(c.diff, c.a, c.b, false, 200), kOom);
  EXPECT_EQ(at80.size(), 80u) << at80;
  EXPECT_EQ(at60.size(), 60u) << at60;
  EXPECT_EQ(at60.substr(0, 59), at80.substr(0, 59));
  EXPECT_GT(at200.size(), 80u) << at200;
  EXPECT_LE(at200.size(), 200u) << at200;
  EXPECT_EQ(at200.substr(0, 79), at80.substr(0, 79));
  // Wide enough, the signature is whole; at 60 columns its root part is cut to 14.
  EXPECT_TRUE(Contains(RenderDiffText(c.diff, c.a, c.b, false, 120),
                       "mcp-hub    npm exec @scope/server-x > sh > node\n"));
  EXPECT_EQ(RowStarting(RenderDiffText(c.diff, c.a, c.b, false, 60), "  3->4  ").size(), 60u);
}

TEST(DiffText, Processes_CountsAndTheFirstTwentySanitized) {
  Case c;
  std::string text = RenderDiffText(c.diff, c.a, c.b, false);
  EXPECT_TRUE(Contains(text, "\nPROCESSES: 27 started, 0 ended\n")) << text;
  EXPECT_TRUE(Contains(text, "\n  +    3009  server-x         mcp-hub        78.0 MiB\n")) << text;
  EXPECT_TRUE(Contains(text, "\n  +    5000  task             host            2.0 MiB\n")) << text;
  EXPECT_TRUE(Contains(text, "\n  (+7 more started)\n")) << text;
  EXPECT_FALSE(Contains(text, "    5017  ")) << "only the first 20";
}

TEST(DiffText, Plain_FitsEightyColumnsWithoutEscapes) {
  Case c;
  std::string text = RenderDiffText(c.diff, c.a, c.b, false);
  EXPECT_FALSE(Contains(text, "\x1b"));
  for (const std::string& line : Lines(text)) EXPECT_LE(line.size(), 80u) << line;
  EXPECT_TRUE(Contains(RenderDiffText(c.diff, c.a, c.b, true), "\x1b[1mDIFF 2026-11-24"));
}

TEST(DiffText, Formats_SignedBytesAndIntervals) {
  EXPECT_EQ(FormatSignedBytes(0), "0 B");
  EXPECT_EQ(FormatSignedBytes(512), "+512 B");
  EXPECT_EQ(FormatSignedBytes(-1536), "-1.5 KiB");
  EXPECT_EQ(FormatSignedBytes(INT64_MIN), "-8.0 EiB");
  EXPECT_EQ(FormatInterval(absl::Seconds(45)), "45s");
  EXPECT_EQ(FormatInterval(absl::Seconds(90)), "1m 30s");
  EXPECT_EQ(FormatInterval(absl::Minutes(65)), "1h 5m");
  EXPECT_EQ(FormatInterval(absl::Hours(51)), "2d 3h");
  EXPECT_EQ(FormatInterval(-absl::Minutes(5)), "-5m");
}

using Json = nlohmann::json;

Json Parse(const nlohmann::ordered_json& doc) { return Json::parse(DumpJson(doc, -1)); }

TEST(DiffJson, Document_HasSchemaVersionTimesAndHost) {
  Case c;
  Json doc = Parse(DiffJson(c.diff, c.a, c.b));
  EXPECT_EQ(doc["schema"], "procleak.diff/1");
  EXPECT_EQ(doc["procleak_version"], PROCLEAK_VERSION);
  EXPECT_EQ(doc["from"], "2026-11-24T10:00:00Z");
  EXPECT_EQ(doc["to"], "2026-11-24T10:05:00Z");
  EXPECT_EQ(doc["interval_seconds"], 300);
  EXPECT_EQ(doc["host_available_delta_bytes"], -static_cast<int64_t>(kGiB));
  EXPECT_EQ(doc["container_names"][kHub], "mcp-hub");
  EXPECT_EQ(doc["container_names"]["ccc"], "api");
  EXPECT_FALSE(doc["container_names"].contains(""));
}

TEST(DiffJson, Arrays_MirrorTheDiffWithIntegersAndNulls) {
  Case c;
  Json doc = Parse(DiffJson(c.diff, c.a, c.b));
  ASSERT_EQ(doc["processes_started"].size(), 27u);
  const Json& p = doc["processes_started"][0];
  EXPECT_EQ(p["pid"], 3009);
  EXPECT_EQ(p["starttime"], 100u * 60 * 100);
  EXPECT_EQ(p["container"], kHub);
  EXPECT_EQ(p["rss_bytes"], 78 * kMiB);
  EXPECT_TRUE(doc["processes_started"][3]["container"].is_null());  // pid 5000, on the host
  EXPECT_EQ(doc["processes_ended"], Json::array());

  ASSERT_EQ(doc["chains_started"].size(), 25u);
  const Json& chain = doc["chains_started"][0];  // 3009 at 100 min, before the tasks at 1500
  EXPECT_EQ(chain["root_pid"], 3009);
  EXPECT_EQ(chain["signature"], "npm exec @scope/server-x > sh > node");
  EXPECT_EQ(chain["started_at"], "2026-11-23T09:40:00Z");
  EXPECT_EQ(chain["rss_bytes"], 129 * kMiB);

  ASSERT_EQ(doc["groups"].size(), 2u);
  const Json& g = doc["groups"][0];
  EXPECT_EQ(g["count_before"], 3);
  EXPECT_EQ(g["count_after"], 4);
  EXPECT_EQ(g["chains_started"], 1);
  EXPECT_EQ(g["chains_ended"], 0);
  EXPECT_EQ(g["classification"], "leak");
  EXPECT_EQ(g["rss_delta_bytes"], 129 * kMiB);
  EXPECT_TRUE(g["pss_delta_bytes"].is_null());
  EXPECT_DOUBLE_EQ(g["spawn_rate_per_hour"].get<double>(), 12.0);
  EXPECT_DOUBLE_EQ(g["rss_slope_bytes_per_hour"].get<double>(), 12.0 * 129 * kMiB);
  EXPECT_TRUE(doc["groups"][1]["container"].is_null());

  ASSERT_EQ(doc["containers"].size(), 2u);
  const Json& web = doc["containers"][0];  // the largest memory change first
  EXPECT_EQ(web["id"], "bbb");
  EXPECT_EQ(web["name"], "web");
  EXPECT_EQ(web["runtime"], "docker");
  EXPECT_EQ(web["appeared"], false);
  EXPECT_EQ(web["memory_before_bytes"], 200 * kMiB);
  EXPECT_EQ(web["memory_after_bytes"], 300 * kMiB);
  EXPECT_EQ(web["memory_delta_bytes"], 100 * kMiB);
  EXPECT_EQ(web["processes_after"], 1);
  EXPECT_DOUBLE_EQ(web["memory_slope_bytes_per_hour"].get<double>(), 1200.0 * kMiB);
  const Json& hub = doc["containers"][1];
  EXPECT_EQ(hub["name"], "mcp-hub");
  EXPECT_TRUE(hub["memory_before_bytes"].is_null());
  EXPECT_TRUE(hub["memory_slope_bytes_per_hour"].is_null());
  EXPECT_EQ(hub["processes_before"], 11);
  EXPECT_EQ(hub["processes_after"], 14);

  ASSERT_EQ(doc["findings_new"].size(), 1u);
  EXPECT_EQ(doc["findings_new"][0]["kind"], "oom_kills");
  EXPECT_EQ(doc["findings_new"][0]["container"], "ccc");
  EXPECT_TRUE(doc["findings_new"][0]["signature"].is_null());
  ASSERT_EQ(doc["findings_resolved"].size(), 1u);
  EXPECT_EQ(doc["findings_resolved"][0]["kind"], "pids_near_limit");
}

TEST(DiffJson, Changes_AreTheDocumentWithoutSchemaVersionHostnameAndNames) {
  Case c;
  Json changes = Parse(ChangesJson(c.diff));
  Json doc = Parse(DiffJson(c.diff, c.a, c.b));
  EXPECT_FALSE(changes.contains("schema"));
  EXPECT_FALSE(changes.contains("procleak_version"));
  doc.erase("schema");
  doc.erase("procleak_version");
  doc.erase("hostname");
  doc.erase("container_names");
  EXPECT_EQ(changes, doc);
  EXPECT_EQ(ChangesJson(c.diff).begin().key(), "from");
}

TEST(DiffJson, UnknownMemory_IsNullNotZero) {
  SnapshotDiff d;
  ContainerChange c;
  c.id = "new";
  c.appeared = true;
  c.processes_after = 1;
  d.containers.push_back(c);
  Json changes = Parse(ChangesJson(d));
  EXPECT_TRUE(changes["host_available_delta_bytes"].is_null());
  const Json& j = changes["containers"][0];
  EXPECT_TRUE(j["memory_before_bytes"].is_null());
  EXPECT_TRUE(j["memory_after_bytes"].is_null());
  EXPECT_TRUE(j["memory_delta_bytes"].is_null());
  EXPECT_TRUE(j["memory_slope_bytes_per_hour"].is_null());
  EXPECT_EQ(j["appeared"], true);
}

}  // namespace
}  // namespace procleak
