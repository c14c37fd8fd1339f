// SPDX-License-Identifier: Apache-2.0
// procleak-rules(5): parsing, errors with file and line, matching order, built-in rules.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "fmt/format.h"
#include "signature/rules.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

std::string ErrorOf(std::string_view text) {
  absl::StatusOr<Rules> rules = ParseRules(text, "rules.conf");
  if (rules.ok()) return "(parsed)";
  return std::string(rules.status().message());
}

RuleSubject Signature(std::string_view signature, std::string_view container_name = "",
                      std::string_view container = "") {
  RuleSubject s;
  s.signature = signature;
  s.container_name = container_name;
  s.container = container;
  return s;
}

RuleSubject Cmdline(std::string_view cmdline, std::string_view comm = "") {
  RuleSubject s;
  s.cmdline = cmdline;
  s.comm = comm;
  return s;
}

TEST(RulesParser, UnknownAction_NamesFileAndLine) {
  EXPECT_EQ(
      ErrorOf("# rules\n\npool comm ^a$\n   \n# x\nignore comm b\nexpct signature x count=1\n"),
      "rules.conf:7: unknown action 'expct'");
}

TEST(RulesParser, EveryError_HasItsExactMessage) {
  EXPECT_EQ(ErrorOf("pool argv x"),
            "rules.conf:1: unknown field 'argv' (want cmdline, comm, exe or signature)");
  EXPECT_EQ(ErrorOf("pool"), "rules.conf:1: pool rule needs a field and a pattern");
  EXPECT_EQ(ErrorOf("ignore comm"), "rules.conf:1: ignore rule needs a pattern");
  EXPECT_EQ(ErrorOf("\npool cmdline (unclosed"),
            "rules.conf:2: bad pattern '(unclosed': missing ): (unclosed");
  EXPECT_EQ(ErrorOf("expect signature ^npm"), "rules.conf:1: expect rule needs count=N");
  EXPECT_EQ(ErrorOf("expect signature ^npm count=-1"),
            "rules.conf:1: bad count '-1': want a whole number >= 0");
  EXPECT_EQ(ErrorOf("expect signature ^npm count=2x"),
            "rules.conf:1: bad count '2x': want a whole number >= 0");
  EXPECT_EQ(ErrorOf("name cmdline x"), "rules.conf:1: name rule needs as=NAME");
  EXPECT_EQ(ErrorOf("name cmdline x as="), "rules.conf:1: empty value for 'as'");
  EXPECT_EQ(ErrorOf("pool comm x cnt=1"), "rules.conf:1: unknown key 'cnt'");
  EXPECT_EQ(ErrorOf("pool comm x count=1"), "rules.conf:1: 'count' is only for expect rules");
  EXPECT_EQ(ErrorOf("ignore comm x as=y"), "rules.conf:1: 'as' is only for name rules");
  EXPECT_EQ(ErrorOf("expect comm x count=1 count=2"), "rules.conf:1: duplicate key 'count'");
  EXPECT_EQ(ErrorOf("pool comm x extra"), "rules.conf:1: expected key=value, got 'extra'");
  EXPECT_EQ(ErrorOf("pool comm x =1"), "rules.conf:1: expected key=value, got '=1'");
  EXPECT_EQ(ErrorOf("pool cmdline \"node server"), "rules.conf:1: unterminated quote");
  EXPECT_EQ(ErrorOf("pool cmdline \"a\\\""), "rules.conf:1: unterminated quote");
  EXPECT_EQ(ErrorOf("pool comm x container=[z"),
            "rules.conf:1: bad container pattern '[z': missing ]: [z");
}

