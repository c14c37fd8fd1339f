// SPDX-License-Identifier: Apache-2.0
#pragma once
// The seccomp filter that read-only commands install once their arguments are parsed and their
// outputs are open (see man/procleak.1, NOTES, Sandbox).

#include <vector>

#include "absl/status/status.h"

namespace procleak {

// The exit status of a process the sandbox stopped, the same as for any other error.
inline constexpr int kSandboxViolationExit = 2;

// AddressSanitizer's runtime tests whether memory is readable by writing it into a pipe, so in a
// sanitized (test) build the filter also allows pipe2 and writes to any descriptor.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSandboxRelaxedForSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool kSandboxRelaxedForSanitizer = true;
#else
inline constexpr bool kSandboxRelaxedForSanitizer = false;
#endif
#else
inline constexpr bool kSandboxRelaxedForSanitizer = false;
#endif

// Allows what a scan needs: read-only opens, reads, directory listings, memory management, threads
// (clone with CLONE_THREAD only), sleeping, writes (and fsync/fdatasync) to `write_fds` and
// writes to standard error. With `terminal` (watch's live view), also what a full-screen view on
// standard output needs: ioctl TIOCGWINSZ on standard output (its size after SIGWINCH), ioctl
// TCSETS on standard input (its mode restored on exit) and ppoll (waiting for a key or a signal).
// Any other system call, in any thread, prints "procleak: sandbox: forbidden system call N
// (name), see --no-sandbox" on standard error and exits with kSandboxViolationExit. Cannot be
// undone. Fails with a one-line error when the kernel or libseccomp cannot install the filter.
absl::Status InstallSandbox(const std::vector<int>& write_fds = {1, 2}, bool terminal = false);

// `hook` runs in the SIGSYS handler before it reports a forbidden call and exits (watch restores
// the terminal there): async-signal-safe, making only calls the filter allows. nullptr for none.
void SetSandboxExitHook(void (*hook)());

}  // namespace procleak
