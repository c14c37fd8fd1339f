// SPDX-License-Identifier: Apache-2.0
#include "signature/signature.h"

#include <algorithm>
#include <array>
#include <span>

namespace procleak {
namespace {

using Args = std::span<const std::string_view>;

constexpr bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash + 1 == path.size()) return path;
  return path.substr(slash + 1);
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// A hex id (container, session or cache id): 8+ hex digits. At least one decimal digit is
// required so that words spelled in a-f ("deadface" aside) are kept.
bool IsHexId(std::string_view s) {
  return s.size() >= 8 && std::all_of(s.begin(), s.end(), IsHexDigit) &&
         std::any_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !IsHexDigit(s[i])) return false;
  }
  return true;
}

bool IsTempPath(std::string_view s) {
  return s == "/tmp" || s.starts_with("/tmp/") || s.starts_with("/var/tmp/") ||
         s.starts_with("/dev/shm/");
}

// Arguments that differ between otherwise identical copies: ports, pids, temp files, ids.
bool IsPerRun(std::string_view s) {
  return IsDigits(s) || IsHexId(s) || IsUuid(s) || IsTempPath(s);
}

// Package-runner caches whose paths hold a per-install hash: the part that names the program is
// what follows the last node_modules/ (or the file name).
constexpr std::array<std::string_view, 9> kCacheMarkers = {
    "/node_modules/.bin/",  "/_npx/",        "/.cache/uv/",
    "/uv/archive-v",        "/.cache/pipx/", "/pipx/venvs/",
    "/.bun/install/cache/", "/pnpm/dlx/",    "/.yarn/berry/cache/"};

bool ReduceCachePath(std::string_view arg, std::string_view* out) {
  bool cached = std::any_of(kCacheMarkers.begin(), kCacheMarkers.end(),
                            [&](std::string_view m) { return arg.find(m) != arg.npos; });
  if (!cached) return false;
  constexpr std::string_view kModules = "/node_modules/";
  size_t modules = arg.rfind(kModules);
  if (arg.find("/node_modules/.bin/") == arg.npos && modules != arg.npos &&
      modules + kModules.size() < arg.size()) {
    *out = arg.substr(modules + kModules.size());
  } else {
    *out = Basename(arg);
  }
  return true;
}

// A signature under construction: words joined by single spaces.
class Words {
 public:
  void Add(std::string_view word) {
    if (word.empty()) return;
    if (!text_.empty()) text_.push_back(' ');
    text_.append(word.data(), word.size());
  }
  // Adds `arg` unless it is per-run; cache paths are reduced, and so is the value of --key=VALUE.
  void AddArg(std::string_view arg) {
    std::string_view reduced;
    if (arg.empty() || IsPerRun(arg)) return;
    size_t eq = arg.find('=');
    if (arg.size() > 1 && arg[0] == '-' && eq != arg.npos) {
      std::string_view key = arg.substr(0, eq + 1);
      std::string_view value = arg.substr(eq + 1);
      if (IsPerRun(value)) return Add(key.substr(0, key.size() - 1));
      if (!ReduceCachePath(value, &reduced)) return Add(arg);
      Add(key);
      text_.append(reduced.data(), reduced.size());
      return;
    }
    Add(ReduceCachePath(arg, &reduced) ? reduced : arg);
  }
  void AddArgs(Args args) {
    for (std::string_view arg : args) AddArg(arg);
  }
  std::string Take() { return std::move(text_); }

 private:
  std::string text_;
};

