// SPDX-License-Identifier: Apache-2.0
#include "testing/fixture_trees.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace procleak::testing {

std::vector<std::string> FixtureTrees() {
  std::vector<std::string> trees;
  for (const auto& entry : std::filesystem::directory_iterator(PROCLEAK_TEST_DATA)) {
    if (std::filesystem::exists(entry.path() / "proc")) trees.push_back(entry.path().filename());
  }
  std::sort(trees.begin(), trees.end());
  return trees;
}

std::string DataDir(const std::string& tree) {
  return std::string(PROCLEAK_TEST_DATA) + "/" + tree;
}

std::string CopyFixture(const std::string& tree, const std::string& to) {
  const std::string cmd = "cp -a '" + DataDir(tree) + "' '" + to + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return to;
}

std::string FixtureTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  std::replace(name.begin(), name.end(), '-', '_');
  return name;
}

}  // namespace procleak::testing
