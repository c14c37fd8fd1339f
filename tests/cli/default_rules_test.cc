// SPDX-License-Identifier: Apache-2.0
// Rules without flags (issue 18): /etc/procleak/rules.d/*.rules, then the user's XDG file, then
// every --rules, with a later file's rules before an earlier one's (procleak-rules(5), FILES).
// The pure parts on a temporary directory; the binary in a private mount namespace (unshare(1))
// whose /etc is an overlay on a tmpfs, so the machine's /etc is never written, with XDG_CONFIG_HOME
// and HOME pointing into temporary trees.
#include "cli/default_rules.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "base/file_limits.h"
#include "cli/args.h"
#include "signature/rules.h"
#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, ParseJson, Field, TempTree, ...

// The incident's server-filesystem group: 24 chains in mcp-hub (tests/data/incident).
constexpr const char* kFilesystem = "npm exec @modelcontextprotocol/server-filesystem > sh > node";

std::string ExpectFilesystem(int count) {
  return "expect signature \"server-filesystem\" count=" + std::to_string(count) +
         " container=^mcp-hub$\n";
}

TEST(DefaultRules, UserFile_FollowsXdgThenHomeAndIgnoresRelativePaths) {
  RulesPlaces p;
  p.xdg_config_home = "/x/config";
  p.home = "/home/op";
  EXPECT_EQ(UserRulesFile(p), "/x/config/procleak/rules");
  p.xdg_config_home = "";  // unset or empty: HOME/.config
  EXPECT_EQ(UserRulesFile(p), "/home/op/.config/procleak/rules");
  p.xdg_config_home = "config";  // relative: invalid, ignored (XDG Base Directory)
  EXPECT_EQ(UserRulesFile(p), "/home/op/.config/procleak/rules");
  p.home = "";
  EXPECT_EQ(UserRulesFile(p), "");
  p.home = "op";
  EXPECT_EQ(UserRulesFile(p), "");
  p.home = "/";
  EXPECT_EQ(UserRulesFile(p), "/.config/procleak/rules");
}

TEST(DefaultRules, SystemDir_RulesFilesInBytewiseOrderThenTheUserFile) {
  TempTree tree;
  for (const char* name : {"b.rules", "a.rules", "10-x.rules", "9-y.rules", "B.rules",
                           ".hidden.rules", ".rules", "notes.txt", "x.rules.bak", "rules"}) {
    tree.Write(std::string("rules.d/") + name, "# nothing\n");
  }
  RulesPlaces p;
  p.system_dir = tree.Path("rules.d");
  p.home = tree.Path("home");
  const std::string d = p.system_dir + "/";
  const std::vector<std::string> system = {d + "10-x.rules", d + "9-y.rules", d + "B.rules",
                                           d + "a.rules", d + "b.rules"};
  absl::StatusOr<std::vector<std::string>> files = DefaultRulesFiles(p);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(*files, system);  // no user file yet: not listed
  tree.Write("home/.config/procleak/rules", "# mine\n");
  files = DefaultRulesFiles(p);
  ASSERT_TRUE(files.ok()) << files.status();
  std::vector<std::string> with_user = system;
  with_user.push_back(tree.Path("home/.config/procleak/rules"));
  EXPECT_EQ(*files, with_user);
}

// Root may run with a user's HOME (su, sudo -E): a file another user owns or may write would
// decide what reap stops, so it is an error, not a rules file. A dangling link is skipped.
TEST(DefaultRules, FilesOfOtherUsersOrWritableByOthers_AreRefusedDanglingLinksSkipped) {
  TempTree tree;
  RulesPlaces p;
  p.system_dir = tree.Path("rules.d");
  p.home = tree.Path("home");
  tree.Write("rules.d/a.rules", "# mine\n");
  ASSERT_EQ(symlink(tree.Path("gone.rules").c_str(), tree.Path("rules.d/b.rules").c_str()), 0);
  absl::StatusOr<std::vector<std::string>> files = DefaultRulesFiles(p);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(*files, std::vector<std::string>{tree.Path("rules.d/a.rules")});
  ASSERT_EQ(chmod(tree.Path("rules.d/a.rules").c_str(), 0664), 0);
  files = DefaultRulesFiles(p);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(), tree.Path("rules.d/a.rules") +
                                          ": writable by group or others: not read as a default "
                                          "rules file");
  ASSERT_EQ(chmod(tree.Path("rules.d/a.rules").c_str(), 0644), 0);
  if (geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  tree.Write("home/.config/procleak/rules", "expect node count=0\n");
  ASSERT_EQ(chown(tree.Path("home/.config/procleak/rules").c_str(), 12345, 12345), 0);
  files = DefaultRulesFiles(p);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(),
            tree.Path("home/.config/procleak/rules") +
                ": owned by uid 12345, neither root nor this user: not read as a default rules "
                "file");
}

