// SPDX-License-Identifier: Apache-2.0
#pragma once
// Test helper: runs the built procleak binary ($PROCLEAK_BIN, set by meson test) and captures
// its exit status, standard output and standard error.

#include <string>
#include <vector>

#include "testing/fixture_trees.h"  // DataDir and CopyFixture, which tests of the CLI use

namespace procleak::testing {

struct RunResult {
  int exit_code = -1;  // -1 when the binary did not exit normally
  std::string out;
  std::string err;
  int signal = 0;          // the signal that ended it, if one did
  bool timed_out = false;  // RunProcleakWithin killed it at its deadline
};

// Runs $PROCLEAK_BIN with `args`, stdin from /dev/null, stdout and stderr captured in files (so
// neither pipe can fill up and block the child). Reports a test failure when it cannot start.
RunResult RunProcleak(const std::vector<std::string>& args);

// Runs the program `argv[0]` (a path) with `argv` the same way.
RunResult RunCommand(const std::vector<std::string>& argv);

// $PROCLEAK_BIN, or "" after reporting a failure when it is not set.
std::string ProcleakBin();

// RunProcleak with a deadline and, when `address_space` is not 0, that RLIMIT_AS (bytes) set in
// the child before exec. A child still running at the deadline is killed and reaped, and the
// result says timed_out: a test of something that must not hang fails instead of hanging.
RunResult RunProcleakWithin(const std::vector<std::string>& args, int timeout_ms,
                            size_t address_space = 0);

std::string ReadAll(const std::string& path);

// `text` split at '\n', without a trailing empty line.
std::vector<std::string> Lines(const std::string& text);

}  // namespace procleak::testing
