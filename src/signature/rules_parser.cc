// SPDX-License-Identifier: Apache-2.0
// procleak-rules(5) parsing: one rule or threshold per line, errors as "SOURCE:LINE: message".
#include <fcntl.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <iterator>
#include <optional>

#include "absl/status/status.h"
#include "base/keyed_values.h"
#include "base/read_file.h"
#include "fmt/format.h"
#include "signature/rules.h"

namespace procleak {
namespace {

// Splits a line into words. A word may contain double-quoted parts ("a b", as="x y"), in which
// \" and \\ stand for " and \ and any other backslash is kept (so RE2 escapes like \d pass).
// An unquoted '#' at the start of a word begins a comment.
bool SplitLine(std::string_view line, std::vector<std::string>* words, std::string* error) {
  size_t i = 0;
  while (true) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    if (i == line.size() || line[i] == '#') return true;
    std::string word;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
      if (line[i] != '"') {
        word.push_back(line[i++]);
        continue;
      }
      ++i;  // opening quote
      bool closed = false;
      while (i < line.size()) {
        char c = line[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < line.size()) {
          char next = line[i++];
          if (next != '"' && next != '\\') word.push_back(c);
          c = next;
        }
        word.push_back(c);
      }
      if (!closed) {
        *error = "unterminated quote";
        return false;
      }
    }
    words->push_back(std::move(word));
  }
}

std::shared_ptr<const RE2> Compile(const std::string& pattern, std::string* error) {
  RE2::Options options;
  options.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, options);
  if (!re->ok()) {
    *error = re->error();
    return nullptr;
  }
  return re;
}

std::optional<RuleAction> ParseAction(std::string_view word) {
  if (word == "name") return RuleAction::kName;
  if (word == "expect") return RuleAction::kExpect;
  if (word == "pool") return RuleAction::kPool;
  if (word == "ignore") return RuleAction::kIgnore;
  return std::nullopt;
}

std::optional<RuleField> ParseField(std::string_view word) {
  if (word == "cmdline") return RuleField::kCmdline;
  if (word == "comm") return RuleField::kComm;
  if (word == "exe") return RuleField::kExe;
  if (word == "signature") return RuleField::kSignature;
  return std::nullopt;
}

std::optional<int> ParseCount(std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseNumber(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// One threshold: a fraction in (0, 1], a percentage in (0, 100], or a count >= 1.
struct ThresholdRow {
  std::string_view name;
  double Thresholds::*real;  // null for a count
  int Thresholds::*count;    // null for a fraction or percentage
  double max;                // a real's upper bound
};

constexpr ThresholdRow kThresholdRows[] = {
    {"near_memory_limit", &Thresholds::near_memory_limit, nullptr, 1},
    {"critical_memory_limit", &Thresholds::critical_memory_limit, nullptr, 1},
    {"pids_near_limit", &Thresholds::pids_near_limit, nullptr, 1},
    {"memory_pressure_avg60", &Thresholds::memory_pressure_avg60, nullptr, 100},
    {"restart_loop_count", nullptr, &Thresholds::restart_loop_count, 0},
};

bool InRange(const ThresholdRow& row, double value) {
  return row.count != nullptr ? value >= 1 : value > 0 && value <= row.max;
}

std::string BadThreshold(const ThresholdRow& row, std::string_view text) {
  return fmt::format("bad value '{}' for threshold {}: want {}", text, row.name,
                     row.count != nullptr ? "a whole number >= 1"
                     : row.max == 100     ? "a percentage in (0, 100]"
                                          : "a fraction in (0, 1]");
}

// "threshold NAME VALUE"; returns an error message, empty on success.
std::string ParseThreshold(const std::vector<std::string>& words, Thresholds* t) {
  if (words.size() != 3) return "threshold needs a name and a value";
  const std::string& name = words[1];
  const std::string& text = words[2];
  for (const ThresholdRow& row : kThresholdRows) {
    if (row.name != name) continue;
    if (row.count != nullptr) {
      std::optional<int> count = ParseCount(text);
      if (!count || !InRange(row, *count)) return BadThreshold(row, text);
      t->*row.count = *count;
    } else {
      std::optional<double> value = ParseNumber(text);
      if (!value || !InRange(row, *value)) return BadThreshold(row, text);
      t->*row.real = *value;
    }
    return "";
  }
  return fmt::format("unknown threshold '{}'", name);
}

// "ACTION FIELD PATTERN [key=value...]"; returns an error message, empty on success.
std::string ParseRule(const std::vector<std::string>& words, Rule* rule) {
  std::optional<RuleAction> action = ParseAction(words[0]);
  if (!action) return fmt::format("unknown action '{}'", words[0]);
  rule->action = *action;
  if (words.size() < 2) return fmt::format("{} rule needs a field and a pattern", words[0]);
  std::optional<RuleField> field = ParseField(words[1]);
  if (!field) {
    return fmt::format("unknown field '{}' (want cmdline, comm, exe or signature)", words[1]);
  }
  rule->field = *field;
  if (words.size() < 3) return fmt::format("{} rule needs a pattern", words[0]);
  std::string error;
  rule->pattern = Compile(words[2], &error);
  if (rule->pattern == nullptr) return fmt::format("bad pattern '{}': {}", words[2], error);

  bool has_as = false, has_count = false, has_container = false;
  for (size_t i = 3; i < words.size(); ++i) {
    const std::string& word = words[i];
    size_t eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      return fmt::format("expected key=value, got '{}'", word);
    }
    std::string key = word.substr(0, eq);
    std::string value = word.substr(eq + 1);
    bool* seen = key == "as"          ? &has_as
                 : key == "count"     ? &has_count
                 : key == "container" ? &has_container
                                      : nullptr;
    if (seen == nullptr) return fmt::format("unknown key '{}'", key);
    if (*seen) return fmt::format("duplicate key '{}'", key);
    *seen = true;
    if (value.empty()) return fmt::format("empty value for '{}'", key);
    if (key == "as") {
      if (rule->action != RuleAction::kName) return "'as' is only for name rules";
      rule->name = value;
    } else if (key == "count") {
      if (rule->action != RuleAction::kExpect) return "'count' is only for expect rules";
      std::optional<int> count = ParseCount(value);
      if (!count) return fmt::format("bad count '{}': want a whole number >= 0", value);
      rule->expected = *count;
    } else {
      rule->container = Compile(value, &error);
      if (rule->container == nullptr) {
        return fmt::format("bad container pattern '{}': {}", value, error);
      }
    }
  }
  if (rule->action == RuleAction::kName && !has_as) return "name rule needs as=NAME";
  if (rule->action == RuleAction::kExpect && !has_count) return "expect rule needs count=N";
  return "";
}

}  // namespace