std::vector<std::string_view> SplitWords(std::string_view text) {
  std::vector<std::string_view> words;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && IsSpace(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !IsSpace(text[i])) ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

CommandForm Form(std::string signature, std::string_view program, bool wrapper) {
  return CommandForm{std::move(signature), std::string(program), wrapper};
}

// Launcher options that take the next argument as their value (unless given as --opt=value).
bool TakesValue(std::string_view option) {
  static constexpr std::array<std::string_view, 22> kOptions = {"-p",
                                                                "--package",
                                                                "-c",
                                                                "--call",
                                                                "--from",
                                                                "--with",
                                                                "--python",
                                                                "--spec",
                                                                "--index-url",
                                                                "--extra-index-url",
                                                                "--index",
                                                                "--pip-args",
                                                                "--registry",
                                                                "--cache",
                                                                "--prefix",
                                                                "--userconfig",
                                                                "--globalconfig",
                                                                "-w",
                                                                "--workspace",
                                                                "--loglevel",
                                                                "--with-requirements",
                                                                "--node-options"};
  return std::find(kOptions.begin(), kOptions.end(), option) != kOptions.end();
}

bool IsOption(std::string_view arg) { return arg.size() > 1 && arg[0] == '-'; }

// The index of the first positional argument (a subcommand), skipping options; args.size() if none.
size_t Subcommand(Args args) {
  size_t i = 0;
  while (i < args.size() && IsOption(args[i]) && args[i] != "--") {
    i += TakesValue(args[i]) ? 2 : 1;
  }
  return std::min(i, args.size());
}

// "@scope/pkg@1.2.3" -> "@scope/pkg", "pkg@latest" -> "pkg", "tool==1.0" -> "tool". Specs with a
// protocol ("github:", "https://", "npm:alias@1") are kept.
std::string_view StripVersion(std::string_view package) {
  if (package.find(':') != package.npos) return package;
  size_t at = package.find('@', package.starts_with('@') ? 1 : 0);
  if (at != package.npos && at > 0) package = package.substr(0, at);
  size_t spec = package.find_first_of("=<>!~");
  if (spec != package.npos && spec > 0) package = package.substr(0, spec);
  return package;
}

// "LAUNCHER [launcher options] [--] PACKAGE[@version] ARGS..." -> "LAUNCHER PACKAGE ARGS...".
CommandForm LauncherForm(std::string_view launcher, Args args) {
  std::string_view call;
  size_t i = 0;
  for (; i < args.size(); ++i) {
    if (args[i] == "--") {
      ++i;
      break;
    }
    if (!IsOption(args[i])) break;
    if (TakesValue(args[i]) && i + 1 < args.size()) {
      if (args[i] == "-c" || args[i] == "--call") call = args[i + 1];
      ++i;
    }
  }
  std::vector<std::string_view> call_words;
  if (i >= args.size() && !call.empty()) {  // "npm exec -c 'tool --flag'"
    call_words = SplitWords(call);
    args = call_words;
    i = 0;
  }
  Words words;
  words.Add(launcher);
  if (i < args.size()) {
    std::string_view package = args[i];
    ReduceCachePath(package, &package);
    words.Add(StripVersion(package));
    words.AddArgs(args.subspan(i + 1));
  }
  return Form(words.Take(), launcher, true);
}

// Names an interpreter may run as a script that are package runners, with their canonical name.
std::string_view LauncherScript(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 16> kScripts = {{
      {"npm", "npm"},
      {"npm-cli.js", "npm"},
      {"npx", "npx"},
      {"npx-cli.js", "npx"},
      {"pnpm", "pnpm"},
      {"pnpm.cjs", "pnpm"},
      {"pnpm.js", "pnpm"},
      {"pnpx", "pnpx"},
      {"yarn", "yarn"},
      {"yarn.js", "yarn"},
      {"yarn.cjs", "yarn"},
      {"bunx", "bunx"},
      {"bun", "bun"},
      {"uvx", "uvx"},
      {"uv", "uv"},
      {"pipx", "pipx"},
  }};
  for (const auto& [script, canonical] : kScripts) {
    if (name == script) return canonical;
  }
  return {};
}

bool IsNode(std::string_view prog) { return prog == "node" || prog == "nodejs"; }
bool IsPython(std::string_view prog) { return prog.starts_with("python"); }
bool IsShell(std::string_view prog) {
  return prog == "sh" || prog == "bash" || prog == "dash" || prog == "zsh" || prog == "ash" ||
         prog == "ksh" || prog == "mksh";
}
bool IsScriptRunner(std::string_view sub) {
  return sub == "run" || sub == "run-script" || sub == "start" || sub == "test";
}

// Programs that start one command and wait for it (or exec it): they continue a spawn chain.
bool IsCommandWrapper(std::string_view prog) {
  static constexpr std::array<std::string_view, 13> kWrappers = {
      "timeout", "nohup", "nice", "ionice", "stdbuf",  "chrt",    "taskset",
      "setsid",  "flock", "sudo", "doas",   "runuser", "xvfb-run"};
  return std::find(kWrappers.begin(), kWrappers.end(), prog) != kWrappers.end();
}

// Interpreters whose first operand is the script that names what runs.
bool IsInterpreter(std::string_view prog) {
  return IsNode(prog) || IsPython(prog) || IsShell(prog) || prog == "ruby" || prog == "perl" ||
         prog == "php" || prog == "deno";
}

// The index of the script an interpreter runs, skipping its options (and the values of those that
// take one); args.size() when it runs none (`python3 -m mod`, `node -e code`, a REPL).
size_t ScriptIndex(Args args) {
  static constexpr std::array<std::string_view, 12> kWithValue = {
      "-r", "--require", "--import", "--loader", "--experimental-loader",   "-W",
      "-X", "-I",        "-o",       "-O",       "--check-hash-based-pycs", "-C"};
  static constexpr std::array<std::string_view, 8> kNoScript = {"-c", "-m",      "-e", "--eval",
                                                                "-p", "--print", "-E", "-"};
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a == "--") return i + 1 < args.size() ? i + 1 : args.size();
    if (std::find(kNoScript.begin(), kNoScript.end(), a) != kNoScript.end()) return args.size();
    if (!IsOption(a)) return i;
    if (std::find(kWithValue.begin(), kWithValue.end(), a) != kWithValue.end()) ++i;
  }
  return args.size();
}

