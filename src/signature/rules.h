// SPDX-License-Identifier: Apache-2.0
#pragma once
// procleak-rules(5): name signatures, expect counts, mark pools, ignore; thresholds for findings.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
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

struct Thresholds {
  double near_memory_limit = 0.80;      // memory / limit at or above this -> near_memory_limit
  double pids_near_limit = 0.90;        // pids.current / pids.max
  double memory_pressure_avg60 = 10.0;  // PSI some avg60 percent
  int restart_loop_count = 5;           // Docker RestartCount at or above this
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

class Rules {
 public:
  // File rules come first, so they override the built-in ones.
  std::vector<Rule> rules;
  Thresholds thresholds;

  // The first rule with `action` whose pattern (on its field) and container filter match.
  const Rule* Match(RuleAction action, const RuleSubject& subject) const;
};

// Built-in rules: well-known pools (nginx, postgres, php-fpm, apache/httpd, gunicorn, uwsgi,
// sidekiq/puma workers, chrome renderers) and "expect 1" for launcher chains (npm exec, npx, pnpm
// dlx, yarn dlx, bunx, uvx, pipx run).
Rules BuiltinRules();

// Parses a rules file; `source` names it in errors: "rules.conf:7: unknown action 'expct'".
// The result holds the file's rules followed by the built-in ones.
absl::StatusOr<Rules> ParseRules(std::string_view text, std::string_view source);

// Reads and parses FILE (an error naming FILE when it cannot be read).
absl::StatusOr<Rules> LoadRules(const std::string& path);

}  // namespace procleak
