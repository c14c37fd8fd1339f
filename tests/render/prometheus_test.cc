// SPDX-License-Identifier: Apache-2.0
// RenderPrometheus: the textfile-collector exposition of a snapshot, its groups and findings.
#include "render/prometheus.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "analysis/analysis_fixture.h"
#include "fmt/format.h"
#include "procleak/scan.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::Lines;

constexpr char kHubId[] = "6465ff91c9dc39dcb2e7a75a47b5663ac1013e946e6a6a5c09ef5ceba5653d3a";

struct Incident {
  Snapshot snapshot;
  Analysis analysis;
};

const Incident& IncidentScan() {
  static const Incident* incident = [] {
    absl::StatusOr<Snapshot> s = Scan({.root = testing::DataDir("incident")});
    EXPECT_TRUE(s.ok()) << s.status();
    Snapshot snapshot = s.ok() ? *std::move(s) : Snapshot();
    Analysis analysis = Analyze(snapshot, nullptr);
    return new Incident{std::move(snapshot), std::move(analysis)};
  }();
  return *incident;
}

std::string IncidentMetrics(PrometheusOptions options = {}) {
  return RenderPrometheus(IncidentScan().snapshot, IncidentScan().analysis, options);
}

bool HasLine(const std::string& text, const std::string& line) {
  for (const std::string& l : Lines(text)) {
    if (l == line) return true;
  }
  return false;
}

// Sample lines of `family` (exactly that name, with or without labels).
std::vector<std::string> Samples(const std::string& text, const std::string& family) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(text)) {
    if (l.starts_with(family + "{") || l.starts_with(family + " ")) out.push_back(l);
  }
  return out;
}

TEST(Prometheus, Incident_ContainerMemoryLimitsAndProcesses) {
  std::string text = IncidentMetrics();
  const std::string hub =
      std::string("{runtime=\"docker\",id=\"") + kHubId + "\",name=\"mcp-hub\"}";
  EXPECT_TRUE(HasLine(text, "procleak_container_memory_bytes" + hub + " 83107364864")) << text;
  EXPECT_TRUE(HasLine(text, "procleak_container_processes" + hub + " 611"));
  EXPECT_TRUE(HasLine(text, "procleak_container_restarts_total" + hub + " 0"));
  EXPECT_EQ(text.find("procleak_container_memory_limit_bytes" + hub), std::string::npos)
      << "no limit: no series";
  std::vector<std::string> limits = Samples(text, "procleak_container_memory_limit_bytes");
  ASSERT_EQ(limits.size(), 2u);  // db and web, in the snapshot's order (runtime, id)
  EXPECT_TRUE(limits[0].ends_with(",name=\"db\"} 2147483648")) << limits[0];
  EXPECT_TRUE(limits[1].ends_with(",name=\"web\"} 536870912")) << limits[1];
}

TEST(Prometheus, Incident_ScanHostAndFindingCounts) {
  std::string text = IncidentMetrics();
  const Snapshot& s = IncidentScan().snapshot;
  EXPECT_TRUE(HasLine(text, fmt::format("procleak_processes {}", s.processes().size())));
  EXPECT_TRUE(HasLine(text, "procleak_processes_skipped{reason=\"vanished\"} 0"));
  EXPECT_TRUE(HasLine(text, "procleak_processes_skipped{reason=\"denied\"} 0"));
  EXPECT_TRUE(
      HasLine(text, fmt::format("procleak_host_memory_total_bytes {}", *s.host().mem_total_bytes)));
  ASSERT_EQ(Samples(text, "procleak_scan_timestamp_seconds").size(), 1u);
  // Nine duplicate_chain findings and the restart loop of worker.
  EXPECT_TRUE(HasLine(text, "procleak_findings{severity=\"critical\"} 10")) << text;
  size_t warnings = 0;
  for (const Finding& f : IncidentScan().analysis.findings)
    warnings += f.severity == Severity::kWarning;
  EXPECT_TRUE(HasLine(text, fmt::format("procleak_findings{{severity=\"warning\"}} {}", warnings)));
  EXPECT_EQ(Samples(text, "procleak_findings").size(), 3u);
  EXPECT_TRUE(HasLine(text,
                      "procleak_finding_info{kind=\"restart_loop\",severity=\"critical\","
                      "container=\"worker\",signature=\"\"} 1"))
      << text;
  EXPECT_TRUE(HasLine(text, "procleak_findings_omitted 0"));
}

