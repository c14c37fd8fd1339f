// SPDX-License-Identifier: Apache-2.0
#include "render/format.h"

#include <gtest/gtest.h>

namespace procleak {
namespace {

TEST(Format, Bytes_UsesIecUnits) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(78ull << 20), "78.0 MiB");
  EXPECT_EQ(FormatBytes(99ull << 30), "99.0 GiB");
}

TEST(Format, Rfc3339_ShowsFractionOnlyWhenPresent) {
  EXPECT_EQ(FormatRfc3339(absl::FromUnixSeconds(1795387045)), "2026-11-22T22:37:25Z");
  EXPECT_EQ(FormatRfc3339(absl::FromUnixSeconds(1795387045) + absl::Milliseconds(340)),
            "2026-11-22T22:37:25.34Z");
}

TEST(Format, Rfc3339_SameAsAbslFormatterOverThePidRangeOfTimes) {
  auto absl_text = [](absl::Time t) {
    return absl::FormatTime("%Y-%m-%dT%H:%M:%E*SZ", t, absl::UTCTimeZone());
  };
  // Before and after the epoch, leap days, century years, and every fraction length.
  const absl::Time times[] = {
      absl::UnixEpoch(),
      absl::UnixEpoch() - absl::Nanoseconds(1),
      absl::FromUnixSeconds(-86'400 * 365) + absl::Milliseconds(5),
      absl::FromCivil(absl::CivilSecond(2000, 2, 29, 23, 59, 59), absl::UTCTimeZone()),
      absl::FromCivil(absl::CivilSecond(2100, 3, 1, 0, 0, 0), absl::UTCTimeZone()),
      absl::FromCivil(absl::CivilSecond(1700, 1, 1, 0, 0, 1), absl::UTCTimeZone()),
      absl::FromUnixNanos(1'795'387'045'123'456'789),
      absl::FromUnixNanos(1'795'387'045'000'000'010),
      absl::FromUnixNanos(INT64_MAX),
      absl::FromUnixNanos(INT64_MIN),
  };
  for (absl::Time t : times) EXPECT_EQ(FormatRfc3339(t), absl_text(t)) << absl_text(t);
  // A walk across 1678-2262 in odd steps, so that every month and time of day comes up.
  for (int64_t nanos = INT64_MIN; nanos < INT64_MAX - 7'777'777'777'777'777;
       nanos += 7'777'777'777'777'777) {
    const absl::Time t = absl::FromUnixNanos(nanos);
    ASSERT_EQ(FormatRfc3339(t), absl_text(t)) << nanos;
  }
  // Beyond whole nanoseconds: as absl formats them.
  EXPECT_EQ(FormatRfc3339(absl::InfiniteFuture()), absl_text(absl::InfiniteFuture()));
  EXPECT_EQ(FormatRfc3339(absl::UnixEpoch() + absl::Nanoseconds(0.25)),
            absl_text(absl::UnixEpoch() + absl::Nanoseconds(0.25)));
}

TEST(Format, Sanitize_EscapesControlBytesSoTerminalCannotBeDriven) {
  EXPECT_EQ(SanitizeForTerminal("a) b (c\nd"), "a) b (c\\nd");
  EXPECT_EQ(SanitizeForTerminal("x\x1b[31mred"), "x\\x1b[31mred");
  EXPECT_EQ(SanitizeForTerminal("tab\there"), "tab\\there");
  EXPECT_EQ(SanitizeForTerminal("plain /usr/bin/node"), "plain /usr/bin/node");
}

TEST(Format, ShortenMiddle_KeepsBothEndsWithinWidth) {
  std::string path = "/system.slice/docker-2403ccfe427f1dc7b6120dccb9ac58c2f8456950380d587a9f33ea7f00dd303d.scope";
  std::string shortened = ShortenMiddle(path, 40);
  EXPECT_EQ(shortened.size(), 40u);
  EXPECT_EQ(shortened.substr(0, 10), "/system.sl");
  EXPECT_EQ(shortened.substr(shortened.size() - 6), ".scope");
  EXPECT_NE(shortened.find('~'), std::string::npos);
  EXPECT_EQ(ShortenMiddle("/short", 40), "/short");
}

TEST(Format, ShortenEnd_MarksCut) {
  EXPECT_EQ(ShortenEnd("abcdefgh", 5), "abcd~");
  EXPECT_EQ(ShortenEnd("abc", 5), "abc");
}

TEST(Format, CommandLine_BracketsCommWithoutArgv) {
  EXPECT_EQ(CommandLine({}, "kworker/u8:2-writeback"), "[kworker/u8:2-writeback]");
  EXPECT_EQ(CommandLine({"node", "/srv/a b.js"}, "node"), "node /srv/a b.js");
}

TEST(Format, CgroupsByMemory_LargestFirstUnknownLastTiesByPath) {
  auto cgroup = [](std::string path, std::optional<uint64_t> memory) {
    Cgroup c;
    c.path = std::move(path);
    c.memory_bytes = memory;
    return c;
  };
  Snapshot s = Snapshot::Build(Host(), {},
                               {cgroup("/a-unknown", std::nullopt), cgroup("/b-zero", 0),
                                cgroup("/c-big", 900), cgroup("/d-small", 10),
                                cgroup("/e-zero", 0)},
                               ScanStats());
  std::vector<std::string> order;
  for (const Cgroup* c : CgroupsByMemory(s)) order.push_back(c->path);
  EXPECT_EQ(order, (std::vector<std::string>{"/c-big", "/d-small", "/b-zero", "/e-zero",
                                             "/a-unknown"}));
}

}  // namespace
}  // namespace procleak
