// SPDX-License-Identifier: Apache-2.0
// SnapshotFromScanJson: a procleak.scan/1 document read back is the snapshot it was written from.
#include "render/scan_json_reader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "procleak/scan.h"
#include "render/json_report.h"
#include "testing/fixture_trees.h"
#include "testing/print_process.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using Json = nlohmann::ordered_json;

std::string Document(const Snapshot& s, const Analysis& a) {
  return ScanJsonString(s, &a, JsonOptions(), -1);
}

// Every stored field of every record equal (operator==), and what Build derives from them.
void ExpectSameSnapshot(const Snapshot& want, const Snapshot& got) {
  EXPECT_EQ(want.host(), got.host());
  EXPECT_EQ(want.stats(), got.stats());
  ASSERT_EQ(want.processes().size(), got.processes().size());
  for (size_t i = 0; i < want.processes().size(); ++i) {
    EXPECT_EQ(want.processes()[i], got.processes()[i]);
  }
  EXPECT_TRUE(std::ranges::equal(want.roots(), got.roots()));
  ASSERT_EQ(want.cgroups().size(), got.cgroups().size());
  for (const auto& [path, cgroup] : want.cgroups()) {
    SCOPED_TRACE(path);
    const Cgroup* other = got.FindCgroup(path);
    ASSERT_NE(other, nullptr);
    EXPECT_TRUE(cgroup == *other);
  }
  ASSERT_EQ(want.containers().size(), got.containers().size());
  for (size_t i = 0; i < want.containers().size(); ++i) {
    SCOPED_TRACE(want.containers()[i].id);
    EXPECT_TRUE(want.containers()[i] == got.containers()[i]);
  }
}

