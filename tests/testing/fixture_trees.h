// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: the fixture trees under tests/data (PROCLEAK_TEST_DATA), for parameterized tests.

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace procleak::testing {

// Names of the directories under tests/data that hold a proc/ tree, sorted.
std::vector<std::string> FixtureTrees();

// PROCLEAK_TEST_DATA/tree: the root of fixture tree `tree`, to pass as --root or
// ScanOptions::root.
std::string DataDir(const std::string& tree);

// Copies fixture `tree` to `to` (which must not exist), so that a test can change it; returns
// `to`. Reports a test failure when the copy fails.
std::string CopyFixture(const std::string& tree, const std::string& to);

// A test name for INSTANTIATE_TEST_SUITE_P: the tree's name with '-' as '_'.
std::string FixtureTestName(const ::testing::TestParamInfo<std::string>& info);

}  // namespace procleak::testing
