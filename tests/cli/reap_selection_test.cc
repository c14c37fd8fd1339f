// SPDX-License-Identifier: Apache-2.0
// procleak reap --apply acts only on what the user named: --signature, --container, --pid, or
// every group with --all (issue 17). Without one it is a usage error before anything is scanned;
// the live check runs procleak in a PID namespace of its own, so that even a regression could
// signal nothing but procleak itself.
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "cli/args.h"
#include "fmt/format.h"
#include "testing/json_expect.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, ParseJson, Field, DataDir

constexpr const char* kNeedsSelector =
    "reap: --apply needs --signature, --container or --pid, or --all to stop every group "
    "(see 'procleak reap --help')";

TEST(ReapSelection, ApplyWithoutSelector_IsAUsageError) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"reap", "--apply"},
           {"reap", "--apply", "--json"},
           {"reap", "--apply", "--finding", "orphaned_chain"},
           {"reap", "--apply", "--keep", "0"},
           {"reap", "--apply", "--grace", "1", "--rules", "r.conf"}}) {
    absl::StatusOr<CliArgs> a = ParseArgs(args);
    ASSERT_FALSE(a.ok()) << args.size();
    EXPECT_EQ(std::string(a.status().message()), kNeedsSelector);
  }
}

TEST(ReapSelection, ApplyWithASelectorOrAll_IsAccepted) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"reap", "--apply", "--signature", "x"},
           {"reap", "--apply", "--container=mcp-hub"},
           {"reap", "--apply", "--pid", "812"},
           {"reap", "--apply", "--all"},
           {"reap", "--all", "--apply", "--finding", "orphaned_chain"}}) {
    absl::StatusOr<CliArgs> a = ParseArgs(args);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_TRUE(a->apply);
  }
  EXPECT_TRUE(ParseArgs({"reap", "--apply", "--all"})->all);
  EXPECT_FALSE(ParseArgs({"reap", "--apply", "--pid", "1"})->all);
}

TEST(ReapSelection, DryRunWithoutSelector_StillListsEverything) {
  absl::StatusOr<CliArgs> a = ParseArgs({"reap"});
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_FALSE(a->apply);
  EXPECT_FALSE(a->all);
  RunResult bare = RunProcleak({"reap", "--json", "--root", DataDir("incident")});
  RunResult all = RunProcleak({"reap", "--json", "--all", "--root", DataDir("incident")});
  ASSERT_EQ(bare.exit_code, 0) << bare.err;
  ASSERT_EQ(all.exit_code, 0) << all.err;
  Json bare_doc = ParseJson(bare.out), all_doc = ParseJson(all.out);
  EXPECT_FALSE(Field(Field(bare_doc, "selection"), "all").get<bool>());
  EXPECT_TRUE(Field(Field(all_doc, "selection"), "all").get<bool>());
  // The incident's leaks are in several groups, all of them planned either way.
  EXPECT_GT(Field(bare_doc, "groups").size(), 1u) << bare.out;
  EXPECT_EQ(Field(bare_doc, "groups"), Field(all_doc, "groups"));
}

TEST(ReapSelection, AllWithASelector_IsAUsageError) {
  for (const char* selector : {"--signature", "--container", "--pid"}) {
    absl::StatusOr<CliArgs> a = ParseArgs({"reap", "--all", std::string(selector) + "=5"});
    ASSERT_FALSE(a.ok()) << selector;
    EXPECT_EQ(std::string(a.status().message()),
              fmt::format("reap: --all and {} exclude each other (see 'procleak reap --help')",
                          selector));
  }
  EXPECT_EQ(std::string(ParseArgs({"reap", "--all=yes"}).status().message()),
            "reap: --all takes no value (see 'procleak reap --help')");
  EXPECT_EQ(std::string(ParseArgs({"scan", "--all"}).status().message()),
            "scan: unknown option '--all' (see 'procleak scan --help')");
}

// The built binary, as a user types it: one line on standard error, exit status 2, nothing on
// standard output. Run as PID 1 of a new PID namespace (unshare(1)) with a /proc of its own, so
// that even if the check were lost it could find and signal no process but itself.
TEST(ReapSelection, BinaryApplyWithoutSelector_PrintsOneLineAndExits2) {
  if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "no /usr/bin/unshare";
  RunResult run = RunCommand({"/usr/bin/unshare", "--pid", "--fork", "--kill-child", "--mount-proc",
                              ProcleakBin(), "reap", "--apply"});
  if (run.err.starts_with("unshare:")) GTEST_SKIP() << "no PID namespace here: " << run.err;
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(run.err, std::string("procleak: ") + kNeedsSelector + "\n");
  EXPECT_EQ(run.out, "");
}

}  // namespace
}  // namespace procleak