class RoundTrip : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundTrip, ScanJson_ReadsBackToTheSameSnapshotAndAnalysis) {
  for (bool pss : {false, true}) {
    SCOPED_TRACE(pss ? "--pss" : "without --pss");
    absl::StatusOr<Snapshot> scanned = Scan({.root = testing::DataDir(GetParam()), .pss = pss});
    ASSERT_TRUE(scanned.ok()) << scanned.status();
    const Analysis want = Analyze(*scanned, nullptr);
    const std::string text = Document(*scanned, want);
    absl::StatusOr<Snapshot> read = SnapshotFromScanJson(text, "scan.json");
    ASSERT_TRUE(read.ok()) << read.status();
    ExpectSameSnapshot(*scanned, *read);
    // Written again, the document is the same text.
    const Analysis got = Analyze(*read, nullptr);
    EXPECT_EQ(Document(*read, got), text);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryTree, RoundTrip, ::testing::ValuesIn(testing::FixtureTrees()),
                         testing::FixtureTestName);

// What a hostile process can put in names: bytes that are not UTF-8, control characters, quotes,
// backslashes, bidirectional overrides. Read back byte for byte; the text stays UTF-8 JSON.
TEST(ScanJsonReader, HostileNames_ReadBackByteForByte) {
  const std::string hostile[] = {std::string("nul\0inside", 10),
                                 "\xff\xfe\xc0\x80",
                                 "line\nbreak \"quoted\" back\\slash",
                                 "\x1b[2J\x07\x7f",
                                 "evil\u202Etxt.exe",
                                 "\xed\xa0\x80surrogate",
                                 "\xe2\x82",
                                 ""};
  Host host;
  host.hostname = hostile[1];
  host.kernel = hostile[2];
  host.cgroup_mode = CgroupMode::kHybrid;
  std::vector<Process> procs;
  std::vector<Cgroup> cgroups;
  int pid = 10;
  for (const std::string& name : hostile) {
    Process p;
    p.pid = pid++;
    p.ppid = 10;
    p.state = name.empty() ? '\xff' : name[0];
    p.comm = name;
    p.argv = {name, "plain", name + name};
    p.exe = "/usr/bin/" + name;
    p.cgroup = "/x/" + name;
    p.container = name.empty() ? "" : "c-" + name;
    p.cgroup_lines = {{4, "memory", p.cgroup}, {0, "", "/a:b:" + name}};
    procs.push_back(p);
    Cgroup c;
    c.path = p.cgroup;
    c.pids = {p.pid};
    c.memory_limit = name.size() % 2 ? std::optional<Limit>(Limit::Unlimited()) : std::nullopt;
    c.pids_max = Limit::Of(name.size());
    cgroups.push_back(c);
  }
  Container c;
  c.id = "c-" + hostile[1];
  c.runtime = "docker";
  c.name = hostile[4];
  c.cgroup = "/x/" + hostile[1];
  c.memory_limit = Limit::Unlimited();
  c.memory_pressure = Pressure{PressureLine{0.1, 2.5, 1.0 / 3, 77}, std::nullopt};
  c.restart_policy = hostile[2];
  c.pids = {11};  // the process of hostile[1]
  const Snapshot want = Snapshot::Build(host, procs, cgroups, {}, {c});
  const std::string text = Document(want, Analyze(want, nullptr));
  const nlohmann::json doc = nlohmann::json::parse(text);  // throws unless valid UTF-8 JSON
  EXPECT_EQ(doc["host"]["hostname"], "\uFFFD\uFFFD\uFFFD\uFFFD");
  EXPECT_TRUE(doc["host"].contains("hostname_base64"));
  EXPECT_FALSE(doc["host"].contains("kernel_base64"));
  absl::StatusOr<Snapshot> got = SnapshotFromScanJson(text, "a.json");
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectSameSnapshot(want, *got);
}

TEST(ScanJsonReader, Limits_UnlimitedAndUnknownAndFiniteStayApart) {
  Cgroup unknown, unlimited, finite;
  unknown.path = "/unknown";
  unlimited.path = "/unlimited";
  unlimited.memory_limit = unlimited.pids_max = Limit::Unlimited();
  finite.path = "/finite";
  finite.memory_limit = Limit::Of(1 << 20);
  finite.pids_max = Limit::Of(0);
  const Snapshot want = Snapshot::Build({}, {}, {unknown, unlimited, finite}, {});
  absl::StatusOr<Snapshot> got =
      SnapshotFromScanJson(Document(want, Analyze(want, nullptr)), "a.json");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_FALSE(got->FindCgroup("/unknown")->memory_limit.has_value());
  EXPECT_EQ(got->FindCgroup("/unlimited")->memory_limit, Limit::Unlimited());
  EXPECT_EQ(got->FindCgroup("/unlimited")->pids_max, Limit::Unlimited());
  EXPECT_EQ(got->FindCgroup("/finite")->memory_limit, Limit::Of(1 << 20));
  EXPECT_EQ(got->FindCgroup("/finite")->pids_max, Limit::Of(0));
}

TEST(ScanJsonReader, Incident_KeepsItsFindings) {
  absl::StatusOr<Snapshot> scanned = Scan({.root = testing::DataDir("incident")});
  ASSERT_TRUE(scanned.ok()) << scanned.status();
  absl::StatusOr<Snapshot> read =
      SnapshotFromScanJson(Document(*scanned, Analyze(*scanned, nullptr)), "scan.json");
  ASSERT_TRUE(read.ok()) << read.status();
  const Analysis a = Analyze(*read, nullptr);
  EXPECT_EQ(WorstSeverity(a), Severity::kCritical);
  int duplicates = 0;
  for (const Finding& f : a.findings) duplicates += f.kind == FindingKind::kDuplicateChain;
  EXPECT_EQ(duplicates, 9);
}

// A minimal valid document, for the error cases to break one field of.
nlohmann::json Minimal() {
  return nlohmann::json::parse(R"({
    "schema": "procleak.scan/1",
    "host": {"hostname": "h", "kernel": "6.1", "boot_time": "2026-11-20T08:00:00Z",
             "scanned_at": "2026-11-20T09:00:00.25Z", "cgroup_mode": "v2",
             "mem_total_bytes": null, "mem_available_bytes": 1024, "processes": 1,
             "skipped_vanished": 0, "skipped_denied": 2, "scan_ms": 1.5, "pss": false},
    "cgroups": [{"path": "/a", "memory_bytes": 10, "memory_limit_bytes": null,
                 "pids_max": 100, "memory_stat": {"anon": 5},
                 "memory_pressure": {"some": {"avg10": 1, "avg60": 2.5, "avg300": 0,
                                              "total_us": 7}, "full": null}}],
    "processes": [{"pid": 1, "ppid": 0, "starttime": 5, "started_at": "2026-11-20T08:00:00.05Z",
                   "state": "S", "comm": "init", "cmdline": ["/sbin/init"], "uid": 0,
                   "threads": 1, "rss_bytes": 4096, "cgroup": "/a", "kernel_thread": false,
                   "pss_bytes": null, "exe": "/sbin/init", "container": "c1"}],
    "containers": [{"id": "c1", "runtime": "lxc", "name": "c1", "cgroup": "/a",
                    "memory_bytes": 10, "memory_limit_bytes": null, "restart_count": null,
                    "oom_kills": null, "state": "", "restart_policy": "", "started_at": null,
                    "init_pid": 1, "pids_current": null, "pids_max": null}]
  })");
}

