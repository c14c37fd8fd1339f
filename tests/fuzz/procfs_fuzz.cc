// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the /proc/PID parsers: 0 stat, 1 statm, 2 status, 3 cmdline, 4 cgroup,
// 5 smaps_rollup; and /etc/passwd (scan --user): 6 root's uid, 7 the uid of the first line's name.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_input.h"
#include "procfs/cgroup_file_parser.h"
#include "procfs/cmdline_parser.h"
#include "procfs/passwd_parser.h"
#include "procfs/smaps_rollup_parser.h"
#include "procfs/stat_parser.h"
#include "procfs/statm_parser.h"
#include "procfs/status_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace procleak;
  using fuzz::Check;
  using fuzz::CountOf;
  fuzz::FuzzInput in;
  if (!fuzz::SplitInput(data, size, in)) return 0;
  switch (in.selector % 8) {
    case 0: {
      auto stat = ParseStat(in.text);
      if (stat.ok()) Check(stat->comm.size() < in.text.size());
      break;
    }
    case 1:
      (void)ParseStatm(in.text);
      break;
    case 2: {
      auto status = ParseStatus(in.text);
      auto brief = ParseStatusBrief(in.text);
      // The full parse reads every line the brief one reads, and agrees with it.
      if (status.ok()) Check(brief.ok() && brief->ns_pid == status->ns_pid);
      if (brief.ok() && brief->ns_pid) {
        Check(*brief->ns_pid >= 0 && in.text.find("NSpid:") != std::string_view::npos);
      }
      break;
    }
    case 3: {
      auto argv = ParseCmdline(in.text);
      Check(argv.size() <= CountOf(in.text, '\0') + 1);
      break;
    }
    case 4: {
      auto cgroups = ParseProcCgroup(in.text);
      if (cgroups.ok()) Check(cgroups->size() <= CountOf(in.text, '\n') + 1);
      break;
    }
    case 5:
      (void)ParseSmapsRollup(in.text);
      break;
    case 6:
    case 7: {
      const std::string_view name =
          in.selector % 8 == 6 ? std::string_view("root") : in.text.substr(0, in.text.find(':'));
      // A uid is only ever found on a line that starts with the name and a ':'.
      if (UidOfUser(in.text, name)) {
        Check(!name.empty() && in.text.find(std::string(name) + ":") != std::string_view::npos);
      }
      break;
    }
  }
  return 0;
}
