// SPDX-License-Identifier: Apache-2.0
#pragma once
// Writing an output file (-o FILE) so that a failure never leaves it half-written or lost.

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "cli/args.h"

namespace procleak {

// Writes what `produce` returns to `path` atomically: into a new temporary file in the same
// directory (mode 0644), fsync'ed, then renamed over `path`, and the directory fsync'ed. With the
// sandbox, `produce` and the write run in a forked child under the seccomp filter (which cannot
// allow a rename of only this file); the unsandboxed parent only renames or, when the child
// failed, removes the temporary file. Returns the exit status.
int WriteAtomically(const std::string& path, const CliArgs& args,
                    const std::function<absl::StatusOr<std::string>()>& produce);

}  // namespace procleak
