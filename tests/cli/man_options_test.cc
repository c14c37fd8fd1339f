// SPDX-License-Identifier: Apache-2.0
// man/procleak.1 names every command and option the CLI accepts, read from src/cli/args.cc's
// kCommands and kScanLike tables (as source text, so a new option is checked without editing this).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "re2/re2.h"

namespace procleak {
namespace {

std::string ReadFile(const char* env) {
  const char* path = std::getenv(env);
  if (path == nullptr) {
    ADD_FAILURE() << env << " is not set";
    return "";
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_TRUE(in.good() || in.eof()) << path << ": cannot read";
  return text.str();
}

// The initializer of `name[] = {...};` in args.cc.
std::string Table(const std::string& source, const std::string& name) {
  re2::StringPiece rest(source);
  if (!RE2::FindAndConsume(&rest, "\\b" + name + "\\[\\]\\s*=\\s*\\{")) return "";
  std::string tail(rest);
  return tail.substr(0, tail.find("};"));
}

struct CliTables {
  std::map<std::string, std::vector<std::string>> commands;  // command -> its own options
  std::vector<std::string> scan_like;
};

CliTables ReadTables() {
  const std::string source = ReadFile("PROCLEAK_ARGS_CC");
  CliTables t;
  // An entry starts with `{"name",`; every option literal after it belongs to it.
  static const RE2 kToken("\\{\\s*\"([a-z][a-z-]*)\"|\"(-{1,2}[a-z][a-z-]*)\"");
  std::string table = Table(source, "kCommands");
  re2::StringPiece in(table);
  std::string command, option, current;
  while (RE2::FindAndConsume(&in, kToken, &command, &option)) {
    if (!command.empty()) {
      current = command;
      t.commands[current];
    } else if (!current.empty()) {
      t.commands[current].push_back(option);
    }
  }
  table = Table(source, "kScanLike");
  in = table;
  static const RE2 kOption("\"(-{1,2}[a-z][a-z-]*)\"");
  while (RE2::FindAndConsume(&in, kOption, &option)) t.scan_like.push_back(option);
  return t;
}

// `--fail-on` as roff writes it: `\-\-fail\-on`, not part of a longer option (`\-o` is not the
// tail of `\-\-output`, `\-\-pid` not the head of `\-\-pids`); a font escape may precede it.
bool ManNamesOption(const std::string& man, const std::string& option) {
  std::string roff;
  for (char c : option) roff += c == '-' ? std::string("\\-") : std::string(1, c);
  const RE2 re("(?m)(?:^|[^a-zA-Z0-9-]|\\\\f[BIRP])" + RE2::QuoteMeta(roff) +
               "(?:$|[^a-zA-Z0-9\\\\]|\\\\[^-])");
  return RE2::PartialMatch(man, re);
}

// A `.B`/`.BR` line that starts with the command: its SYNOPSIS entry or its item under COMMANDS.
bool ManNamesCommand(const std::string& man, const std::string& command) {
  const RE2 re("(?m)^\\.B[IR]?\\s+\"?" + RE2::QuoteMeta(command) + "(?:\\s|\"|$)");
  return RE2::PartialMatch(man, re);
}

TEST(ManOptions, ArgsTables_AreReadFromTheSource) {
  CliTables t = ReadTables();
  ASSERT_TRUE(t.commands.count("scan"));
  EXPECT_NE(std::find(t.commands["scan"].begin(), t.commands["scan"].end(), "--json"),
            t.commands["scan"].end());
  EXPECT_TRUE(t.commands.count("export"));
  EXPECT_NE(std::find(t.scan_like.begin(), t.scan_like.end(), "--root"), t.scan_like.end());
}

TEST(ManOptions, ManPage_NamesEveryCommand) {
  const std::string man = ReadFile("PROCLEAK_MAN1");
  for (const auto& [command, options] : ReadTables().commands) {
    EXPECT_TRUE(ManNamesCommand(man, command)) << "man/procleak.1 has no .B " << command;
  }
  EXPECT_TRUE(ManNamesCommand(man, "help"));
}

TEST(ManOptions, ManPage_NamesEveryOptionOfEveryCommand) {
  const std::string man = ReadFile("PROCLEAK_MAN1");
  CliTables t = ReadTables();
  for (const auto& [command, options] : t.commands) {
    for (const std::string& option : options) {
      EXPECT_TRUE(ManNamesOption(man, option))
          << command << " " << option << " is not in man/procleak.1";
    }
  }
  for (const std::string& option : t.scan_like) {
    EXPECT_TRUE(ManNamesOption(man, option)) << option << " is not in man/procleak.1";
  }
}

TEST(ManOptions, OptionMatch_IsNotFooledByLongerOptions) {
  EXPECT_TRUE(ManNamesOption(".RB [ \\-o\n", "-o"));
  EXPECT_FALSE(ManNamesOption(".B \\-\\-output\n", "-o"));
  EXPECT_FALSE(ManNamesOption("the \\-\\-pids option", "--pid"));
  EXPECT_FALSE(ManNamesOption("\\-\\-fail\\-on\\-x", "--fail-on"));
  EXPECT_TRUE(ManNamesOption(".BR \\-\\-fail\\-on ,\n", "--fail-on"));
  EXPECT_TRUE(ManNamesOption("\\fB\\-\\-pid\\fR", "--pid"));
}

}  // namespace
}  // namespace procleak
