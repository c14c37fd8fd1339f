// SPDX-License-Identifier: Apache-2.0
#pragma once
// procleak-rules(5) for embedders: the built-in rules, rules files, and the thresholds of the
// findings Analyze() derives.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace procleak {

// When the container findings fire; "threshold NAME VALUE" lines of a rules file set them, and the
// text report colours memory use with the same two memory limits.
struct Thresholds {
  double near_memory_limit = 0.80;      // (0, 1]: memory / limit at or above -> near_memory_limit
  double critical_memory_limit = 0.95;  // (0, 1]: ... at or above -> that finding is critical
  double pids_near_limit = 0.90;        // (0, 1]: pids.current / pids.max
  double memory_pressure_avg60 = 10.0;  // (0, 100]: PSI some avg60 percent
  int restart_loop_count = 5;           // >= 1: Docker RestartCount at or above this
};

// OK, or InvalidArgument naming the first threshold out of its range (as a rules file reports it).
absl::Status ValidateThresholds(const Thresholds& thresholds);

class RuleTable;  // the compiled patterns; private to the library

// A rule set: a file's rules (first, so they win) followed by the built-in ones, and thresholds.
// Copies share the compiled patterns; copying is cheap and a Rules may be read by many threads.
class Rules {
 public:
  Rules();  // the built-in rules (procleak-rules(5), BUILT-IN RULES) and default thresholds

  const Thresholds& thresholds() const { return thresholds_; }
  // Replaces the thresholds; InvalidArgument (and no change) when one is out of its range.
  absl::Status SetThresholds(const Thresholds& thresholds);

  size_t rule_count() const;  // the file's rules plus the built-in ones

 private:
  friend const RuleTable& RuleTableOf(const Rules& rules);
  friend Rules MakeRules(std::shared_ptr<const RuleTable> table, const Thresholds& thresholds);

  std::shared_ptr<const RuleTable> table_;
  Thresholds thresholds_;
};

// Parses a procleak-rules(5) text; `source` names it in origins and errors, as in
// "rules.conf:7: unknown action 'expct'" (InvalidArgument).
absl::StatusOr<Rules> ParseRules(std::string_view text, std::string_view source);

// Reads and parses the file at `path`; an error names the path (NotFound, PermissionDenied, ...).
absl::StatusOr<Rules> LoadRules(const std::string& path);

}  // namespace procleak