TEST(Prometheus, Incident_LeakGroupsFirstWithTheirChainsAndRss) {
  std::string text = IncidentMetrics();
  std::vector<std::string> chains = Samples(text, "procleak_group_chains");
  ASSERT_GE(chains.size(), 9u);
  EXPECT_EQ(chains[0],
            "procleak_group_chains{container=\"mcp-hub\",signature=\"npm exec "
            "@modelcontextprotocol/server-filesystem > sh > node\",classification=\"leak\","
            "cgroup=\"\",spawner=\"2010\"} 24")
      << text;
  EXPECT_TRUE(HasLine(text,
                      "procleak_group_expected_chains{container=\"mcp-hub\",signature=\"npm exec "
                      "tavily-mcp > sh > node\",cgroup=\"\",spawner=\"2010\"} 1"));
  EXPECT_EQ(Samples(text, "procleak_group_pss_bytes").size(), 0u) << "no PSS scan: no series";
  EXPECT_EQ(Samples(text, "procleak_group_rss_bytes").size(), chains.size());
  EXPECT_TRUE(HasLine(text, "procleak_groups_omitted 0"));
}

TEST(Prometheus, HelpAndType_OncePerFamilyBeforeItsSamples) {
  std::string text = IncidentMetrics();
  std::map<std::string, int> help, type;
  std::set<std::string> finished;
  std::string current;
  for (const std::string& l : Lines(text)) {
    if (l.starts_with("# HELP ")) {
      current = l.substr(7, l.find(' ', 7) - 7);
      ++help[current];
      EXPECT_EQ(finished.count(current), 0u) << current;
      finished.insert(current);
      continue;
    }
    if (l.starts_with("# TYPE ")) {
      std::string name = l.substr(7, l.find(' ', 7) - 7);
      EXPECT_EQ(name, current);
      ++type[name];
      std::string kind = l.substr(l.rfind(' ') + 1);
      EXPECT_TRUE(kind == "gauge" || kind == "counter") << l;
      EXPECT_EQ(kind == "counter", name.ends_with("_total")) << l;
      continue;
    }
    std::string name = l.substr(0, l.find_first_of("{ "));
    EXPECT_EQ(name, current) << "a sample outside its family: " << l;
    EXPECT_TRUE(name.starts_with("procleak_")) << l;
  }
  for (const auto& [name, n] : help) {
    EXPECT_EQ(n, 1) << name;
    EXPECT_EQ(type[name], 1) << name;
  }
  EXPECT_GE(help.size(), 18u);
}

TEST(Prometheus, GroupAndFindingBounds_CountWhatTheyLeaveOut) {
  size_t listed_groups = 0;
  for (const Group& g : IncidentScan().analysis.groups) {
    listed_groups += g.count > 1 || g.classification == Classification::kLeak;
  }
  PrometheusOptions options;
  options.max_groups = 3;
  options.max_findings = 2;
  std::string text = IncidentMetrics(options);
  EXPECT_EQ(Samples(text, "procleak_group_chains").size(), 3u);
  EXPECT_EQ(Samples(text, "procleak_group_rss_bytes").size(), 3u);
  EXPECT_TRUE(HasLine(text, fmt::format("procleak_groups_omitted {}", listed_groups - 3)));
  EXPECT_EQ(Samples(text, "procleak_finding_info").size(), 2u);
  EXPECT_TRUE(HasLine(text, fmt::format("procleak_findings_omitted {}",
                                        IncidentScan().analysis.findings.size() - 2)));
  // The counts per severity are over every finding.
  EXPECT_TRUE(HasLine(text, "procleak_findings{severity=\"critical\"} 10"));
}