TEST(DefaultRules, MissingDirectoryIsNoneButAFileInItsPlaceIsAnError) {
  TempTree tree;
  RulesPlaces p;
  p.system_dir = tree.Path("absent/rules.d");
  absl::StatusOr<std::vector<std::string>> files = DefaultRulesFiles(p);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_TRUE(files->empty());
  tree.Write("rules.d", "not a directory\n");
  p.system_dir = tree.Path("rules.d");
  files = DefaultRulesFiles(p);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(), tree.Path("rules.d") + ": Not a directory");
}

TEST(DefaultRules, TooManyFilesInTheDirectoryIsAnError) {
  TempTree tree;
  for (size_t i = 0; i < kMaxSystemRulesFiles; ++i) {
    tree.Write("rules.d/" + std::to_string(i) + ".rules", "");
  }
  tree.Write("rules.d/other.txt", "");  // not counted
  RulesPlaces p;
  p.system_dir = tree.Path("rules.d");
  absl::StatusOr<std::vector<std::string>> files = DefaultRulesFiles(p);
  ASSERT_TRUE(files.ok()) << files.status();
  EXPECT_EQ(files->size(), kMaxSystemRulesFiles);
  tree.Write("rules.d/one-more.rules", "");
  files = DefaultRulesFiles(p);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().message(), tree.Path("rules.d") + ": more than " +
                                          std::to_string(kMaxSystemRulesFiles) + " .rules files");
}