TEST(RulesParser, ThresholdErrors_HaveExactMessages) {
  EXPECT_EQ(ErrorOf("threshold near_memory_limt 0.5"),
            "rules.conf:1: unknown threshold 'near_memory_limt'");
  EXPECT_EQ(ErrorOf("threshold near_memory_limit"),
            "rules.conf:1: threshold needs a name and a value");
  EXPECT_EQ(ErrorOf("threshold near_memory_limit 0.5 0.6"),
            "rules.conf:1: threshold needs a name and a value");
  EXPECT_EQ(
      ErrorOf("threshold near_memory_limit 0"),
      "rules.conf:1: bad value '0' for threshold near_memory_limit: want a fraction in (0, 1]");
  EXPECT_EQ(
      ErrorOf("threshold pids_near_limit 1.5"),
      "rules.conf:1: bad value '1.5' for threshold pids_near_limit: want a fraction in (0, 1]");
  EXPECT_EQ(
      ErrorOf("threshold pids_near_limit nan"),
      "rules.conf:1: bad value 'nan' for threshold pids_near_limit: want a fraction in (0, 1]");
  EXPECT_EQ(ErrorOf("threshold memory_pressure_avg60 101"),
            "rules.conf:1: bad value '101' for threshold memory_pressure_avg60: want a percentage "
            "in (0, 100]");
  EXPECT_EQ(
      ErrorOf("threshold restart_loop_count 0"),
      "rules.conf:1: bad value '0' for threshold restart_loop_count: want a whole number >= 1");
  EXPECT_EQ(ErrorOf("threshold restart_loop_count 2.5"),
            "rules.conf:1: bad value '2.5' for threshold restart_loop_count: want a whole number "
            ">= 1");
}

TEST(RulesParser, Thresholds_OverrideOnlyTheOnesGiven) {
  absl::StatusOr<Rules> rules = ParseRules(
      "threshold near_memory_limit 0.7\nthreshold restart_loop_count 3\n"
      "threshold memory_pressure_avg60 25.5\n",
      "t");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_DOUBLE_EQ(rules->thresholds().near_memory_limit, 0.7);
  EXPECT_EQ(rules->thresholds().restart_loop_count, 3);
  EXPECT_DOUBLE_EQ(rules->thresholds().memory_pressure_avg60, 25.5);
  EXPECT_DOUBLE_EQ(rules->thresholds().pids_near_limit, 0.9);  // default
  EXPECT_DOUBLE_EQ(ParseRules("threshold pids_near_limit 1", "t")->thresholds().pids_near_limit, 1);
}

TEST(RulesParser, CriticalMemoryLimit_IsAThresholdFraction) {
  absl::StatusOr<Rules> rules = ParseRules("threshold critical_memory_limit 0.85", "t");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_DOUBLE_EQ(rules->thresholds().critical_memory_limit, 0.85);
  EXPECT_DOUBLE_EQ(Rules().thresholds().critical_memory_limit, 0.95);
  EXPECT_EQ(ErrorOf("threshold critical_memory_limit 1.01"),
            "rules.conf:1: bad value '1.01' for threshold critical_memory_limit: want a fraction "
            "in (0, 1]");
}

TEST(RulesParser, QuotedPatternsAndValues_KeepSpacesAndEscapes) {
  absl::StatusOr<Rules> rules = ParseRules(
      "name cmdline \"node /app/my server\\.js\" as=\"my server\"\n"
      "ignore cmdline \"say \\\"hi\\\" \\\\ \\d+\"\n"
      "pool cmdline a#b   # a comment after a rule\n"
      "pool comm ab\"c d\"e\r\n",
      "q.rules");
  ASSERT_TRUE(rules.ok()) << rules.status();
  const Rule& name = RuleTableOf(*rules).rules[0];
  EXPECT_EQ(name.action, RuleAction::kName);
  EXPECT_EQ(name.field, RuleField::kCmdline);
  EXPECT_EQ(name.pattern->pattern(), "node /app/my server\\.js");
  EXPECT_EQ(name.name, "my server");
  EXPECT_EQ(name.origin, "q.rules:1");
  EXPECT_EQ(RuleTableOf(*rules).rules[1].pattern->pattern(), "say \"hi\" \\ \\d+");
  EXPECT_EQ(RuleTableOf(*rules).rules[2].pattern->pattern(), "a#b");
  EXPECT_EQ(RuleTableOf(*rules).rules[2].origin, "q.rules:3");
  EXPECT_EQ(RuleTableOf(*rules).rules[3].pattern->pattern(), "abc de");

  EXPECT_EQ(
      RuleTableOf(*rules).Match(RuleAction::kName, Cmdline("node /app/my server.js --x"))->name,
      "my server");
  EXPECT_EQ(RuleTableOf(*rules).Match(RuleAction::kName, Cmdline("node /app/my serverXjs")),
            nullptr);
  // The file's \\ is one backslash, which RE2 reads with the space after it as an escaped space.
  EXPECT_NE(RuleTableOf(*rules).Match(RuleAction::kIgnore, Cmdline("say \"hi\"  42")), nullptr);
  EXPECT_EQ(RuleTableOf(*rules).Match(RuleAction::kIgnore, Cmdline("say \"hi\" \\ 42")), nullptr);
}

