// SPDX-License-Identifier: Apache-2.0
#pragma once
// Reduces a command line to what identifies it across copies (its signature).

#include <string>
#include <string_view>
#include <vector>

namespace procleak {

struct CommandForm {
  // Normalised command: interpreter paths reduced ("/usr/local/bin/node" -> "node"), launcher
  // forms unified ("npx -y @scope/pkg@1.2" and "npm exec --yes -- @scope/pkg" and npm's rewritten
  // title "npm exec @scope/pkg" all -> "npm exec @scope/pkg"; likewise pnpm dlx, yarn dlx, bunx,
  // uvx, pipx run), version pins, -y/--yes/--offline and cache paths (".../_npx/<hash>/...")
  // dropped, per-run arguments that are pure numbers, temp paths or hex ids dropped. Empty argv
  // (kernel thread, zombie): "[comm]".
  std::string signature;
  // The program's short name for a chain member: "sh", "node", "python3", "npm exec".
  std::string program;
  // A wrapper launches another program and waits for it: launcher forms, "sh|bash|dash -c",
  // "env", "npm"/"node .../npm-cli.js" running exec, npm/pnpm/yarn running a script ("npm run
  // dev", "npm start"), and timeout, nohup, nice, ionice, stdbuf, chrt, taskset, setsid, flock,
  // sudo, doas, runuser and xvfb-run. Its children continue its spawn chain.
  bool wrapper = false;
};

CommandForm ClassifyCommand(const std::vector<std::string>& argv, std::string_view comm);

// Whether a CommandForm::program is a POSIX-style shell (sh, bash, dash, zsh, ash, ksh, mksh).
bool IsShellProgram(std::string_view program);

// Whether `argv` is an interactive shell: a shell (or login shell, "-bash") given neither a
// command string (-c) nor a script, so it reads its commands from a terminal or a pipe.
bool IsInteractiveShell(const std::vector<std::string>& argv);

}  // namespace procleak