// `prog`'s arguments. An interpreter's script under a temporary directory keeps its file name: it
// names the program (/tmp/a.py and /tmp/b.py are two programs), where any other temporary path is
// per-run and dropped.
void AddProgramArgs(std::string_view prog, Args args, Words* words) {
  const size_t script = IsInterpreter(prog) ? ScriptIndex(args) : args.size();
  for (size_t i = 0; i < args.size(); ++i) {
    if (i == script && IsTempPath(args[i]) && Basename(args[i]) != args[i]) {
      words->Add(Basename(args[i]));
    } else {
      words->AddArg(args[i]);
    }
  }
}

// Package-runner forms; false when `prog` with `rest` is not one.
bool ClassifyLauncher(std::string_view prog, Args rest, CommandForm* form) {
  size_t sub = Subcommand(rest);
  std::string_view word = sub < rest.size() ? rest[sub] : std::string_view();
  Args after = sub < rest.size() ? rest.subspan(sub + 1) : Args();
  if (prog == "npx") {
    *form = LauncherForm("npm exec", rest);
  } else if (prog == "npm" && (word == "exec" || word == "x")) {
    *form = LauncherForm("npm exec", after);
  } else if (prog == "pnpx" || (prog == "pnpm" && word == "dlx")) {
    *form = LauncherForm("pnpm dlx", prog == "pnpx" ? rest : after);
  } else if (prog == "yarn" && word == "dlx") {
    *form = LauncherForm("yarn dlx", after);
  } else if (prog == "bunx" || (prog == "bun" && word == "x")) {
    *form = LauncherForm("bunx", prog == "bunx" ? rest : after);
  } else if (prog == "uvx") {
    *form = LauncherForm("uvx", rest);
  } else if (prog == "uv" && word == "tool" && !after.empty() &&
             (after[0] == "run" || after[0] == "uvx")) {
    *form = LauncherForm("uvx", after.subspan(1));
  } else if (prog == "pipx" && word == "run") {
    *form = LauncherForm("pipx run", after);
  } else if ((prog == "npm" || prog == "pnpm" || prog == "yarn") && IsScriptRunner(word)) {
    // "npm run dev" waits for the script's `sh -c` like a launcher does.
    Words words;
    words.Add(prog);
    words.AddArgs(rest);
    *form = Form(words.Take(), prog, true);
  } else {
    return false;
  }
  return true;
}

// "sh -c 'CMD ...'": the command string's surrounding quotes and whitespace go, its program path
// is reduced like argv[0], its words are normalised like arguments.
void AddShellCommand(std::string_view command, Words* words) {
  while (!command.empty() && IsSpace(command.front())) command.remove_prefix(1);
  while (!command.empty() && IsSpace(command.back())) command.remove_suffix(1);
  if (command.size() >= 2 && (command.front() == '\'' || command.front() == '"') &&
      command.back() == command.front()) {
    command = command.substr(1, command.size() - 2);
  }
  std::vector<std::string_view> cmd = SplitWords(command);
  size_t program = !cmd.empty() && cmd[0] == "exec" ? 1 : 0;
  if (program == 1) words->Add(cmd[0]);
  if (program >= cmd.size()) return;
  std::string_view reduced;
  std::string_view name =
      ReduceCachePath(cmd[program], &reduced) ? reduced : Basename(cmd[program]);
  words->Add(name);
  AddProgramArgs(name, Args(cmd).subspan(program + 1), words);
}