std::string ErrorOf(const std::string& text) {
  absl::StatusOr<Snapshot> s = SnapshotFromScanJson(text, "a.json");
  EXPECT_FALSE(s.ok());
  return s.ok() ? "" : std::string(s.status().message());
}

std::string ErrorOf(const nlohmann::json& doc) { return ErrorOf(doc.dump()); }

TEST(ScanJsonReader, Minimal_FillsFieldsAndMembership) {
  absl::StatusOr<Snapshot> s = SnapshotFromScanJson(Minimal().dump(), "a.json");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->host().scanned_at, absl::FromUnixMillis(1795165200250));
  EXPECT_EQ(s->host().cgroup_mode, CgroupMode::kV2);
  EXPECT_FALSE(s->host().mem_total_bytes.has_value());
  EXPECT_EQ(s->host().mem_available_bytes, 1024u);
  EXPECT_EQ(s->stats().skipped_denied, 2);
  EXPECT_EQ(s->stats().duration, absl::Microseconds(1500));
  const Cgroup* cg = s->FindCgroup("/a");
  ASSERT_NE(cg, nullptr);
  EXPECT_FALSE(cg->memory_limit.has_value());  // null: unlimited or unknown
  EXPECT_EQ(cg->pids_max, Limit::Of(100));
  EXPECT_EQ(cg->memory_stat.anon, 5u);
  EXPECT_FALSE(cg->memory_stat.file.has_value());
  EXPECT_EQ(cg->pids, std::vector<int>{1});
  ASSERT_TRUE(cg->memory_pressure && cg->memory_pressure->some);
  EXPECT_EQ(cg->memory_pressure->some->avg60, 2.5);
  EXPECT_FALSE(cg->memory_pressure->full.has_value());
  const Process* p = s->FindProcess(1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->started_at, absl::FromUnixMillis(1795161600050));
  EXPECT_EQ(p->uid, 0u);
  EXPECT_FALSE(p->pss_bytes.has_value());
  ASSERT_EQ(s->containers().size(), 1u);
  EXPECT_EQ(s->containers()[0].pids, std::vector<int>{1});
  EXPECT_EQ(s->containers()[0].init_pid, 1);
  EXPECT_EQ(s->containers()[0].memory_pressure, cg->memory_pressure);
  EXPECT_FALSE(s->containers()[0].restart_count.has_value());
}

