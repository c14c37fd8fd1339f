// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the cgroupfs parsers: 0 mountinfo, 1 memory.stat v1, 2 memory.stat v2,
// 3 memory.events, 4 memory.oom_control, 5 pressure, 6 limits, 7 cgroup.procs.

#include <cstddef>
#include <cstdint>

#include "cgroupfs/cgroup_procs.h"
#include "cgroupfs/memory_files.h"
#include "cgroupfs/mountinfo_parser.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace procleak;
  using fuzz::Check;
  using fuzz::CountOf;
  fuzz::FuzzInput in;
  if (!fuzz::SplitInput(data, size, in)) return 0;
  switch (in.selector % 8) {
    case 0: {
      auto mounts = ParseMountInfo(in.text);
      if (mounts.ok()) Check(mounts->size() <= CountOf(in.text, '\n') + 1);
      break;
    }
    case 1:
      (void)ParseMemoryStatV1(in.text);
      break;
    case 2:
      (void)ParseMemoryStatV2(in.text);
      break;
    case 3:
      (void)ParseMemoryEvents(in.text);
      break;
    case 4:
      (void)ParseOomControl(in.text);
      break;
    case 5:
      (void)ParsePressure(in.text);
      break;
    case 6:
      // A page size of 1 puts the v1 "unlimited" cut-off at LONG_MAX itself.
      (void)ParseLimit(in.text, 4096);
      (void)ParseLimit(in.text, 1);
      (void)ParseSingleValue(in.text);
      break;
    case 7: {
      auto pids = ParseCgroupProcs(in.text);
      if (pids.ok()) Check(pids->size() <= CountOf(in.text, '\n') + 1);
      break;
    }
  }
  return 0;
}
