// SPDX-License-Identifier: Apache-2.0
// Issue 17: no family of the exposition has two series with the same labels once label values are
// cut to 128 bytes: values that share their first bytes end in a hash of the whole value, and what
// still collides is left out and counted. Checked by parsing the output, and by promtool.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "analysis/analysis_fixture.h"
#include "fmt/format.h"
#include "render/prometheus.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using testing::Lines;

// Every sample line's "name{labels}" that occurs more than once.
std::vector<std::string> DuplicateSeries(const std::string& text) {
  std::set<std::string> seen;
  std::vector<std::string> duplicates;
  for (const std::string& line : Lines(text)) {
    if (line.empty() || line.starts_with("#")) continue;
    const std::string series = line.substr(0, line.rfind(' '));
    if (!seen.insert(series).second) duplicates.push_back(series);
  }
  return duplicates;
}

std::vector<std::string> Samples(const std::string& text, const std::string& family) {
  std::vector<std::string> out;
  for (const std::string& l : Lines(text)) {
    if (l.starts_with(family + "{") || l.starts_with(family + " ")) out.push_back(l);
  }
  return out;
}

bool HasLine(const std::string& text, const std::string& line) {
  for (const std::string& l : Lines(text)) {
    if (l == line) return true;
  }
  return false;
}

Container Lxc(std::string name) {
  Container c;
  c.id = name;  // LXC's id is its name, as long as the user made it
  c.runtime = "lxc";
  c.name = std::move(name);
  c.cgroup = "/lxc.payload." + c.id;
  c.memory_bytes = 1 << 20;
  c.memory_limit = Limit::Of(1 << 30);
  return c;
}

Snapshot WithContainers(std::vector<Container> containers) {
  Host host;
  host.mem_total_bytes = 8ull << 30;
  return Snapshot::Build(host, {}, {}, ScanStats(), std::move(containers));
}

const std::string kLong = "web-frontend-" + std::string(200, 'x');  // 213 bytes

TEST(PrometheusUnique, TwoLongLxcNamesSharingTheirFirst128Bytes_AreTwoSeries) {
  Snapshot s = WithContainers({Lxc(kLong + "-blue"), Lxc(kLong + "-green")});
  const std::string text = RenderPrometheus(s, Analysis(), {});
  EXPECT_EQ(DuplicateSeries(text), std::vector<std::string>()) << text;
  std::vector<std::string> memory = Samples(text, "procleak_container_memory_bytes");
  ASSERT_EQ(memory.size(), 2u) << text;
  EXPECT_NE(memory[0], memory[1]);
  EXPECT_TRUE(HasLine(text, "procleak_containers_omitted 0")) << text;
  // Each label value is the first 119 bytes, "~" and 8 hex digits of the whole value's hash.
  const std::string blue = PrometheusLabelValue(kLong + "-blue");
  EXPECT_EQ(blue.size(), 128u);
  EXPECT_EQ(blue.substr(0, 119), kLong.substr(0, 119));
  EXPECT_EQ(blue[119], '~');
  EXPECT_EQ(blue.find_first_not_of("0123456789abcdef", 120), std::string::npos) << blue;
  EXPECT_NE(blue, PrometheusLabelValue(kLong + "-green"));
  // The same value always gives the same label (a series must keep its labels between scans).
  EXPECT_EQ(blue, PrometheusLabelValue(kLong + "-blue"));
}

TEST(PrometheusUnique, LabelsThatStillCollide_LeaveTheLaterContainerOutAndCountIt) {
  // A second container whose name is, byte for byte, the first one's cut label.
  const std::string cut = PrometheusLabelValue(kLong + "-blue");
  Snapshot s = WithContainers({Lxc(kLong + "-blue"), Lxc(cut)});
  const std::string text = RenderPrometheus(s, Analysis(), {});
  EXPECT_EQ(DuplicateSeries(text), std::vector<std::string>()) << text;
  EXPECT_EQ(Samples(text, "procleak_container_memory_bytes").size(), 1u) << text;
  EXPECT_EQ(Samples(text, "procleak_container_processes").size(), 1u) << text;
  EXPECT_TRUE(HasLine(text, "procleak_containers_omitted 1")) << text;
}

TEST(PrometheusUnique, GroupsWhoseSignaturesShareTheirFirst128Bytes_AreTwoSeries) {
  testing::SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  const std::string common(150, 'z');
  for (int i = 0; i < 2; ++i) b.Add(10 + i, 1, {"worker", common + "a"}, 1 + i, 5);
  for (int i = 0; i < 2; ++i) b.Add(20 + i, 1, {"worker", common + "b"}, 1 + i, 5);
  Snapshot s = b.Build();
  Analysis a = Analyze(s, nullptr);
  const std::string text = RenderPrometheus(s, a, {});
  EXPECT_EQ(DuplicateSeries(text), std::vector<std::string>()) << text;
  EXPECT_EQ(Samples(text, "procleak_group_chains").size(), 2u) << text;
  EXPECT_TRUE(HasLine(text, "procleak_groups_omitted 0")) << text;
}

// promtool's exit status and output for `promtool check metrics < path`.
int Promtool(const std::string& path, std::string* output) {
  FILE* pipe = popen(("/usr/bin/promtool check metrics < " + path + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) output->append(buf, n);
  int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(PrometheusUnique, Promtool_AcceptsTheCutLabels) {
  if (access("/usr/bin/promtool", X_OK) != 0) {
    GTEST_SKIP() << "promtool not found at /usr/bin/promtool (Debian package prometheus)";
  }
  const std::string cut = PrometheusLabelValue(kLong + "-blue");
  Snapshot s = WithContainers({Lxc(kLong + "-blue"), Lxc(kLong + "-green"), Lxc(cut),
                               Lxc(std::string(100, '\xc3') + "\"\\\n" + kLong)});
  testing::TempTree tree;
  const std::string text = RenderPrometheus(s, Analysis(), {});
  tree.Write("unique.prom", text);
  std::string output;
  EXPECT_EQ(Promtool(tree.Path("unique.prom"), &output), 0) << output << text;
  EXPECT_EQ(output, "");
  EXPECT_EQ(DuplicateSeries(text), std::vector<std::string>()) << text;
}

}  // namespace
}  // namespace procleak
