// SPDX-License-Identifier: Apache-2.0
// What an embedding tool can do with the installed headers alone (built with include/ only, not
// src/): load rules, set thresholds, and see them change Analyze()'s findings on a fixture tree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <limits>
#include <string>

#include "procleak/analysis.h"
#include "procleak/rules.h"
#include "procleak/scan.h"

namespace procleak {
namespace {

// The incident of issue 4: leaking npm exec chains in mcp-hub and a worker restarted 37 times.
Snapshot Incident() {
  ScanOptions options;
  options.root = PROCLEAK_TEST_DATA "/incident";
  absl::StatusOr<Snapshot> snapshot = Scan(options);
  EXPECT_TRUE(snapshot.ok()) << snapshot.status();
  return snapshot.ok() ? *std::move(snapshot) : Snapshot();
}

int Count(const Analysis& analysis, FindingKind kind) {
  int n = 0;
  for (const Finding& f : analysis.findings) n += f.kind == kind;
  return n;
}

TEST(PublicRules, Default_IsTheBuiltinRulesAndDefaultThresholds) {
  Rules rules;
  EXPECT_GT(rules.rule_count(), 0u);
  EXPECT_DOUBLE_EQ(rules.thresholds().near_memory_limit, 0.8);
  EXPECT_EQ(rules.thresholds().restart_loop_count, 5);
  const Snapshot snapshot = Incident();
  const Analysis with = Analyze(snapshot, &rules);
  const Analysis without = Analyze(snapshot, nullptr);
  ASSERT_EQ(with.findings.size(), without.findings.size());
  for (size_t i = 0; i < with.findings.size(); ++i) {
    EXPECT_EQ(with.findings[i].kind, without.findings[i].kind) << i;
    EXPECT_EQ(with.findings[i].message, without.findings[i].message) << i;
  }
  EXPECT_GT(Count(with, FindingKind::kDuplicateChain), 0);
}

TEST(PublicRules, SetThresholds_DecidesWhichFindingsFire) {
  const Snapshot snapshot = Incident();
  Rules rules;
  Thresholds t = rules.thresholds();
  t.restart_loop_count = 37;  // the worker restarted 37 times
  ASSERT_TRUE(rules.SetThresholds(t).ok());
  EXPECT_EQ(Count(Analyze(snapshot, &rules), FindingKind::kRestartLoop), 1);
  t.restart_loop_count = 38;
  ASSERT_TRUE(rules.SetThresholds(t).ok());
  EXPECT_EQ(rules.thresholds().restart_loop_count, 38);
  EXPECT_EQ(Count(Analyze(snapshot, &rules), FindingKind::kRestartLoop), 0);
}

TEST(PublicRules, SetThresholds_OutOfRange_IsRejectedAndChangesNothing) {
  Rules rules;
  Thresholds t;
  t.near_memory_limit = 1.5;
  absl::Status bad = rules.SetThresholds(t);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(),
            "bad value '1.5' for threshold near_memory_limit: want a fraction in (0, 1]");
  EXPECT_DOUBLE_EQ(rules.thresholds().near_memory_limit, 0.8);
  t = Thresholds();
  t.restart_loop_count = 0;
  EXPECT_FALSE(rules.SetThresholds(t).ok());
  t = Thresholds();
  t.memory_pressure_avg60 = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(rules.SetThresholds(t).ok());
  EXPECT_TRUE(ValidateThresholds(Thresholds()).ok());
}

TEST(PublicRules, ParsedRules_ComeBeforeTheBuiltinOnes) {
  absl::StatusOr<Rules> rules = ParseRules(
      "ignore signature \"^npm exec \"\nthreshold restart_loop_count 100\n", "ops.rules");
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_EQ(rules->rule_count(), Rules().rule_count() + 1);
  EXPECT_EQ(rules->thresholds().restart_loop_count, 100);
  const Analysis analysis = Analyze(Incident(), &*rules);
  EXPECT_EQ(Count(analysis, FindingKind::kDuplicateChain), 0);
  EXPECT_EQ(Count(analysis, FindingKind::kRestartLoop), 0);
}

TEST(PublicRules, BadRules_AreOneLineNamingSourceAndLine) {
  absl::StatusOr<Rules> rules = ParseRules("# ok\nexpct signature x count=1\n", "ops.rules");
  EXPECT_EQ(rules.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(rules.status().message(), "ops.rules:2: unknown action 'expct'");
}

TEST(PublicRules, LoadRules_ReadsTheFileAndNamesItInErrors) {
  char path[] = "/tmp/procleak-public-rules-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  const std::string text = "threshold pids_near_limit 0.5\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
  close(fd);
  absl::StatusOr<Rules> rules = LoadRules(path);
  unlink(path);
  ASSERT_TRUE(rules.ok()) << rules.status();
  EXPECT_DOUBLE_EQ(rules->thresholds().pids_near_limit, 0.5);
  absl::StatusOr<Rules> gone = LoadRules(path);
  EXPECT_EQ(gone.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(), std::string(path) + ": No such file or directory");
}

}  // namespace
}  // namespace procleak