bool ClassifyShell(std::string_view prog, Args rest, CommandForm* form) {
  bool has_c = false;
  size_t i = 0;
  for (; i < rest.size() && IsOption(rest[i]); ++i) {
    if (rest[i] == "--") {
      ++i;
      break;
    }
    if (rest[i] == "-o") {  // "-o pipefail": an option with a value
      ++i;
      continue;
    }
    if (rest[i][1] != '-' && rest[i].find('c') != rest[i].npos) has_c = true;
  }
  if (!has_c) return false;
  Words words;
  words.Add(prog);
  words.Add("-c");
  if (i < rest.size()) {
    AddShellCommand(rest[i], &words);
    words.AddArgs(rest.subspan(i + 1));
  }
  *form = Form(words.Take(), prog, true);
  return true;
}

// "env [-i] [-u NAME] [VAR=value...] PROG ARGS": the assignments go.
CommandForm EnvForm(Args rest) {
  size_t i = 0;
  while (i < rest.size()) {
    std::string_view a = rest[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (IsOption(a)) {
      i += (a == "-u" || a == "--unset" || a == "-C" || a == "--chdir") ? 2 : 1;
    } else if (a.find('=') != a.npos && a[0] != '=') {
      ++i;
    } else {
      break;
    }
  }
  Words words;
  words.Add("env");
  if (i >= rest.size()) return Form(words.Take(), "env", false);
  std::string_view reduced;
  std::string_view name = ReduceCachePath(rest[i], &reduced) ? reduced : Basename(rest[i]);
  words.Add(name);
  AddProgramArgs(name, rest.subspan(i + 1), &words);
  return Form(words.Take(), "env", true);
}

}  // namespace

bool IsShellProgram(std::string_view program) { return IsShell(program); }

bool IsInteractiveShell(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  std::string_view program = Basename(argv[0]);
  if (program.starts_with('-')) program.remove_prefix(1);  // a login shell: "-bash"
  if (!IsShell(program)) return false;
  std::vector<std::string_view> args(argv.begin() + 1, argv.end());
  for (std::string_view arg : args) {
    if (arg == "--") break;
    if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-' && arg.find('c') != arg.npos) {
      return false;  // -c, -lc, -ec: a command string
    }
  }
  return ScriptIndex(args) == args.size();  // and no script to run
}

CommandForm ClassifyCommand(const std::vector<std::string>& argv, std::string_view comm) {
  if (argv.empty()) return Form("[" + std::string(comm) + "]", comm, false);

  std::vector<std::string_view> args(argv.begin(), argv.end());
  if (argv.size() == 1 && argv[0].find_first_of(" \t") != std::string::npos) {
    std::vector<std::string_view> words = SplitWords(argv[0]);
    std::string_view first = words.empty() ? std::string_view() : Basename(words[0]);
    if (first == "npm" || first == "npx") {
      // npm rewrites its title to one argument: "npm exec @scope/pkg".
      args = std::move(words);
    } else {
      // Other rewritten titles ("nginx: worker process") are kept whole.
      if (!first.empty() && first.back() == ':') first.remove_suffix(1);
      return Form(argv[0], first.empty() ? comm : first, false);
    }
  }

  std::string_view prog = Basename(args[0]);
  std::string_view reduced;
  if (ReduceCachePath(args[0], &reduced)) prog = Basename(reduced);
  Args rest = Args(args).subspan(1);

  // An interpreter running a package runner's script: "node .../npx-cli.js", "python3 -m pipx".
  if ((IsNode(prog) || IsPython(prog)) && !rest.empty()) {
    std::string_view script;
    size_t skip = 1;
    if (IsPython(prog) && rest[0] == "-m" && rest.size() > 1) {
      script = LauncherScript(rest[1]);
      skip = 2;
    } else {
      script = LauncherScript(Basename(rest[0]));
    }
    if (!script.empty()) {
      prog = script;
      rest = rest.subspan(skip);
    }
  }

  CommandForm form;
  if (ClassifyLauncher(prog, rest, &form)) return form;
  if (IsShell(prog) && ClassifyShell(prog, rest, &form)) return form;
  if (prog == "env") return EnvForm(rest);

  Words words;
  words.Add(prog);
  AddProgramArgs(prog, rest, &words);
  std::string signature = words.Take();
  if (signature.empty()) return Form("[" + std::string(comm) + "]", comm, false);
  return Form(std::move(signature), prog.empty() ? comm : prog, IsCommandWrapper(prog));
}

}  // namespace procleak
