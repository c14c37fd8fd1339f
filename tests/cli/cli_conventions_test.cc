// SPDX-License-Identifier: Apache-2.0
// Issue 18, the command line as an operator expects it: every command documents itself (--help,
// -h, help CMD) with exactly the options it takes, "--" ends the options, "-o -" is standard
// output for export, options that exclude each other are an error naming both, reap refuses a
// container that does not exist, and --color beside NO_COLOR and TERM.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/args.h"
#include "cli/common.h"
#include "cli/help_text.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, DataDir, TempTree, ...

// The option names a help text lists: each item line "  -o, --output FILE  text" gives "-o" and
// "--output".
std::set<std::string> OptionsListed(const std::string& help) {
  std::set<std::string> out;
  for (const std::string& line : Lines(help)) {
    if (line.rfind("  -", 0) != 0) continue;
    std::string head = line.substr(2, line.find("  ", 2) - 2);
    size_t at = 0;
    while (at < head.size() && head[at] == '-') {
      const size_t end = head.find_first_of(", ", at);
      out.insert(head.substr(at, end - at));
      if (end == std::string::npos || head.compare(end, 2, ", ") != 0) break;
      at = end + 2;
    }
  }
  return out;
}

TEST(CliConventions, EveryCommand_HelpAndH_PrintItsUsageAndExactlyItsOptions) {
  ASSERT_GE(CommandNames().size(), 7u);
  for (const std::string& command : CommandNames()) {
    RunResult help = RunProcleak({command, "--help"});
    EXPECT_EQ(help.exit_code, 0) << command << ": " << help.err;
    EXPECT_EQ(help.err, "") << command;
    EXPECT_EQ(help.out.rfind("usage: procleak " + command, 0), 0u) << help.out;
    for (const std::vector<std::string>& same : {std::vector<std::string>{command, "-h"},
                                                 {"help", command},
                                                 {"-h", command},
                                                 {command, "--json", "-h"}}) {
      RunResult again = RunProcleak(same);
      EXPECT_EQ(again.exit_code, 0) << same[0] << " " << same[1];
      EXPECT_EQ(again.out, help.out) << same[0] << " " << same[1];
    }
    std::vector<std::string> accepted = OptionsOf(command);
    ASSERT_FALSE(accepted.empty()) << command;
    std::set<std::string> expected(accepted.begin(), accepted.end());
    expected.insert({"-h", "--help"});
    EXPECT_EQ(OptionsListed(help.out), expected) << command << "'s help:\n" << help.out;
    for (const std::string& line : Lines(help.out)) {
      EXPECT_LT(line.size(), 80u) << command << ": " << line;
    }
  }
}

TEST(CliConventions, EveryAcceptedOption_IsParsedAndNoOtherIs) {
  // OptionsOf is what the help above lists; the parser must agree with it.
  std::set<std::string> every;
  for (const std::string& command : CommandNames()) {
    for (const std::string& option : OptionsOf(command)) every.insert(option);
  }
  for (const std::string& command : CommandNames()) {
    const std::vector<std::string> own = OptionsOf(command);
    for (const std::string& option : every) {
      absl::StatusOr<CliArgs> a = ParseArgs({command, option});
      const std::string unknown = command + ": unknown option '" + option + "'";
      const bool rejected_as_unknown =
          !a.ok() && std::string(a.status().message()).rfind(unknown, 0) == 0;
      const bool taken = std::find(own.begin(), own.end(), option) != own.end();
      EXPECT_EQ(rejected_as_unknown, !taken) << command << " " << option;
    }
  }
}

// The parts of `text` between `separator`s.
std::vector<std::string> Parts(std::string_view text, std::string_view separator) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t at = text.find(separator);
    out.emplace_back(text.substr(0, at));
    text = at == std::string_view::npos ? "" : text.substr(at + separator.size());
  }
  return out;
}

