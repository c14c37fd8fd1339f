// SPDX-License-Identifier: Apache-2.0
// ParseStatm: pages, first three fields.
#include "procfs/statm_parser.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

TEST(StatmParser, Reads_RealLine) {
  // Real: 433 resident pages x 4 KiB = 1732 kB = VmRSS.
  absl::StatusOr<Statm> statm = ParseStatm("765 433 405 5 0 123 0\n");
  ASSERT_TRUE(statm.ok()) << statm.status();
  EXPECT_EQ(statm->size, 765u);
  EXPECT_EQ(statm->resident, 433u);
  EXPECT_EQ(statm->shared, 405u);
}

TEST(StatmParser, Reads_ZombieZeros) {
  absl::StatusOr<Statm> statm = ParseStatm("0 0 0 0 0 0 0\n");
  ASSERT_TRUE(statm.ok()) << statm.status();
  EXPECT_EQ(statm->size, 0u);
  EXPECT_EQ(statm->resident, 0u);
}

TEST(StatmParser, Accepts_MissingNewlineAndOnlyThreeFields) {
  absl::StatusOr<Statm> statm = ParseStatm("10 20 30");
  ASSERT_TRUE(statm.ok()) << statm.status();
  EXPECT_EQ(statm->resident, 20u);
  EXPECT_EQ(statm->shared, 30u);
}

TEST(StatmParser, Fails_OnTooFewFields) {
  absl::StatusOr<Statm> statm = ParseStatm("10 20\n");
  ASSERT_FALSE(statm.ok());
  EXPECT_EQ(statm.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(statm.status().message(), "too few fields: 2, need at least 3");
}

TEST(StatmParser, Fails_OnEmptyInput) { EXPECT_FALSE(ParseStatm("").ok()); }

TEST(StatmParser, Fails_NamingNonNumericField) {
  absl::StatusOr<Statm> statm = ParseStatm("765 4x3 405 5 0 123 0\n");
  ASSERT_FALSE(statm.ok());
  EXPECT_EQ(statm.status().message(), "field 2 (resident) is not a number");
}

}  // namespace
}  // namespace procleak
