// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: the fixture trees under tests/data (PROCLEAK_TEST_DATA), for parameterized tests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace procleak::testing {

// Names of the directories under tests/data that hold a proc/ tree, sorted.
std::vector<std::string> FixtureTrees();

// The root directory of fixture tree `name`, to pass as ScanOptions::root.
std::string FixtureRoot(const std::string& name);

// A test name for INSTANTIATE_TEST_SUITE_P: the tree's name with '-' as '_'.
std::string FixtureTestName(const ::testing::TestParamInfo<std::string>& info);

}  // namespace procleak::testing