// No line of help_text.h's tables outlives its option or command (the help shows only the lines
// of options a command takes, so a stale line would go unseen).
TEST(CliConventions, EveryHelpLine_IsForAnOptionItsCommandsTake) {
  const std::vector<std::string> commands = CommandNames();
  auto takes = [](const std::string& command, const std::string& option) {
    const std::vector<std::string> options = OptionsOf(command);
    return option == "-h" || option == "--help" ||
           std::find(options.begin(), options.end(), option) != options.end();
  };
  for (const OptionHelp& h : kOptionHelp) {
    const std::vector<std::string> names = Parts(h.option, ", ");
    const std::vector<std::string> named = Parts(h.commands, " ");  // empty: any
    for (const std::string& name : names) {
      EXPECT_TRUE(std::any_of(commands.begin(), commands.end(),
                              [&](const std::string& c) { return takes(c, name); }))
          << h.option << ": no command takes " << name;
      for (const std::string& c : named) EXPECT_TRUE(takes(c, name)) << c << " " << name;
    }
  }
  for (const CommandHelp& c : kCommandHelp) {
    EXPECT_NE(std::find(commands.begin(), commands.end(), c.name), commands.end()) << c.name;
  }
}

TEST(CliConventions, Overview_ListsEveryCommandAndHowToAskForItsOptions) {
  RunResult help = RunProcleak({"help"});
  ASSERT_EQ(help.exit_code, 0) << help.err;
  for (const std::string& command : CommandNames()) {
    EXPECT_NE(help.out.find("\n  " + command + " "), std::string::npos) << command;
  }
  EXPECT_NE(help.out.find("procleak COMMAND --help"), std::string::npos);
  EXPECT_EQ(RunProcleak({"--help"}).out, help.out);
  RunResult bad = RunProcleak({"help", "frobnicate"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.out, "");
  EXPECT_NE(bad.err.find("'frobnicate'"), std::string::npos) << bad.err;
}

TEST(CliConventions, UnknownOption_StillExitsTwoNamingIt) {
  RunResult run = RunProcleak({"scan", "--bogus", "--root", DataDir("incident")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find("unknown option '--bogus'"), std::string::npos) << run.err;
}

TEST(CliConventions, DoubleDash_EndsTheOptions) {
  absl::StatusOr<CliArgs> a = ParseArgs({"replay", "--json", "--", "--list"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->command, Command::kReplay);
  EXPECT_EQ(a->operands, std::vector<std::string>{"--list"});
  EXPECT_FALSE(a->list);
  EXPECT_TRUE(a->json);
  // After "--", -h is a file's name, not a request for help.
  a = ParseArgs({"diff", "--", "-h", "-"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->command, Command::kDiff);
  EXPECT_EQ(a->operands, (std::vector<std::string>{"-h", "-"}));
  EXPECT_FALSE(ParseArgs({"replay", "--", "a", "b"}).ok());  // still one operand
  EXPECT_FALSE(ParseArgs({"replay", "-weird.rec"}).ok());    // an option without "--"

  // A record whose name starts with a dash, replayed from its directory.
  TempTree dir;
  dir.Write("-four.plr", ReadAll(DataDir("records") + "/v1-four-moments.plr"));
  const std::vector<std::string> in_dir = {"/usr/bin/env", "--chdir=" + dir.root(), ProcleakBin()};
  std::vector<std::string> argv = in_dir;
  argv.insert(argv.end(), {"replay", "--list", "--", "-four.plr"});
  RunResult run = RunCommand(argv);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(Lines(run.out).size(), 5u) << run.out;  // a header and four moments
  argv = in_dir;
  argv.insert(argv.end(), {"replay", "--list", "-four.plr"});
  EXPECT_EQ(RunCommand(argv).exit_code, 2);
}

TEST(CliConventions, OutputDash_IsStandardOutputForExport) {
  TempTree dir;
  const std::vector<std::string> in_dir = {"/usr/bin/env", "--chdir=" + dir.root(), ProcleakBin()};
  std::vector<std::string> argv = in_dir;
  argv.insert(argv.end(), {"export", "--prometheus", "--root", DataDir("incident"), "-o", "-"});
  RunResult run = RunCommand(argv);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("\nprocleak_"), std::string::npos) << run.out.substr(0, 400);
  EXPECT_NE(access(dir.Path("-").c_str(), F_OK), 0) << "export created a file named '-'";
  // The same metrics as without -o (the fixture does not change between the two scans).
  RunResult plain = RunProcleak({"export", "--prometheus", "--root", DataDir("incident")});
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  EXPECT_EQ(Lines(run.out).size(), Lines(plain.out).size());

  argv = in_dir;
  argv.insert(argv.end(), {"record", "--root", DataDir("incident"), "-o", "-", "--count", "1"});
  RunResult record = RunCommand(argv);
  EXPECT_EQ(record.exit_code, 2);
  EXPECT_NE(record.err.find("record: -o -"), std::string::npos) << record.err;
  EXPECT_NE(access(dir.Path("-").c_str(), F_OK), 0) << "record created a file named '-'";
}

TEST(CliConventions, OptionsThatExcludeEachOther_ExitTwoNamingBoth) {
  struct Case {
    std::vector<std::string> args;
    std::string first, second;
  } cases[] = {
      {{"scan", "--json", "--tree"}, "--json", "--tree"},
      {{"scan", "--tree", "--json"}, "--json", "--tree"},
      {{"scan", "--json", "--color=never"}, "--json", "--color"},
      {{"watch", "--json", "--color", "always"}, "--json", "--color"},
      {{"diff", "a", "b", "--json", "--color=auto"}, "--json", "--color"},
      {{"replay", "x", "--json", "--tree"}, "--json", "--tree"},
      {{"replay", "x", "--list", "--at", "2026-11-24T10:00:00Z"}, "--list", "--at"},
      {{"replay", "x", "--list", "--index", "1"}, "--list", "--index"},
      {{"replay", "x", "--list", "--tree"}, "--list", "--tree"},
      {{"replay", "x", "--list", "--pid", "5"}, "--list", "--pid"},
      {{"replay", "x", "--list", "--fail-on", "info"}, "--list", "--fail-on"},
      {{"replay", "x", "--index", "0", "--at", "2026-11-24T10:00:00Z"}, "--at", "--index"},
      {{"reap", "--all", "--signature", "npm"}, "--all", "--signature"},
      {{"reap", "--container=web", "--all"}, "--all", "--container"},
      {{"reap", "--all", "--pid", "5"}, "--all", "--pid"},
  };
  for (const Case& c : cases) {
    const std::string line =
        c.args[0] + ": " + c.first + " and " + c.second + " exclude each other";
    RunResult run = RunProcleak(c.args);
    EXPECT_EQ(run.exit_code, 2) << line;
    EXPECT_EQ(run.out, "") << line;
    EXPECT_EQ(run.err, "procleak: " + line + " (see 'procleak " + c.args[0] + " --help')\n");
  }
  // Each alone is fine.
  EXPECT_TRUE(ParseArgs({"scan", "--json"}).ok());
  EXPECT_TRUE(ParseArgs({"scan", "--tree", "--color=always"}).ok());
  EXPECT_TRUE(ParseArgs({"replay", "x", "--list", "--json"}).ok());
}

TEST(CliConventions, ReapUnknownContainer_ExitsTwoNamingIt) {
  RunResult run =
      RunProcleak({"reap", "--root", DataDir("incident"), "--container", "nosuch-container"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err,
            "procleak: reap: --container nosuch-container: no such container (name, id or id "
            "prefix)\n");
  // A container the fixture has, by name and by an id prefix, plans as before.
  RunResult known = RunProcleak({"reap", "--root", DataDir("incident"), "--container", "mcp-hub"});
  EXPECT_EQ(known.exit_code, 0) << known.err;
  EXPECT_NE(known.out.find("mcp-hub"), std::string::npos) << known.out;
  // db (eb1e844f5c61) and web (ef6cbb11ae1a) both begin with "e": reaching both from one
  // --container is an error, as docker refuses an ambiguous prefix; "eb1" names db alone.
  RunResult both = RunProcleak({"reap", "--root", DataDir("incident"), "--container", "e"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_EQ(both.err,
            "procleak: reap: --container e: names 2 containers (eb1e844f5c61, ef6cbb11ae1a): give "
            "more of the id\n");
  RunResult one = RunProcleak({"reap", "--root", DataDir("incident"), "--container", "eb1"});
  EXPECT_EQ(one.exit_code, 0) << one.err;
}

// Runs procleak with an environment of `env` ("NAME=VALUE", or "-u NAME" pairs) added.
RunResult RunWithEnv(const std::vector<std::string>& env, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/env"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.push_back(ProcleakBin());
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

bool HasEscape(const std::string& text) { return text.find("\x1b[") != std::string::npos; }

TEST(CliConventions, Color_AlwaysNeverAndNoColor) {
  const std::vector<std::string> scan = {"scan", "--root", DataDir("incident")};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = scan;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const std::vector<std::string> clean = {"-u", "NO_COLOR", "TERM=xterm"};
  RunResult always = RunWithEnv(clean, with({"--color=always"}));
  ASSERT_EQ(always.exit_code, 1) << always.err;  // the incident's findings
  EXPECT_TRUE(HasEscape(always.out)) << "--color=always into a file";
  EXPECT_TRUE(HasEscape(RunWithEnv(clean, with({"--color", "always"})).out));
  EXPECT_FALSE(HasEscape(RunWithEnv(clean, with({"--color=never"})).out));
  EXPECT_FALSE(HasEscape(RunWithEnv(clean, with({"--color=auto"})).out)) << "not a terminal";
  EXPECT_FALSE(HasEscape(RunWithEnv(clean, scan).out));
  // --color=always beats NO_COLOR and TERM=dumb.
  RunResult despite = RunWithEnv({"NO_COLOR=1", "TERM=dumb"}, with({"--color=always"}));
  EXPECT_TRUE(HasEscape(despite.out)) << despite.err;
  EXPECT_FALSE(HasEscape(RunWithEnv({"NO_COLOR=1"}, scan).out));
  // The same text but for the escapes (and the scan's duration on its last line).
  std::string stripped = always.out;
  for (size_t at; (at = stripped.find("\x1b[")) != std::string::npos;) {
    stripped.erase(at, stripped.find('m', at) + 1 - at);
  }
  std::vector<std::string> colored = Lines(stripped);
  std::vector<std::string> plain = Lines(RunWithEnv(clean, with({"--color=never"})).out);
  ASSERT_EQ(colored.size(), plain.size());
  for (size_t i = 0; i + 1 < plain.size(); ++i) EXPECT_EQ(colored[i], plain[i]) << "line " << i;

  RunResult bogus = RunProcleak(with({"--color=bogus"}));
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_NE(bogus.err.find("--color takes auto, always or never, not 'bogus'"), std::string::npos)
      << bogus.err;
  EXPECT_EQ(RunProcleak(with({"--color"})).exit_code, 2);  // a value is needed
  // Commands without a coloured text report do not take it.
  EXPECT_EQ(RunProcleak({"export", "--prometheus", "--color=never"}).exit_code, 2);
}

TEST(CliConventions, ColorWanted_OnATerminalFollowsNoColorAndTerm) {
  EXPECT_TRUE(ColorWanted(ColorWhen::kAuto, true, nullptr, "xterm-256color"));
  EXPECT_TRUE(ColorWanted(ColorWhen::kAuto, true, "", nullptr));  // empty NO_COLOR is unset
  EXPECT_FALSE(ColorWanted(ColorWhen::kAuto, true, "1", "xterm"));
  EXPECT_FALSE(ColorWanted(ColorWhen::kAuto, true, nullptr, "dumb"));
  EXPECT_FALSE(ColorWanted(ColorWhen::kAuto, false, nullptr, "xterm"));
  EXPECT_TRUE(ColorWanted(ColorWhen::kAlways, false, "1", "dumb"));
  EXPECT_FALSE(ColorWanted(ColorWhen::kNever, true, nullptr, "xterm"));
}

}  // namespace
}  // namespace procleak