TEST(DefaultRules, RulesFilesOf_DefaultsThenEachRulesFlagUnlessNoDefaultRules) {
  TempTree tree;
  tree.Write("rules.d/a.rules", "");
  RulesPlaces p;
  p.system_dir = tree.Path("rules.d");
  absl::StatusOr<CliArgs> args = ParseArgs({"scan", "--rules", "x", "--rules=y"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(*RulesFilesOf(*args, p),
            (std::vector<std::string>{tree.Path("rules.d/a.rules"), "x", "y"}));
  args = ParseArgs({"scan", "--no-default-rules", "--rules", "x"});
  ASSERT_TRUE(args.ok()) << args.status();
  EXPECT_EQ(*RulesFilesOf(*args, p), std::vector<std::string>{"x"});
}

TEST(DefaultRules, NoDefaultRules_IsTakenWhereverRulesAre) {
  for (const char* command : {"scan", "watch", "export", "reap"}) {
    absl::StatusOr<CliArgs> a = ParseArgs({command, "--no-default-rules", "--prometheus"});
    if (std::string(command) != "export") a = ParseArgs({command, "--no-default-rules"});
    ASSERT_TRUE(a.ok()) << command << ": " << a.status();
    EXPECT_FALSE(a->default_rules) << command;
  }
  EXPECT_FALSE(ParseArgs({"replay", "r.plr", "--no-default-rules"})->default_rules);
  EXPECT_FALSE(ParseArgs({"diff", "a", "b", "--no-default-rules"})->default_rules);
  EXPECT_TRUE(ParseArgs({"scan"})->default_rules);
  // record keeps snapshots, not their analysis: no rules, so nothing to turn off.
  absl::StatusOr<CliArgs> record = ParseArgs({"record", "-o", "r.plr", "--no-default-rules"});
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.status().message().find("unknown option '--no-default-rules'"),
            std::string::npos);
  EXPECT_FALSE(ParseArgs({"scan", "--no-default-rules=yes"}).ok());  // a flag takes no value
}

const Rule* ExpectRuleFor(const Rules& rules, std::string_view signature) {
  RuleSubject subject;
  subject.signature = signature;
  subject.container_name = "mcp-hub";
  return RuleTableOf(rules).Match(RuleAction::kExpect, subject);
}

TEST(DefaultRules, LoadRulesFiles_LaterFileFirstThenBuiltInsAndLaterThresholdsWin) {
  TempTree tree;
  tree.Write("a.rules", ExpectFilesystem(5) +
                            "pool signature github\nthreshold near_memory_limit 0.5\n"
                            "threshold pids_near_limit 0.5\n");
  tree.Write("b.rules", "threshold near_memory_limit 0.7\n" + ExpectFilesystem(7));
  absl::StatusOr<Rules> rules = LoadRulesFiles({tree.Path("a.rules"), tree.Path("b.rules")});
  ASSERT_TRUE(rules.ok()) << rules.status();
  const Rule* expect = ExpectRuleFor(*rules, kFilesystem);
  ASSERT_NE(expect, nullptr);
  EXPECT_EQ(expect->expected, 7);
  EXPECT_EQ(expect->origin, tree.Path("b.rules") + ":2");
  // The earlier file's rules still apply where the later file has none.
  RuleSubject github;
  github.signature = "npm exec @modelcontextprotocol/server-github > sh > node";
  const Rule* pool = RuleTableOf(*rules).Match(RuleAction::kPool, github);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->origin, tree.Path("a.rules") + ":2");
  // The built-in expectation of a launcher chain comes after both files.
  const Rule* builtin = ExpectRuleFor(*rules, "npm exec other > sh > node");
  ASSERT_NE(builtin, nullptr);
  EXPECT_EQ(builtin->origin, "built-in");
  EXPECT_EQ(rules->rule_count(), 3 + BuiltinRuleTable()->rules.size());
  EXPECT_DOUBLE_EQ(rules->thresholds().near_memory_limit, 0.7);
  EXPECT_DOUBLE_EQ(rules->thresholds().pids_near_limit, 0.5);
  // The first file that fails is the error, named with its line.
  tree.Write("bad.rules", "\nexpct x\n");
  absl::StatusOr<Rules> bad =
      LoadRulesFiles({tree.Path("a.rules"), tree.Path("bad.rules"), tree.Path("gone.rules")});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), tree.Path("bad.rules") + ":2: unknown action 'expct'");
  EXPECT_EQ(LoadRulesFiles({})->rule_count(), BuiltinRuleTable()->rules.size());
}

TEST(DefaultRules, LoadRulesFiles_AllFilesTogetherGetOneFilesLimit) {
  TempTree tree;
  const size_t limit = LimitOf(FileKind::kRules).max_bytes;
  const std::string comments(limit / 2 - 1, '#');
  tree.Write("a.rules", comments + "\n");
  tree.Write("b.rules", comments + "\n");
  tree.Write("c.rules", "#\n");
  ASSERT_TRUE(LoadRulesFiles({tree.Path("a.rules"), tree.Path("b.rules")}).ok());  // exactly
  absl::StatusOr<Rules> over =
      LoadRulesFiles({tree.Path("a.rules"), tree.Path("b.rules"), tree.Path("c.rules")});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().message(),
            tree.Path("c.rules") +
                ": the rules files together are larger than 1 MiB (limit for a rules file)");
}

// The binary, with /etc/procleak as `etc_procleak` (a tree copied there; "" for none) in a private
// mount namespace, and `env` (NAME=VALUE; XDG_CONFIG_HOME and HOME unset unless given).
struct Namespaced {
  RunResult run;
  bool skipped = false;
};

