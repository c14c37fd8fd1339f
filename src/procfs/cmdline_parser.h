// SPDX-License-Identifier: Apache-2.0
#pragma once
// Parser for /proc/PID/cmdline: NUL-separated argv, possibly rewritten by the process.

#include <string>
#include <string_view>
#include <vector>

namespace procleak {

// Splits on NUL. Empty input (kernel threads, zombies) gives no arguments; a missing final NUL
// is accepted; trailing NUL padding left by setproctitle() is dropped; a title written over the
// whole area comes back as one argument with spaces. Never fails.
std::vector<std::string> ParseCmdline(std::string_view text);

}  // namespace procleak
