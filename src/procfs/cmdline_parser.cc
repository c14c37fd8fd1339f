// SPDX-License-Identifier: Apache-2.0
// ParseCmdline: /proc/PID/cmdline into argv.

#include "procfs/cmdline_parser.h"

namespace procleak {

std::vector<std::string> ParseCmdline(std::string_view text) {
  // Only the trailing run of NULs is padding (the argv terminator, or what setproctitle() left
  // behind); an empty argument in the middle ("a\0\0b\0") is kept. The price: a trailing empty
  // argument (argv {"a", ""}) is indistinguishable from padding and is dropped.
  size_t end = text.find_last_not_of('\0');
  if (end == std::string_view::npos) return {};
  text = text.substr(0, end + 1);
  std::vector<std::string> argv;
  while (true) {
    size_t nul = text.find('\0');
    argv.emplace_back(text.substr(0, nul));
    if (nul == std::string_view::npos) break;
    text.remove_prefix(nul + 1);
  }
  return argv;
}

}  // namespace procleak
