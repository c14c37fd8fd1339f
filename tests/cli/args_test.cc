// SPDX-License-Identifier: Apache-2.0
#include "cli/args.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

TEST(Args, Scan_AcceptsEveryOptionInBothForms) {
  absl::StatusOr<CliArgs> a = ParseArgs({"scan", "--root", "/mnt/h", "--json", "--pid=812"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->command, Command::kScan);
  EXPECT_EQ(a->root, "/mnt/h");
  EXPECT_TRUE(a->json);
  EXPECT_FALSE(a->tree);
  EXPECT_EQ(a->pid, 812);
  EXPECT_TRUE(ParseArgs({"scan", "--tree"})->tree);
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
      {{"scan", "--bogus"}, "scan: unknown option '--bogus' (see 'procleak scan --help')"},
      {{"scan", "--root"}, "scan: --root needs a value (see 'procleak scan --help')"},
      {{"scan", "--pid", "12x"},
       "scan: --pid needs a positive number, not '12x' (see 'procleak scan --help')"},
      {{"scan", "--pid", "0"},
       "scan: --pid needs a positive number, not '0' (see 'procleak scan --help')"},
      {{"scan", "--json=yes"}, "scan: --json takes no value (see 'procleak scan --help')"},
      {{"scan", "extra"}, "scan: unexpected argument 'extra' (see 'procleak scan --help')"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CliArgs> a = ParseArgs(c.args);
    ASSERT_FALSE(a.ok());
    EXPECT_EQ(std::string(a.status().message()), c.message);
  }
}

TEST(Args, Help_NamesEveryScanOption) {
  std::string help = HelpText("scan");
  for (const char* option : {"--root", "--json", "--tree", "--pid", "--no-sandbox"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
  EXPECT_NE(HelpText().find("--version"), std::string::npos);
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
    EXPECT_EQ(std::string(a.status().message()),
              c.message + " (see 'procleak " + c.args[0] + " --help')");
  }
}

}  // namespace
}  // namespace procleak

namespace procleak {
namespace {

TEST(Args, Reap_ParsesSelectionKeepApplyAndGrace) {
  absl::StatusOr<CliArgs> a = ParseArgs({"reap"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->command, Command::kReap);
  EXPECT_FALSE(a->apply);
  EXPECT_EQ(a->grace, absl::Seconds(5));
  EXPECT_TRUE(a->findings.empty());
  EXPECT_EQ(a->keep, "");
  a = ParseArgs({"reap",
                 "--finding",
                 "orphaned_chain",
                 "--finding=duplicate_chain",
                 "--signature",
                 "server-x",
                 "--container=mcp-hub",
                 "--pid",
                 "812",
                 "--pid=900",
                 "--keep",
                 "2",
                 "--apply",
                 "--grace",
                 "0.5",
                 "--json",
                 "--rules",
                 "r.conf",
                 "--pss",
                 "--docker-root",
                 "/d"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->findings,
            (std::vector<FindingKind>{FindingKind::kOrphanedChain, FindingKind::kDuplicateChain}));
  EXPECT_EQ(a->signature, "server-x");
  EXPECT_EQ(a->container, "mcp-hub");
  EXPECT_EQ(a->pids, (std::vector<int>{812, 900}));
  EXPECT_EQ(a->keep, "2");
  EXPECT_TRUE(a->apply);
  EXPECT_EQ(a->grace, absl::Milliseconds(500));
  EXPECT_TRUE(a->json);
  EXPECT_EQ(a->rules_files, std::vector<std::string>{"r.conf"});
  EXPECT_EQ(ParseArgs({"reap", "--keep", "newest"})->keep, "newest");
  EXPECT_EQ(ParseArgs({"reap", "--keep", "oldest"})->keep, "oldest");
  EXPECT_EQ(ParseArgs({"reap", "--keep", "0"})->keep, "0");
  EXPECT_EQ(ParseArgs({"reap", "--grace", "0"})->grace, absl::ZeroDuration());
  EXPECT_EQ(ParseArgs({"reap", "--root", "/fixture"})->root, "/fixture");  // a dry run
}

TEST(Args, Reap_RejectsWhatDoesNotFit) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"reap", "--finding", "oom_kills"},
       "reap: --finding takes duplicate_chain or orphaned_chain, not 'oom_kills'"},
      {{"reap", "--keep", "all"},
       "reap: --keep needs a number of chains (0 or more), newest or oldest, not 'all'"},
      {{"reap", "--keep", "-1"},
       "reap: --keep needs a number of chains (0 or more), newest or oldest, not '-1'"},
      {{"reap", "--grace", "soon"},
       "reap: --grace needs a number of seconds such as 5 or 0.5, not 'soon'"},
      {{"reap", "--pid", "0"}, "reap: --pid needs a positive number, not '0'"},
      {{"reap", "--signature="}, "reap: --signature needs some text, not ''"},
      {{"reap", "--apply=yes"}, "reap: --apply takes no value"},
      {{"reap", "--apply", "--root", "/fixture"},
       "reap: --apply signals this machine's processes; it takes no --root"},
      {{"reap", "--no-sandbox"}, "reap: unknown option '--no-sandbox'"},
      {{"reap", "--tree"}, "reap: unknown option '--tree'"},
      {{"scan", "--apply"}, "scan: unknown option '--apply'"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CliArgs> a = ParseArgs(c.args);
    ASSERT_FALSE(a.ok()) << c.message;
    EXPECT_EQ(std::string(a.status().message()),
              c.message + " (see 'procleak " + c.args[0] + " --help')");
  }
}

TEST(Args, Help_NamesReapAndItsOptions) {
  std::string help = HelpText("reap");
  for (const char* option : {"reap", "--finding", "--signature", "--container", "--keep", "--apply",
                             "--grace", "procleak.reap/1"}) {
    EXPECT_NE(help.find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace procleak
