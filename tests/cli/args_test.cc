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

namespace procleak {
namespace {

TEST(Args, OverTime_ParsesEachCommandsOptions) {
  absl::StatusOr<CliArgs> a =
      ParseArgs({"watch", "--interval", "2.5", "--count=3", "--json", "--root", "/mnt"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->command, Command::kWatch);
  EXPECT_EQ(a->interval, absl::Milliseconds(2500));
  EXPECT_EQ(a->count, 3);
  EXPECT_EQ(a->root, "/mnt");
  a = ParseArgs({"record", "-o", "x.plr", "--interval", "10s", "--duration", "1d"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->output, "x.plr");
  EXPECT_EQ(a->duration, absl::Hours(24));
  EXPECT_EQ(ParseArgs({"record", "-o", "x", "--interval", "0"})->interval, absl::ZeroDuration());
  a = ParseArgs({"replay", "x.plr", "--at", "2026-11-24 10:00:00"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->operands, std::vector<std::string>{"x.plr"});
  EXPECT_EQ(a->at, absl::FromUnixSeconds(1795514400));
  EXPECT_EQ(ParseArgs({"replay", "x", "--at", "2026-11-24T11:00:00+01:00"})->at,
            absl::FromUnixSeconds(1795514400));
  a = ParseArgs({"diff", "a.plr@#0", "live", "--json"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->operands, (std::vector<std::string>{"a.plr@#0", "live"}));
  a = ParseArgs({"export", "--prometheus", "--output=/x.prom"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_TRUE(a->prometheus);
  EXPECT_EQ(a->output, "/x.prom");
}

TEST(Args, OverTime_RejectsWhatDoesNotFit) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"record"}, "record: -o FILE is required"},
      {{"record", "-o", "x", "--rules", "r"}, "record: unknown option '--rules'"},
      {{"watch", "--interval", "soon"},
       "watch: --interval needs a duration such as 10s, 5m or 1h, not 'soon'"},
      {{"watch", "--count", "0"}, "watch: --count needs a positive number, not '0'"},
      {{"watch", "--tree"}, "watch: unknown option '--tree'"},
      {{"replay"}, "replay: which record? (replay FILE)"},
      {{"replay", "x", "--at", "yesterday"},
       "replay: --at needs a time such as 2026-11-24T10:00:00Z, not 'yesterday'"},
      {{"replay", "x", "--at", "2026-11-24 10:00:00", "--index", "1"},
       "replay: --at and --index exclude each other"},
      {{"replay", "x", "--root", "/"}, "replay: unknown option '--root'"},
      {{"diff", "a"}, "diff: needs two moments: diff A B (FILE@TIME, a scan JSON file, live)"},
      {{"diff", "a", "b", "c"}, "diff: unexpected argument 'c'"},
      {{"export"}, "export: which format? (export --prometheus)"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CliArgs> a = ParseArgs(c.args);
    ASSERT_FALSE(a.ok()) << c.message;
    EXPECT_EQ(std::string(a.status().message()), c.message + " (see 'procleak help')");
  }
}

}  // namespace
}  // namespace procleak
