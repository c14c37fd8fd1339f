// SPDX-License-Identifier: Apache-2.0
#pragma once
// One function per procleak command; each returns the exit status (see procleak(1)).

#include <functional>
#include <string>

#include "cli/args.h"

namespace procleak {

int RunScan(const CliArgs& args);
int RunWatch(const CliArgs& args);
int RunRecord(const CliArgs& args);
int RunReplay(const CliArgs& args);
int RunDiff(const CliArgs& args);
int RunExport(const CliArgs& args);
int RunReap(const CliArgs& args);

// RunReap's stages with its report kept in `*report` instead of written: scan, plan, then (with
// --apply) `after_plan` and the signalling. Tests call it to change the processes between planning
// and acting; RunReap calls it with no hook. Errors are printed as RunReap prints them.
int RunReapStages(const CliArgs& args, const std::function<void()>& after_plan,
                  std::string* report);

}  // namespace procleak
