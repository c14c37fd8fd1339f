// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: runs the built procleak binary ($PROCLEAK_BIN, set by meson test) and captures
// its exit status, standard output and standard error.

#include <string>
#include <vector>

namespace procleak::testing {

struct RunResult {
  int exit_code = -1;  // -1 when the binary did not exit normally
  std::string out;
  std::string err;
};

// Runs $PROCLEAK_BIN with `args`, stdin from /dev/null, stdout and stderr captured in files (so
// neither pipe can fill up and block the child). Reports a test failure when it cannot start.
RunResult RunProcleak(const std::vector<std::string>& args);

// PROCLEAK_TEST_DATA/tree: a fixture tree under tests/data.
std::string DataDir(const std::string& tree);

// Copies fixture `tree` to `to` (which must not exist), so that a test can change it; returns
// `to`. Reports a test failure when the copy fails.
std::string CopyFixture(const std::string& tree, const std::string& to);

std::string ReadAll(const std::string& path);

// `text` split at '\n', without a trailing empty line.
std::vector<std::string> Lines(const std::string& text);

}  // namespace procleak::testing