TEST(RulesParser, ContainerFilter_MatchesNameOrId) {
  absl::StatusOr<Rules> rules =
      ParseRules("expect signature \"^npm exec @scope/x \" count=2 container=^mcp-hub$\n", "r");
  ASSERT_TRUE(rules.ok()) << rules.status();
  const Rule* in_hub = RuleTableOf(*rules).Match(
      RuleAction::kExpect, Signature("npm exec @scope/x > sh > node", "mcp-hub", "0b6a"));
  ASSERT_NE(in_hub, nullptr);
  EXPECT_EQ(in_hub->expected, 2);
  EXPECT_EQ(in_hub->origin, "r:1");
  // Elsewhere the built-in "expect 1" for launcher chains applies.
  const Rule* other = RuleTableOf(*rules).Match(
      RuleAction::kExpect, Signature("npm exec @scope/x > sh > node", "mcp-hub-2", "ffee"));
  ASSERT_NE(other, nullptr);
  EXPECT_EQ(other->expected, 1);
  EXPECT_EQ(other->origin, "built-in");

  absl::StatusOr<Rules> by_id = ParseRules("pool comm ^w$ container=^0b6aa5f2\n", "r");
  ASSERT_TRUE(by_id.ok());
  RuleSubject s;
  s.comm = "w";
  s.container = "0b6aa5f2967a07ea";
  EXPECT_NE(RuleTableOf(*by_id).Match(RuleAction::kPool, s), nullptr);
  s.container = "1b6aa5f2967a07ea";
  EXPECT_EQ(RuleTableOf(*by_id).Match(RuleAction::kPool, s), nullptr);
  s.container = "";  // the host
  EXPECT_EQ(RuleTableOf(*by_id).Match(RuleAction::kPool, s), nullptr);
}

TEST(RulesParser, FileRules_ComeBeforeBuiltins) {
  absl::StatusOr<Rules> rules = ParseRules(
      "# MCP servers the hub runs several of on purpose\n"
      "expect signature \"^npm exec @scope/x \" count=3\n",
      "rules.conf");
  ASSERT_TRUE(rules.ok()) << rules.status();
  ASSERT_EQ(RuleTableOf(*rules).rules.size(), 1 + Rules().rule_count());
  EXPECT_EQ(RuleTableOf(*rules).rules[0].origin, "rules.conf:2");
  EXPECT_EQ(RuleTableOf(*rules).rules.back().origin, "built-in");
  const Rule* mine =
      RuleTableOf(*rules).Match(RuleAction::kExpect, Signature("npm exec @scope/x > sh > node"));
  ASSERT_NE(mine, nullptr);
  EXPECT_EQ(mine->expected, 3);
  const Rule* builtin =
      RuleTableOf(*rules).Match(RuleAction::kExpect, Signature("npm exec @scope/y > sh"));
  ASSERT_NE(builtin, nullptr);
  EXPECT_EQ(builtin->expected, 1);
  // The action must match too: no pool rule covers a launcher chain.
  EXPECT_EQ(
      RuleTableOf(*rules).Match(RuleAction::kPool, Signature("npm exec @scope/x > sh > node")),
      nullptr);
}