Namespaced RunWithEtc(const std::string& etc_procleak, const std::vector<std::string>& env,
                      const std::vector<std::string>& args, bool as_nobody = false) {
  TempTree mnt;  // a tmpfs is mounted on it inside the namespace only: the overlay's upper layer
  std::vector<std::string> argv = {"/usr/bin/env", "-u", "XDG_CONFIG_HOME", "-u", "HOME"};
  argv.insert(argv.end(), env.begin(), env.end());
  argv.insert(argv.end(),
              {"/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
               "T=\"$1\" S=\"$2\"; shift 2; "
               "mount -t tmpfs tmpfs \"$T\" && mkdir \"$T/u\" \"$T/w\" && "
               "mount -t overlay overlay -o \"lowerdir=/etc,upperdir=$T/u,workdir=$T/w\" /etc && "
               "rm -rf /etc/procleak && { [ -z \"$S\" ] || cp -R \"$S\" /etc/procleak; } || "
               "exit 99; exec " +
                   std::string(as_nobody ? "/usr/bin/setpriv --reuid=65534 --regid=65534 "
                                           "--clear-groups -- "
                                         : "") +
                   "\"$0\" \"$@\"",
               ProcleakBin(), mnt.root(), etc_procleak});
  argv.insert(argv.end(), args.begin(), args.end());
  Namespaced result{RunCommand(argv)};
  result.skipped = result.run.exit_code == 99 || result.run.err.starts_with("unshare:") ||
                   result.run.err.starts_with("mount:");
  return result;
}

#define RUN_WITH_ETC(var, etc, env, ...)                                         \
  if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "needs unshare(1)"; \
  if (geteuid() != 0) GTEST_SKIP() << "needs root for a private mount";          \
  Namespaced var = RunWithEtc(etc, env, __VA_ARGS__);                            \
  if (var.skipped) GTEST_SKIP() << "cannot mount a private /etc: " << var.run.err

std::vector<std::string> IncidentScan(std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"scan",   "--root",    DataDir("incident"),
                                   "--json", "--fail-on", "never"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

// The server-filesystem group of a scan or replay document (null when there is none).
Json FilesystemGroup(const RunResult& run) {
  const Json doc = ParseJson(run.out);
  const Json* g = FindBy(Field(doc, "groups"), "signature", kFilesystem);
  EXPECT_NE(g, nullptr) << run.err;
  return g == nullptr ? Json() : *g;
}

// Whether one of the group's evidence lines names `origin` (FILE:LINE of the deciding rule).
bool EvidenceNames(const Json& group, const std::string& origin) {
  for (const Json& line : Field(group, "evidence")) {
    if (line.get<std::string>().find(origin) != std::string::npos) return true;
  }
  return false;
}

TEST(DefaultRules, Binary_RulesDirFilesInLexicalOrderTheLaterWins) {
  TempTree etc;
  etc.Write("rules.d/10-site.rules", ExpectFilesystem(5));
  etc.Write("rules.d/9-team.rules", "# read after 10-site: bytewise order\n" + ExpectFilesystem(7));
  // Not *.rules, or hidden: never read (each would be an error).
  etc.Write("rules.d/notes.txt", "expct x\n");
  etc.Write("rules.d/old.rules.bak", "expct x\n");
  etc.Write("rules.d/.pending.rules", "expct x\n");
  RUN_WITH_ETC(r, etc.root(), {}, IncidentScan());
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.run.err, "");
  const Json g = FilesystemGroup(r.run);
  EXPECT_EQ(g["expected"], 7);
  EXPECT_TRUE(EvidenceNames(g, "/etc/procleak/rules.d/9-team.rules:2")) << g.dump();
}

TEST(DefaultRules, Binary_XdgFileAfterTheDirectoryAndHomeIgnoredThen) {
  TempTree etc, xdg, home;
  etc.Write("rules.d/50.rules", ExpectFilesystem(5));
  xdg.Write("procleak/rules", ExpectFilesystem(9));
  home.Write(".config/procleak/rules", ExpectFilesystem(11));
  RUN_WITH_ETC(r, etc.root(),
               (std::vector<std::string>{"XDG_CONFIG_HOME=" + xdg.root(), "HOME=" + home.root()}),
               IncidentScan());
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  const Json g = FilesystemGroup(r.run);
  EXPECT_EQ(g["expected"], 9);
  EXPECT_TRUE(EvidenceNames(g, xdg.Path("procleak/rules") + ":1")) << g.dump();
}