TEST(ScanJsonReader, GroupSessionTerminalAndNsPid_RoundTrip) {
  Process leader;
  leader.pid = 1;
  leader.pgid = leader.sid = 1;
  Process shell;
  shell.pid = 4003;
  shell.ppid = 1;
  shell.pgid = shell.sid = 4003;
  shell.tty_nr = -2147450880;  // the kernel prints a device number with bit 31 set negative
  shell.ns_pid = 1;
  Process job = shell;
  job.pid = 4010;
  job.ppid = 4003;
  job.pgid = 4010;
  job.tty_nr = 34816;
  job.ns_pid = std::numeric_limits<int>::max();
  const Snapshot want = Snapshot::Build({}, {leader, shell, job}, {}, {});
  const std::string text = Document(want, Analyze(want, nullptr));
  const nlohmann::json doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["processes"][0]["ns_pid"], nullptr);
  EXPECT_EQ(doc["processes"][1]["sid"], 4003);
  EXPECT_EQ(doc["processes"][2]["pgid"], 4010);
  absl::StatusOr<Snapshot> got = SnapshotFromScanJson(text, "a.json");
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectSameSnapshot(want, *got);
}

TEST(ScanJsonReader, DocumentOfAnEarlierProcleak_HasNoGroupSessionTerminalOrNsPid) {
  absl::StatusOr<Snapshot> s = SnapshotFromScanJson(Minimal().dump(), "a.json");
  ASSERT_TRUE(s.ok()) << s.status();
  const Process* p = s->FindProcess(1);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->pgid, 0);
  EXPECT_EQ(p->sid, 0);
  EXPECT_EQ(p->tty_nr, 0);
  EXPECT_FALSE(p->ns_pid.has_value());
  nlohmann::json doc = Minimal();
  doc["processes"][0]["ns_pid"] = nullptr;  // null: not in a nested namespace
  doc["processes"][0]["pgid"] = 1;
  s = SnapshotFromScanJson(doc.dump(), "a.json");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->FindProcess(1)->ns_pid.has_value());
  EXPECT_EQ(s->FindProcess(1)->pgid, 1);
}

TEST(ScanJsonReader, WithoutAnalysisSections_HasNoContainers) {
  nlohmann::json doc = Minimal();
  doc.erase("containers");
  absl::StatusOr<Snapshot> s = SnapshotFromScanJson(doc.dump(), "a.json");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->containers().empty());
  EXPECT_EQ(s->FindProcess(1)->container, "c1");
}

TEST(ScanJsonReader, PidListedTwice_KeepsTheFirstRecordOnce) {
  nlohmann::json doc = Minimal();
  doc["processes"].push_back(doc["processes"][0]);
  doc["processes"][1]["comm"] = "second";
  absl::StatusOr<Snapshot> s = SnapshotFromScanJson(doc.dump(), "a.json");
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->processes().size(), 1u);
  EXPECT_EQ(s->processes()[0].comm, "init");
  EXPECT_EQ(s->FindCgroup("/a")->pids, std::vector<int>{1});
  EXPECT_EQ(s->containers()[0].pids, std::vector<int>{1});
}

