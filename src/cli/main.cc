// SPDX-License-Identifier: Apache-2.0
// The procleak command: the only place that prints or exits.

#include <sys/syscall.h>
#include <unistd.h>

#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common.h"
#include "fmt/format.h"
#include "procleak/version.h"

namespace procleak {
namespace {

// The command being run ("scan"), for the line that reports an exception; a copy, because the
// exception may be reported after the arguments were destroyed.
char g_command[32] = "";

// Writes "procleak: TEXT[ during COMMAND][: DETAIL]" to standard error and exits with kExitError.
// Allocates nothing (memory may be what ran out) and uses the raw system calls, which the sandbox
// allows on any thread: abort() would raise SIGABRT with tgkill, which it forbids, and the user
// would read of a sandbox violation instead of the cause.
[[noreturn]] void ExitAfter(const char* text, const char* detail) {
  char line[320];
  size_t n = 0;
  auto append = [&](const char* part, size_t most) {
    for (size_t i = 0; part[i] != '\0' && i < most && n < sizeof(line) - 1; ++i) {
      const unsigned char ch = static_cast<unsigned char>(part[i]);
      line[n++] = ch >= 0x20 && ch < 0x7f ? static_cast<char>(ch) : '?';  // a terminal's controls
    }
  };
  append("procleak: ", 16);
  append(text, 64);
  if (g_command[0] != '\0') {
    append(" during ", 16);
    append(g_command, sizeof(g_command));
  }
  if (detail != nullptr) {
    append(": ", 2);
    append(detail, 200);
  }
  line[n++] = '\n';
  if (syscall(SYS_write, STDERR_FILENO, line, n) < 0) {
    // Nothing left to report it to.
  }
  syscall(SYS_exit_group, kExitError);
  __builtin_unreachable();
}

// The exception being handled, reported; an exception that escaped any thread ends here.
[[noreturn]] void ExitForException() {
  if (std::exception_ptr thrown = std::current_exception()) {
    try {
      std::rethrow_exception(thrown);
    } catch (const std::bad_alloc&) {
      ExitAfter("out of memory", nullptr);
    } catch (const std::exception& e) {
      ExitAfter("internal error", e.what());
    } catch (...) {
    }
  }
  ExitAfter("internal error", "std::terminate");
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  absl::StatusOr<CliArgs> parsed = ParseArgs(args);
  if (!parsed.ok()) return Fail(parsed.status());
  parsed->command_name.copy(g_command, sizeof(g_command) - 1);
  switch (parsed->command) {
    case Command::kHelp:
      return Write(HelpText(parsed->help_for));
    case Command::kVersion:
      return Write(fmt::format("procleak {}\n", PROCLEAK_VERSION));
    case Command::kScan:
      return RunScan(*parsed);
    case Command::kWatch:
      return RunWatch(*parsed);
    case Command::kRecord:
      return RunRecord(*parsed);
    case Command::kReplay:
      return RunReplay(*parsed);
    case Command::kDiff:
      return RunDiff(*parsed);
    case Command::kExport:
      return RunExport(*parsed);
    case Command::kReap:
      return RunReap(*parsed);
  }
  return kExitError;
}

}  // namespace
}  // namespace procleak

int main(int argc, char** argv) {
  // An exception no thread caught (one of the scan's reading threads): the same one line.
  std::set_terminate(&procleak::ExitForException);
  try {
    return procleak::Main(argc, argv);
  } catch (...) {
    procleak::ExitForException();
  }
}