TEST(RulesParser, EmptyFile_IsTheBuiltins) {
  absl::StatusOr<Rules> rules = ParseRules("\n# nothing\n", "empty");
  ASSERT_TRUE(rules.ok());
  EXPECT_EQ(RuleTableOf(*rules).rules.size(), Rules().rule_count());
  EXPECT_DOUBLE_EQ(rules->thresholds().near_memory_limit, 0.8);
  EXPECT_EQ(rules->thresholds().restart_loop_count, 5);
}

TEST(RulesParser, ExpectZero_IsAllowed) {
  absl::StatusOr<Rules> rules = ParseRules("expect comm ^miner$ count=0", "r");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(RuleTableOf(*rules).rules[0].expected, 0);
}

TEST(BuiltinRules, KnownWorkerPools_AreMatched) {
  Rules rules;
  for (const Rule& r : RuleTableOf(rules).rules) EXPECT_EQ(r.origin, "built-in");
  const char* pools[][2] = {
      {"nginx: worker process", "nginx"},
      {"postgres: 16/main: app appdb 10.0.0.5(52344) idle", "postgres"},
      {"php-fpm: pool www", "php-fpm8.2"},
      {"/usr/sbin/apache2 -k start", "apache2"},
      {"/usr/sbin/httpd -DFOREGROUND", "httpd"},
      {"/usr/bin/python3 /usr/local/bin/gunicorn app:app -w 4", "gunicorn"},
      {"gunicorn: worker [app]", "gunicorn"},
      {"uwsgi --ini /etc/uwsgi/app.ini", "uwsgi"},
      {"sidekiq 7.2.0 app [0 of 10 busy]", "ruby"},
      {"puma: cluster worker 1: 4242 [app]", "ruby"},
      {"/opt/google/chrome/chrome --type=renderer --lang=en-US", "chrome"},
      {"/usr/lib/chromium/chromium --type=renderer", "chromium"},
  };
  for (const auto& [cmdline, comm] : pools) {
    EXPECT_NE(RuleTableOf(rules).Match(RuleAction::kPool, Cmdline(cmdline, comm)), nullptr)
        << cmdline;
  }
  const char* not_pools[][2] = {
      {"nginx: master process /usr/sbin/nginx", "nginx"},
      {"/opt/google/chrome/chrome", "chrome"},
      {"node server.js", "node"},
      {"/usr/bin/python3 /srv/gunicorn_config_check.py", "python3"},
  };
  for (const auto& [cmdline, comm] : not_pools) {
    EXPECT_EQ(RuleTableOf(rules).Match(RuleAction::kPool, Cmdline(cmdline, comm)), nullptr)
        << cmdline;
  }
}

TEST(BuiltinRules, LauncherChains_AreExpectedOnce) {
  Rules rules;
  for (const char* sig : {"npm exec @scope/x > sh > node", "pnpm dlx x", "yarn dlx x > node",
                          "bunx x", "uvx mcp-server-fetch", "pipx run black"}) {
    const Rule* r = RuleTableOf(rules).Match(RuleAction::kExpect, Signature(sig));
    ASSERT_NE(r, nullptr) << sig;
    EXPECT_EQ(r->expected, 1);
  }
  EXPECT_EQ(RuleTableOf(rules).Match(RuleAction::kExpect, Signature("node server.js")), nullptr);
  EXPECT_EQ(RuleTableOf(rules).Match(RuleAction::kExpect, Signature("npm run dev > sh > node")),
            nullptr);
  EXPECT_EQ(RuleTableOf(rules).Match(RuleAction::kIgnore, Signature("npm exec x")), nullptr);
  EXPECT_EQ(RuleTableOf(rules).Match(RuleAction::kName, Signature("npm exec x")), nullptr);
}

