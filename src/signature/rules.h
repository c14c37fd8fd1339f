// SPDX-License-Identifier: Apache-2.0
#pragma once
// procleak-rules(5) inside the library: the compiled rules behind procleak/rules.h's Rules and how
// a process or chain is matched against them.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "procleak/rules.h"
#include "re2/re2.h"

namespace procleak {

enum class RuleAction { kName, kExpect, kPool, kIgnore };
// What a rule's pattern is matched against (RE2 partial match): argv joined by spaces, comm,
// exe path, or a chain signature ("npm exec @scope/x > sh > node").
enum class RuleField { kCmdline, kComm, kExe, kSignature };

struct Rule {
  RuleAction action = RuleAction::kIgnore;
  RuleField field = RuleField::kCmdline;
  std::shared_ptr<const RE2> pattern;
  std::string name;                      // kName: the signature matched processes get
  int expected = 0;                      // kExpect: chains per container
  std::shared_ptr<const RE2> container;  // optional: only in containers whose name or id matches
  std::string origin;                    // "built-in" or "FILE:LINE", shown as evidence
};

// What a process or a chain looks like to the rules.
struct RuleSubject {
  std::string_view cmdline;
  std::string_view comm;
  std::string_view exe;
  std::string_view signature;
  std::string_view container;  // id
  std::string_view container_name;
};

class RuleTable {
 public:
  std::vector<Rule> rules;  // file rules first, so they override the built-in ones

  // The first rule with `action` whose pattern (on its field) and container filter match.
  const Rule* Match(RuleAction action, const RuleSubject& subject) const;
};

// The rules of `rules`, for matching.
const RuleTable& RuleTableOf(const Rules& rules);

// A Rules holding `table` and `thresholds` (already validated).
Rules MakeRules(std::shared_ptr<const RuleTable> table, const Thresholds& thresholds);

// The built-in rules: well-known pools (nginx, postgres, php-fpm, apache/httpd, gunicorn, uwsgi,
// sidekiq/puma workers, chrome renderers) and "expect 1" for launcher chains (npm exec, npx, pnpm
// dlx, yarn dlx, bunx, uvx, pipx run). Compiled once, shared by every Rules.
const std::shared_ptr<const RuleTable>& BuiltinRuleTable();

// Reads and parses the rules files `paths`, in that order, into one rule set (procleak-rules(5),
// FILES): a later file's rules are tried before an earlier one's, and all before the built-in
// rules; threshold lines apply in reading order, so a later one replaces an earlier one. The first
// file that cannot be read or parsed is the error (as LoadRules reports it), and so is the file
// with which all together exceed one rules file's limit (file_limits.h). No paths: the built-in
// rules.
absl::StatusOr<Rules> LoadRulesFiles(const std::vector<std::string>& paths);

}  // namespace procleak