TEST(DefaultRules, Binary_HomeConfigWhenXdgIsUnsetOrEmpty) {
  TempTree etc, home;
  etc.Write("rules.d/50.rules", ExpectFilesystem(5));
  home.Write(".config/procleak/rules", ExpectFilesystem(11));
  for (const std::vector<std::string>& env :
       {std::vector<std::string>{"HOME=" + home.root()},
        std::vector<std::string>{"XDG_CONFIG_HOME=", "HOME=" + home.root()}}) {
    RUN_WITH_ETC(r, etc.root(), env, IncidentScan());
    ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
    EXPECT_EQ(FilesystemGroup(r.run)["expected"], 11) << env.front();
  }
}

TEST(DefaultRules, Binary_RulesFlagsAddAfterTheDefaultsInTheirOrder) {
  TempTree etc, xdg, flags;
  etc.Write("rules.d/50.rules", "pool signature \"server-github\"\n" + ExpectFilesystem(5));
  xdg.Write("procleak/rules", ExpectFilesystem(9));
  flags.Write("one.rules", ExpectFilesystem(13));
  flags.Write("two.rules", ExpectFilesystem(17));
  RUN_WITH_ETC(
      r, etc.root(), {"XDG_CONFIG_HOME=" + xdg.root()},
      IncidentScan({"--rules", flags.Path("one.rules"), "--rules", flags.Path("two.rules")}));
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(FilesystemGroup(r.run)["expected"], 17);
  // The defaults still apply where the flags' files say nothing.
  const Json doc = ParseJson(r.run.out);
  const Json* github = FindBy(Field(doc, "groups"), "signature",
                              "npm exec @modelcontextprotocol/server-github > sh > node");
  ASSERT_NE(github, nullptr);
  EXPECT_EQ((*github)["classification"], "pool");
}

TEST(DefaultRules, Binary_NoDefaultRulesReadsOnlyTheFlagsFiles) {
  TempTree etc, xdg, flags;
  etc.Write("rules.d/50.rules", ExpectFilesystem(5) + "expct broken\n");  // not even parsed
  xdg.Write("procleak/rules", "expct broken\n");
  flags.Write("one.rules", ExpectFilesystem(13));
  const std::vector<std::string> env = {"XDG_CONFIG_HOME=" + xdg.root()};
  RUN_WITH_ETC(none, etc.root(), env, IncidentScan({"--no-default-rules"}));
  ASSERT_EQ(none.run.exit_code, 0) << none.run.err;
  EXPECT_EQ(FilesystemGroup(none.run)["expected"], 1);  // the built-in launcher rule
  RUN_WITH_ETC(flag, etc.root(), env,
               IncidentScan({"--no-default-rules", "--rules", flags.Path("one.rules")}));
  ASSERT_EQ(flag.run.exit_code, 0) << flag.run.err;
  EXPECT_EQ(FilesystemGroup(flag.run)["expected"], 13);
}

TEST(DefaultRules, Binary_MalformedDefaultFileIsOneLineNamingFileAndLine) {
  TempTree etc, xdg;
  etc.Write("rules.d/50.rules", "# fine so far\n\nexpct signature x count=1\n");
  RUN_WITH_ETC(r, etc.root(), {}, IncidentScan());
  EXPECT_EQ(r.run.exit_code, 2);
  EXPECT_EQ(r.run.out, "");
  EXPECT_EQ(r.run.err, "procleak: /etc/procleak/rules.d/50.rules:3: unknown action 'expct'\n");
  // The user's file the same way.
  TempTree good;
  good.Write("rules.d/50.rules", ExpectFilesystem(5));
  xdg.Write("procleak/rules", "threshold near_memory_limit 2\n");
  RUN_WITH_ETC(user, good.root(), {"XDG_CONFIG_HOME=" + xdg.root()}, IncidentScan());
  EXPECT_EQ(user.run.exit_code, 2);
  EXPECT_EQ(user.run.err, "procleak: " + xdg.Path("procleak/rules") +
                              ":1: bad value '2' for threshold near_memory_limit: want a "
                              "fraction in (0, 1]\n");
}