TEST(Prometheus, HostileSignature_IsEscapedCutAndValidUtf8) {
  testing::SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.AddContainer("f00dfeedbeefcafe0123", "");  // no name: the id's first 12 characters
  const std::vector<std::string> argv = {"evil\\\"x\ny\xff", std::string(300, 'z')};
  b.Add(10, 1, argv, 1, 5, "f00dfeedbeefcafe0123");
  b.Add(11, 1, argv, 31, 5, "f00dfeedbeefcafe0123");
  Snapshot s = b.Build();
  Analysis a = Analyze(s, nullptr);
  std::string text = RenderPrometheus(s, a, {});
  std::vector<std::string> chains = Samples(text, "procleak_group_chains");
  ASSERT_EQ(chains.size(), 1u) << text;
  const std::string& line = chains[0];
  // Escaped as on a terminal (the newline as the text \n, the invalid byte as \xff), then each
  // backslash doubled and the quote escaped as the format requires.
  EXPECT_TRUE(
      line.starts_with("procleak_group_chains{container=\"f00dfeedbeef\",signature=\"evil"
                       "\\\\\\\"x\\\\ny\\\\xff"))
      << line;
  // One line per sample: the newline inside the signature is escaped.
  EXPECT_EQ(Lines(text).size(), static_cast<size_t>(std::count(text.begin(), text.end(), '\n')));
  size_t start = line.find("signature=\"") + 11;
  size_t end = line.find("\",classification=");
  ASSERT_NE(end, std::string::npos);
  // 128 bytes before the format's escaping; three backslashes and a quote gained one each.
  EXPECT_EQ(end - start, 128u + 4);
}

TEST(Prometheus, LabelValue_CutsBetweenClustersAndEscapesAsForATerminal) {
  std::string e_acute;
  for (int i = 0; i < 100; ++i) e_acute += "\xC3\xA9";
  // Cut: at most 119 bytes of characters, then "~" and 8 hex digits of a hash, 128 at most.
  EXPECT_EQ(PrometheusLabelValue(e_acute).size(), 118u + 9);
  EXPECT_EQ(PrometheusLabelValue("a" + e_acute).size(), 119u + 9);
  // e and a combining acute stay together: 39 of them are 117 bytes, a 40th would make 120.
  std::string combining;
  for (int i = 0; i < 50; ++i) combining += "e\xCC\x81";
  EXPECT_EQ(PrometheusLabelValue(combining).substr(0, 118), combining.substr(0, 117) + "~");
  EXPECT_EQ(PrometheusLabelValue(combining).size(), 117u + 9);
  // Invalid bytes, controls, C1, bidi: visible escapes whose backslash the format doubles.
  EXPECT_EQ(PrometheusLabelValue("\xff"
                                 "a\xC3"),
            "\\\\xffa\\\\xc3");
  EXPECT_EQ(PrometheusLabelValue("\xED\xA0\x80"), "\\\\xed\\\\xa0\\\\x80");
  EXPECT_EQ(PrometheusLabelValue("x\ny\x1b[2J"), "x\\\\ny\\\\x1b[2J");
  EXPECT_EQ(PrometheusLabelValue("a\xC2\x9B\u202Eb"), "a\\\\u009b\\\\u202eb");
  // A cut never falls inside an escape: "\x1b" would straddle byte 119.
  EXPECT_EQ(
      PrometheusLabelValue(std::string(117, 'a') + "\x1b" + std::string(10, 'b')).substr(0, 118),
      std::string(117, 'a') + "~");
  EXPECT_EQ(PrometheusLabelValue("\xF0\x9F\x98\x80"), "\xF0\x9F\x98\x80");  // U+1F600
  EXPECT_EQ(PrometheusLabelValue(std::string(200, '"')).size(), 2 * 119u + 9);
  EXPECT_EQ(PrometheusLabelValue("a\\b"), "a\\\\b");
}

// promtool's exit status and output for `promtool check metrics < path`.
struct PromtoolResult {
  int status = -1;
  std::string output;
};

PromtoolResult Promtool(const std::string& path) {
  PromtoolResult r;
  FILE* pipe = popen(("/usr/bin/promtool check metrics < " + path + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) r.output.append(buf, n);
  int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

TEST(Prometheus, Promtool_ChecksTheIncidentWithoutLintProblems) {
  if (access("/usr/bin/promtool", X_OK) != 0) {
    GTEST_SKIP() << "promtool not found at /usr/bin/promtool (Debian package prometheus)";
  }
  testing::TempTree tree;
  tree.Write("procleak.prom", IncidentMetrics());
  PromtoolResult r = Promtool(tree.Path("procleak.prom"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "");

  // A hostile signature must not break the format either.
  testing::SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  const std::vector<std::string> argv = {"evil\\\"x\ny\xff}", std::string(300, '{')};
  b.Add(10, 1, argv, 1, 5);
  b.Add(11, 1, argv, 31, 5);
  Snapshot s = b.Build();
  tree.Write("hostile.prom", RenderPrometheus(s, Analyze(s, nullptr), {}));
  r = Promtool(tree.Path("hostile.prom"));
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "");
}

}  // namespace
}  // namespace procleak