TEST(ScanJsonReader, Errors_AreOneLineNamingTheFileAndField) {
  EXPECT_EQ(ErrorOf(std::string("{\"schema\": \"procleak.diff/1\"}")),
            "a.json: not a procleak.scan/1 document");
  EXPECT_EQ(ErrorOf(std::string("[1, 2]")), "a.json: not a procleak.scan/1 document");
  std::string syntax = ErrorOf(std::string("{\"schema\": "));
  EXPECT_TRUE(syntax.starts_with("a.json: parse error at line 1, column ")) << syntax;
  EXPECT_EQ(syntax.find('\n'), std::string::npos) << syntax;
  EXPECT_TRUE(ErrorOf(std::string("")).starts_with("a.json: parse error"));

  nlohmann::json doc = Minimal();
  doc["processes"].push_back(doc["processes"][0]);
  doc["processes"].push_back(doc["processes"][0]);
  doc["processes"].push_back(doc["processes"][0]);
  doc["processes"][3]["pid"] = "4";
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].pid: expected an integer");
  doc["processes"][3]["pid"] = 1e12;
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].pid: expected an integer");
  doc["processes"][3]["pid"] = 4000000000u;
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].pid: out of range");
  doc["processes"][3]["pid"] = 4;
  doc["processes"][3]["rss_bytes"] = -1;
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].rss_bytes: expected a non-negative integer");
  doc["processes"][3]["rss_bytes"] = nullptr;
  doc["processes"][3]["cmdline"][1] = 7;
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].cmdline[1]: expected a string");
  doc["processes"][3]["cmdline"] = nlohmann::json::array();
  doc["processes"][3]["pgid"] = "1";
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].pgid: expected an integer");
  doc["processes"][3]["pgid"] = 1;
  doc["processes"][3]["ns_pid"] = 1.5;
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].ns_pid: expected an integer");
  doc["processes"][3]["ns_pid"] = 3000000000u;
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].ns_pid: out of range");
  doc["processes"][3]["ns_pid"] = 7;
  doc["processes"][3]["tty_nr"] = -3000000000ll;
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].tty_nr: out of range");
  doc["processes"][3]["tty_nr"] = -1;
  doc["processes"][3]["comm_base64"] = "not base64!";
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].comm_base64: expected base64");
  doc["processes"][3]["comm_base64"] = "aW5pdA==";
  doc["processes"][3]["cmdline_base64"] = {"aW5pdA==", 7};
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].cmdline_base64[1]: expected a string");
  doc["processes"][3].erase("cmdline_base64");
  doc["processes"][3]["cgroup_lines"] = {"0::/", "memory:/a"};
  EXPECT_EQ(ErrorOf(doc),
            "a.json: processes[3].cgroup_lines[1]: expected hierarchy-ID:controllers:path");
  doc["processes"][3]["cgroup_lines"] = {"0::/", "4:memory:/a:b"};
  doc["processes"][3]["memory_limit_bytes_unlimited"] = 1;  // not a process field: ignored
  EXPECT_TRUE(SnapshotFromScanJson(doc.dump(), "a.json").ok());
  doc["processes"][3]["state"] = "SS";
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].state: expected one character");
  doc["processes"][3].erase("state");
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3].state: missing");
  doc["processes"][3] = 5;
  EXPECT_EQ(ErrorOf(doc), "a.json: processes[3]: expected an object");

  doc = Minimal();
  doc["host"]["boot_time"] = "yesterday";
  EXPECT_EQ(ErrorOf(doc), "a.json: host.boot_time: expected an RFC 3339 time");
  doc = Minimal();
  doc["host"]["cgroup_mode"] = "v3";
  EXPECT_EQ(ErrorOf(doc), "a.json: host.cgroup_mode: unknown mode \"v3\"");
  doc = Minimal();
  doc.erase("host");
  EXPECT_EQ(ErrorOf(doc), "a.json: host: missing");
  doc["host"] = nullptr;
  EXPECT_EQ(ErrorOf(doc), "a.json: host: expected an object");
  doc = Minimal();
  doc["host"]["pss"] = nullptr;
  EXPECT_EQ(ErrorOf(doc), "a.json: host.pss: expected true or false");
  doc = Minimal();
  doc["cgroups"] = "none";
  EXPECT_EQ(ErrorOf(doc), "a.json: cgroups: expected an array");
  doc = Minimal();
  doc["cgroups"][0]["memory_pressure"]["some"]["avg60"] = "high";
  EXPECT_EQ(ErrorOf(doc), "a.json: cgroups[0].memory_pressure.some.avg60: expected a number");
  doc = Minimal();
  doc["cgroups"][0]["pids_max_unlimited"] = "yes";
  EXPECT_EQ(ErrorOf(doc), "a.json: cgroups[0].pids_max_unlimited: expected true or false");
  doc = Minimal();
  doc["containers"][0]["started_at"] = 12;
  EXPECT_EQ(ErrorOf(doc), "a.json: containers[0].started_at: expected an RFC 3339 time");
}

}  // namespace
}  // namespace procleak
