// SPDX-License-Identifier: Apache-2.0
// RenderTree with an analysis: identical sibling chains fold into one line per group, also when
// other chains sit between them.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "analysis/analysis_fixture.h"
#include "render/text_report.h"

namespace procleak {
namespace {

using ::testing::HasSubstr;
using testing::SnapshotBuilder;

constexpr double kSecond = 1.0 / 60;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A gateway that starts four servers every cycle, six cycles: 24 chains interleaved by start.
Snapshot Gateway() {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(500, 1, {"node", "/app/gateway.js"}, 1, 90, "", "/usr/bin/node");
  int pid = 1000;
  for (int cycle = 0; cycle < 6; ++cycle) {
    for (const char* server : {"srv-a", "srv-b", "srv-c", "srv-d"}) {
      const double at = 2 + 30 * cycle + kSecond;
      b.Add(pid, 500, {std::string("npm exec ") + server}, at, 70, "", "/usr/bin/node");
      // Under load the wrapper took 15 s to start its shell: still one chain.
      b.Add(pid + 1, pid, {"sh", "-c", server}, at + 15 * kSecond, 1, "", "/bin/dash");
      b.Add(pid + 2, pid + 1, {"node", std::string("/p/node_modules/.bin/") + server},
            at + 16 * kSecond, 50, "", "/usr/bin/node");
      pid += 3;
    }
  }
  return b.Build();
}

TEST(TreeText, InterleavedChainsOfOneSpawner_FoldIntoOneLinePerGroup) {
  const Snapshot s = Gateway();
  const Analysis a = Analyze(s, nullptr);
  TextOptions options;
  options.analysis = &a;
  options.subtree_of = 500;
  std::vector<std::string> lines = Lines(RenderTree(s, options));
  ASSERT_EQ(lines.size(), 6u) << RenderTree(s, options);  // header, gateway, four folded lines
  EXPECT_THAT(lines[1], HasSubstr("500 node /app/gateway.js"));
  for (const char* server : {"srv-a", "srv-b", "srv-c", "srv-d"}) {
    int matching = 0;
    for (const std::string& line : lines) {
      if (line.find(std::string("6x npm exec ") + server + " > sh > node") != std::string::npos) {
        ++matching;
      }
    }
    EXPECT_EQ(matching, 1) << server << "\n" << RenderTree(s, options);
  }
  EXPECT_THAT(lines[5], HasSubstr("`- 6x npm exec"));  // the last line closes the branch
}

TEST(TreeText, WithoutAnalysis_ListsEveryProcess) {
  const Snapshot s = Gateway();
  TextOptions options;
  options.subtree_of = 500;
  EXPECT_EQ(Lines(RenderTree(s, options)).size(), 2u + 72u);
}

}  // namespace
}  // namespace procleak