absl::Status ValidateThresholds(const Thresholds& t) {
  for (const ThresholdRow& row : kThresholdRows) {
    // NaN fails InRange, so it is rejected too.
    double value = row.count != nullptr ? t.*row.count : t.*row.real;
    if (!InRange(row, value)) {
      return absl::InvalidArgumentError(BadThreshold(row, fmt::format("{}", value)));
    }
  }
  return absl::OkStatus();
}

namespace {

// Appends the rules of `text` (named `source`) to `*rules`, in the order written, and applies its
// threshold lines to `*thresholds`.
absl::Status ParseRulesInto(std::string_view text, std::string_view source,
                            std::vector<Rule>* rules, Thresholds* thresholds) {
  int line_no = 0;
  std::string_view line;
  while (NextLine(&text, &line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string> words;
    std::string error;
    if (SplitLine(line, &words, &error) && !words.empty()) {
      if (words[0] == "threshold") {
        error = ParseThreshold(words, thresholds);
      } else {
        Rule rule;
        error = ParseRule(words, &rule);
        rule.origin = fmt::format("{}:{}", source, line_no);
        if (error.empty()) rules->push_back(std::move(rule));
      }
    }
    if (!error.empty()) {
      return absl::InvalidArgumentError(fmt::format("{}:{}: {}", source, line_no, error));
    }
  }
  return absl::OkStatus();
}

// The whole of the rules file at `path` (at most FileKind::kRules' limit), named as given.
absl::StatusOr<std::string> ReadRulesFile(const std::string& path) {
  std::string text;
  // Without a directory, ReadFileAt names the file as the user wrote it.
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", path.c_str(), FileKind::kRules, &text);
  if (!read.ok()) return read.status();
  if (*read == ReadOutcome::kGone) {
    return absl::NotFoundError(fmt::format("{}: {}", path, std::strerror(ENOENT)));
  }
  if (*read == ReadOutcome::kDenied) {
    return absl::PermissionDeniedError(fmt::format("{}: {}", path, std::strerror(EACCES)));
  }
  return text;
}

// `files` (each file's rules in the order written) last file first, then the built-in rules.
Rules Combine(std::vector<std::vector<Rule>> files, const Thresholds& thresholds) {
  auto table = std::make_shared<RuleTable>();
  for (auto file = files.rbegin(); file != files.rend(); ++file) {
    std::move(file->begin(), file->end(), std::back_inserter(table->rules));
  }
  const std::vector<Rule>& builtin = BuiltinRuleTable()->rules;
  table->rules.insert(table->rules.end(), builtin.begin(), builtin.end());
  return MakeRules(std::move(table), thresholds);
}

}  // namespace

absl::StatusOr<Rules> ParseRules(std::string_view text, std::string_view source) {
  std::vector<std::vector<Rule>> files(1);
  Thresholds thresholds;
  absl::Status parsed = ParseRulesInto(text, source, &files[0], &thresholds);
  if (!parsed.ok()) return parsed;
  return Combine(std::move(files), thresholds);
}

absl::StatusOr<Rules> LoadRules(const std::string& path) {
  absl::StatusOr<std::string> text = ReadRulesFile(path);
  if (!text.ok()) return text.status();
  return ParseRules(*text, path);
}

absl::StatusOr<Rules> LoadRulesFiles(const std::vector<std::string>& paths) {
  std::vector<std::vector<Rule>> files(paths.size());
  Thresholds thresholds;
  // Compiled rules take some 70 times their text: all files together get one file's limit, so
  // that many files cost no more memory than one.
  const FileLimit& limit = LimitOf(FileKind::kRules);
  size_t total = 0;
  for (size_t i = 0; i < paths.size(); ++i) {
    // One file's text at a time: what is kept is the compiled rules.
    absl::StatusOr<std::string> text = ReadRulesFile(paths[i]);
    if (!text.ok()) return text.status();
    total += text->size();
    if (total > limit.max_bytes) {
      return absl::ResourceExhaustedError(
          fmt::format("{}: the rules files together are larger than {} (limit for {})", paths[i],
                      SizeText(limit.max_bytes), limit.what));
    }
    absl::Status parsed = ParseRulesInto(*text, paths[i], &files[i], &thresholds);
    if (!parsed.ok()) return parsed;
  }
  return Combine(std::move(files), thresholds);
}

}  // namespace procleak
