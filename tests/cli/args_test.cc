// SPDX-License-Identifier: Apache-2.0
#include "cli/args.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

TEST(Args, Scan_AcceptsEveryOptionInBothForms) {
  absl::StatusOr<CliArgs> a = ParseArgs({"scan", "--root", "/mnt/h", "--json", "--tree", "--pid=812"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->command, Command::kScan);
  EXPECT_EQ(a->root, "/mnt/h");
  EXPECT_TRUE(a->json);
  EXPECT_TRUE(a->tree);
  EXPECT_EQ(a->pid, 812);
  a = ParseArgs({"scan", "--root=/x"});
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->root, "/x");
  EXPECT_FALSE(a->json);
  EXPECT_FALSE(a->pid.has_value());
}

TEST(Args, NoSandbox_TurnsTheFilterOff) {
  EXPECT_TRUE(ParseArgs({"scan"})->sandbox);
  EXPECT_FALSE(ParseArgs({"scan", "--no-sandbox"})->sandbox);
  EXPECT_FALSE(ParseArgs({"scan", "--no-sandbox=1"}).ok());
}

TEST(Args, HelpAndVersion) {
  EXPECT_EQ(ParseArgs({"help"})->command, Command::kHelp);
  EXPECT_EQ(ParseArgs({"--help"})->command, Command::kHelp);
  EXPECT_EQ(ParseArgs({"-h"})->command, Command::kHelp);
  EXPECT_EQ(ParseArgs({"--version"})->command, Command::kVersion);
}

TEST(Args, Rejects_BadInputWithOneLineMessage) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{}, "no command given (see 'procleak help')"},
      {{"frobnicate"}, "unknown command 'frobnicate' (see 'procleak help')"},
      {{"scan", "--bogus"}, "scan: unknown option '--bogus' (see 'procleak help')"},
      {{"scan", "--root"}, "scan: --root needs a value (see 'procleak help')"},
      {{"scan", "--pid", "12x"}, "scan: --pid needs a positive number, not '12x' (see 'procleak help')"},
      {{"scan", "--pid", "0"}, "scan: --pid needs a positive number, not '0' (see 'procleak help')"},
      {{"scan", "--json=yes"}, "scan: --json takes no value (see 'procleak help')"},
      {{"scan", "extra"}, "scan: unexpected argument 'extra' (see 'procleak help')"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CliArgs> a = ParseArgs(c.args);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(std::string(a.status().message()), c.message);
  }
}

TEST(Args, Help_NamesEveryScanOption) {
  std::string help = HelpText();
  for (const char* option : {"--root", "--json", "--tree", "--pid", "--no-sandbox", "--version"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace procleak