TEST(LoadRules, MissingFile_NamesThePath) {
  testing::TempTree tree;
  std::string path = tree.Path("nope.conf");
  absl::StatusOr<Rules> rules = LoadRules(path);
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(), path + ": No such file or directory");
}

TEST(LoadRules, Directory_NamesThePath) {
  testing::TempTree tree;
  tree.MakeDir("rules.d");
  absl::StatusOr<Rules> rules = LoadRules(tree.Path("rules.d"));
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.status().message(), tree.Path("rules.d") + ": not a regular file (a directory)");
}

TEST(LoadRules, File_IsParsedWithItsPathInOriginsAndErrors) {
  testing::TempTree tree;
  tree.Write("ok.conf", "pool comm ^myworker$\nthreshold pids_near_limit 0.5\n");
  absl::StatusOr<Rules> rules = LoadRules(tree.Path("ok.conf"));
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(RuleTableOf(*rules).rules[0].origin, tree.Path("ok.conf") + ":1");
  EXPECT_DOUBLE_EQ(rules->thresholds().pids_near_limit, 0.5);

  tree.Write("bad.conf", "pool comm ^a$\n\nexpct comm b count=1\n");
  absl::StatusOr<Rules> bad = LoadRules(tree.Path("bad.conf"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), tree.Path("bad.conf") + ":3: unknown action 'expct'");
}

// The .EX blocks of a man page section, with groff's escapes undone.
std::string ManExamples(std::string_view section) {
  std::ifstream in(PROCLEAK_TEST_DATA "/../../man/procleak-rules.5");
  std::stringstream page;
  page << in.rdbuf();
  std::string text = page.str();
  size_t at = text.find(fmt::format(".SH {}\n", section));
  size_t end = text.find("\n.SH ", at + 1);
  std::string out;
  while (at != std::string::npos) {
    at = text.find("\n.EX\n", at);
    if (at == std::string::npos || at > end) break;
    size_t stop = text.find("\n.EE\n", at);
    out += text.substr(at + 5, stop - at - 4);
    at = stop;
  }
  const std::pair<std::string_view, std::string_view> kEscapes[] = {
      {"\\-", "-"}, {"\\e", "\\"}, {"\\(aq", "'"}};
  for (auto [from, to] : kEscapes) {
    for (size_t i = out.find(from); i != std::string::npos; i = out.find(from, i + 1)) {
      out.replace(i, from.size(), to.data(), to.size());
    }
  }
  return out;
}

TEST(ManPage, Examples_Parse) {
  std::string examples = ManExamples("EXAMPLES");
  ASSERT_NE(examples.find("container=^mcp-hub$"), std::string::npos) << examples;
  absl::StatusOr<Rules> rules = ParseRules(examples, "procleak-rules.5");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(RuleTableOf(*rules).rules.size(), 4 + Rules().rule_count());
  EXPECT_DOUBLE_EQ(rules->thresholds().near_memory_limit, 0.9);
  EXPECT_EQ(rules->thresholds().restart_loop_count, 3);
}

TEST(ManPage, BuiltinRuleTable_IsTheBuiltinRules) {
  absl::StatusOr<Rules> table = ParseRules(ManExamples("BUILT-IN RULES"), "procleak-rules.5");
  ASSERT_TRUE(table.ok()) << table.status();
  const RuleTable& builtin = *BuiltinRuleTable();
  ASSERT_EQ(RuleTableOf(*table).rules.size(), 2 * builtin.rules.size());
  for (size_t i = 0; i < builtin.rules.size(); ++i) {
    const Rule& documented = RuleTableOf(*table).rules[i];
    const Rule& real = builtin.rules[i];
    EXPECT_EQ(documented.action, real.action) << i;
    EXPECT_EQ(documented.field, real.field) << i;
    EXPECT_EQ(documented.pattern->pattern(), real.pattern->pattern()) << i;
    EXPECT_EQ(documented.expected, real.expected) << i;
  }
}

}  // namespace
}  // namespace procleak
