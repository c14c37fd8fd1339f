// SPDX-License-Identifier: Apache-2.0
#pragma once
// One function per procleak command; each returns the exit status (see procleak(1)).

#include "cli/args.h"

namespace procleak {

int RunScan(const CliArgs& args);
int RunWatch(const CliArgs& args);
int RunRecord(const CliArgs& args);
int RunReplay(const CliArgs& args);
int RunDiff(const CliArgs& args);
int RunExport(const CliArgs& args);
int RunReap(const CliArgs& args);

}  // namespace procleak