TEST(DefaultRules, Binary_AFileThisUserCannotSeeIsSkippedOneItCannotReadIsAnError) {
  if (access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs setpriv(1)";
  TempTree hidden, open;  // mkdtemp makes both 0700: nobody may not search them
  hidden.Write(".config/procleak/rules", "expct x\n");
  RUN_WITH_ETC(r, "", {"HOME=" + hidden.root()}, IncidentScan(), /*as_nobody=*/true);
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.run.err.find("rules"), std::string::npos) << r.run.err;
  // Visible, but not readable: an error.
  open.Write(".config/procleak/rules", "expct x\n");
  for (const char* dir : {"", ".config", ".config/procleak"}) {
    ASSERT_EQ(chmod(open.Path(dir).c_str(), 0755), 0);
  }
  ASSERT_EQ(chmod(open.Path(".config/procleak/rules").c_str(), 0600), 0);
  RUN_WITH_ETC(denied, "", {"HOME=" + open.root()}, IncidentScan(), /*as_nobody=*/true);
  EXPECT_EQ(denied.run.exit_code, 2);
  EXPECT_EQ(denied.run.err,
            "procleak: " + open.Path(".config/procleak/rules") + ": Permission denied\n");
}

TEST(DefaultRules, Binary_AbsentDirectoryAndFilesAreSilent) {
  TempTree home;  // no .config in it
  RUN_WITH_ETC(r, "", {"HOME=" + home.root()}, IncidentScan());
  ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
  EXPECT_EQ(r.run.err, "");
  EXPECT_EQ(FilesystemGroup(r.run)["expected"], 1);
  // /etc/procleak without rules.d, too.
  TempTree etc;
  etc.Write("README", "rules go in rules.d\n");
  RUN_WITH_ETC(bare, etc.root(), {}, IncidentScan());
  ASSERT_EQ(bare.run.exit_code, 0) << bare.run.err;
  EXPECT_EQ(bare.run.err, "");
}

TEST(DefaultRules, Binary_ReplayAppliesTheDefaultsToWhatRecordKept) {
  TempTree etc, out;
  etc.Write("rules.d/50.rules", ExpectFilesystem(7));
  const std::string record = out.Path("r.plr");
  RUN_WITH_ETC(rec, etc.root(), {},
               (std::vector<std::string>{"record", "-o", record, "--root", DataDir("incident"),
                                         "--count", "1", "--interval", "0"}));
  ASSERT_EQ(rec.run.exit_code, 0) << rec.run.err;
  // Recorded with the rules present, replayed without them: the record holds no rules.
  RUN_WITH_ETC(bare, "", {}, (std::vector<std::string>{"replay", record, "--json"}));
  ASSERT_EQ(bare.run.exit_code, 1) << bare.run.err;
  EXPECT_EQ(FilesystemGroup(bare.run)["expected"], 1);
  RUN_WITH_ETC(ruled, etc.root(), {}, (std::vector<std::string>{"replay", record, "--json"}));
  ASSERT_EQ(ruled.run.exit_code, 1) << ruled.run.err;
  EXPECT_EQ(FilesystemGroup(ruled.run)["expected"], 7);
}

TEST(DefaultRules, Binary_ReapPlansWithTheDefaults) {
  TempTree etc;
  etc.Write("rules.d/50.rules", ExpectFilesystem(20));
  const std::vector<std::string> reap = {
      "reap", "--root", DataDir("incident"), "--signature", "server-filesystem", "--json"};
  RUN_WITH_ETC(bare, "", {}, reap);
  RUN_WITH_ETC(ruled, etc.root(), {}, reap);
  ASSERT_NE(bare.run.exit_code, 2) << bare.run.err;
  ASSERT_NE(ruled.run.exit_code, 2) << ruled.run.err;
  const Json bare_group = Field(ParseJson(bare.run.out), "groups")[0];
  const Json ruled_group = Field(ParseJson(ruled.run.out), "groups")[0];
  // The built-in rule expects one chain: 23 of the 24 stopped.
  EXPECT_EQ(bare_group["expected"], 1);
  EXPECT_EQ(bare_group["stop"].size(), 23u);
  // rules.d expects 20: only the 8 orphaned chains are stopped, 16 kept.
  EXPECT_EQ(ruled_group["expected"], 20);
  EXPECT_EQ(ruled_group["kept"].size(), 16u);
  EXPECT_EQ(ruled_group["stop"].size(), 8u);
}

}  // namespace
}  // namespace procleak
