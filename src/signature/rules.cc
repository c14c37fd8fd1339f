// SPDX-License-Identifier: Apache-2.0
#include "signature/rules.h"

#include <array>

namespace procleak {
namespace {

std::string_view FieldOf(const RuleSubject& subject, RuleField field) {
  switch (field) {
    case RuleField::kCmdline:
      return subject.cmdline;
    case RuleField::kComm:
      return subject.comm;
    case RuleField::kExe:
      return subject.exe;
    case RuleField::kSignature:
      break;
  }
  return subject.signature;
}

struct BuiltinRule {
  RuleAction action;
  RuleField field;
  const char* pattern;
  int expected;
};

// Programs that fork identical workers on purpose, and launchers meant to run one copy each.
constexpr std::array<BuiltinRule, 10> kBuiltins = {{
    {RuleAction::kPool, RuleField::kCmdline,
     R"(^nginx: (worker|cache manager|cache loader) process)", 0},
    {RuleAction::kPool, RuleField::kCmdline, R"(^postgres: )", 0},
    {RuleAction::kPool, RuleField::kCmdline, R"(^php-fpm: pool )", 0},
    {RuleAction::kPool, RuleField::kComm, R"(^(apache2|httpd)$)", 0},
    {RuleAction::kPool, RuleField::kCmdline, R"((^|[/ ])gunicorn(:| |$))", 0},
    {RuleAction::kPool, RuleField::kCmdline, R"((^|[/ ])uwsgi( |$))", 0},
    {RuleAction::kPool, RuleField::kCmdline, R"(^sidekiq )", 0},
    {RuleAction::kPool, RuleField::kCmdline, R"(^puma: cluster worker )", 0},
    {RuleAction::kPool, RuleField::kCmdline, R"(^\S*(chrome|chromium)\S* .*--type=renderer( |$))",
     0},
    {RuleAction::kExpect, RuleField::kSignature,
     R"(^(npm exec|pnpm dlx|yarn dlx|bunx|uvx|pipx run) )", 1},
}};

}  // namespace

const Rule* RuleTable::Match(RuleAction action, const RuleSubject& subject) const {
  for (const Rule& rule : rules) {
    if (rule.action != action || rule.pattern == nullptr) continue;
    if (rule.container != nullptr && !RE2::PartialMatch(subject.container_name, *rule.container) &&
        !RE2::PartialMatch(subject.container, *rule.container)) {
      continue;
    }
    if (RE2::PartialMatch(FieldOf(subject, rule.field), *rule.pattern)) return &rule;
  }
  return nullptr;
}

const std::shared_ptr<const RuleTable>& BuiltinRuleTable() {
  static const std::shared_ptr<const RuleTable> table = [] {
    auto t = std::make_shared<RuleTable>();
    for (const BuiltinRule& b : kBuiltins) {
      Rule rule;
      rule.action = b.action;
      rule.field = b.field;
      RE2::Options options;
      options.set_log_errors(false);
      rule.pattern = std::make_shared<const RE2>(b.pattern, options);
      rule.expected = b.expected;
      rule.origin = "built-in";
      t->rules.push_back(std::move(rule));
    }
    return t;
  }();
  return table;
}

Rules::Rules() : table_(BuiltinRuleTable()) {}

absl::Status Rules::SetThresholds(const Thresholds& thresholds) {
  absl::Status valid = ValidateThresholds(thresholds);
  if (valid.ok()) thresholds_ = thresholds;
  return valid;
}

size_t Rules::rule_count() const { return table_->rules.size(); }

const RuleTable& RuleTableOf(const Rules& rules) { return *rules.table_; }

Rules MakeRules(std::shared_ptr<const RuleTable> table, const Thresholds& thresholds) {
  Rules rules;
  rules.table_ = std::move(table);
  rules.thresholds_ = thresholds;
  return rules;
}

}  // namespace procleak
