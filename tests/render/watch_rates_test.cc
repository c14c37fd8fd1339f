// SPDX-License-Identifier: Apache-2.0
// watch's rates and slopes only once the samples support them (three samples, a minute from the
// first to the last; "-" in the same columns before, null in JSON), and its screen cut to a
// terminal's size with the header kept.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/analysis_fixture.h"
#include "base/terminal_text.h"
#include "render/diff_json.h"
#include "render/watch_text.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using testing::kBoot;
using testing::Lines;
using testing::SnapshotBuilder;

constexpr char kWeb[] = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";
const absl::Time kStart = kBoot + absl::Hours(2);

// A hub in container web that has started `chains` npm exec chains, web charged `memory_mib`,
// scanned at `at`.
Snapshot Sample(int chains, uint64_t memory_mib, absl::Time at) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  Container& web = b.AddContainer(kWeb, "web");
  web.memory_bytes = memory_mib << 20;
  b.Add(200, 1, {"node", "/app/hub.js"}, 1, 90, kWeb, "/usr/local/bin/node");
  for (int i = 0; i < chains; ++i) {
    const int pid = 300 + 3 * i;
    b.Add(pid, 200, {"npm exec @scope/server-x"}, 10 + i, 78, kWeb, "/usr/local/bin/node");
    b.Add(pid + 1, pid, {"sh", "-c", "server-x"}, 10 + i, 1, kWeb, "/bin/dash");
    b.Add(pid + 2, pid + 1, {"node", "/x/server-x"}, 10 + i, 50, kWeb, "/usr/local/bin/node");
  }
  const Snapshot built = b.Build();
  Host host = built.host();
  host.scanned_at = at;
  return Snapshot::Build(host, {built.processes().begin(), built.processes().end()}, {},
                         built.stats(), {built.containers().begin(), built.containers().end()});
}

// The watch screen of the `sample`th sample, taken `window` after the first (3 chains, 100 MiB,
// then 5 chains, 300 MiB).
struct Screen {
  Screen(int sample, absl::Duration window)
      : first(Sample(3, 100, kStart)), now(Sample(5, 300, kStart + window)) {
    const Analysis a = Analyze(first, nullptr);
    analysis = Analyze(now, nullptr);
    diff = Diff(first, a, now, analysis);
    WatchTextOptions options;
    options.sample = sample;
    options.interval = absl::Seconds(1);
    text = RenderWatchText(now, analysis, diff, diff, options);
  }
  // The row of the table whose rows contain `key`.
  std::string Row(const std::string& key) const {
    for (const std::string& line : Lines(text)) {
      if (line.find(key) != std::string::npos && !line.starts_with("  name")) return line;
    }
    ADD_FAILURE() << "no row with " << key << " in\n" << text;
    return std::string(80, ' ');
  }
  // Containers: name 24, memory 10, last 11, since start 13 (from column 50).
  std::string ContainerSlope() const { return Row(" web ").substr(50, 13); }
  // Groups: now 5, last 7, start 8, rate/h 8 (from column 25), rss 10, rss/h 11 (from 45).
  std::string SpawnRate() const { return Row("server-x").substr(25, 8); }
  std::string RssSlope() const { return Row("server-x").substr(45, 11); }

  Snapshot first, now;
  Analysis analysis;
  SnapshotDiff diff;
  std::string text;
};

TEST(WatchRates, Window_SupportsRatesFromThreeSamplesAndAMinute) {
  EXPECT_FALSE(WindowSupportsRates(1, absl::Hours(1)));
  EXPECT_FALSE(WindowSupportsRates(2, absl::Hours(1)));
  EXPECT_FALSE(WindowSupportsRates(3, absl::Seconds(59)));
  EXPECT_FALSE(WindowSupportsRates(100, absl::Seconds(2)));
  EXPECT_TRUE(WindowSupportsRates(3, absl::Minutes(1)));
  EXPECT_TRUE(WindowSupportsRates(7, absl::Minutes(10)));
}

TEST(WatchRates, TwoSamples_ShowDashesWhereRatesGo) {
  const Screen s(2, absl::Minutes(5));
  EXPECT_EQ(s.ContainerSlope(), std::string(12, ' ') + "-") << s.text;
  EXPECT_EQ(s.SpawnRate(), std::string(7, ' ') + "-") << s.text;
  EXPECT_EQ(s.RssSlope(), std::string(10, ' ') + "-") << s.text;
  EXPECT_EQ(s.text.find("B/h"), std::string::npos) << s.text;
}

TEST(WatchRates, OneSecondOfData_ShowsNoSlope) {
  // Today's complaint: 200 MiB in a second read as +703.1 GiB/h.
  const Screen s(5, absl::Seconds(1));
  EXPECT_EQ(s.ContainerSlope(), std::string(12, ' ') + "-") << s.text;
  EXPECT_EQ(s.SpawnRate(), std::string(7, ' ') + "-") << s.text;
  EXPECT_EQ(s.text.find("GiB/h"), std::string::npos) << s.text;
}

TEST(WatchRates, ThreeSamplesOverTwoMinutes_ShowTheRates) {
  const Screen s(3, absl::Minutes(2));
  // 200 MiB in 2 minutes: 6000 MiB (5.9 GiB) an hour; 2 chains: 60 an hour; 2 x 129 MiB of RSS
  // in 2 minutes: 7740 MiB (7.6 GiB) an hour.
  EXPECT_EQ(s.ContainerSlope(), "   +5.9 GiB/h") << s.text;
  EXPECT_EQ(s.SpawnRate(), "    60.0") << s.text;
  EXPECT_EQ(s.RssSlope(), " +7.6 GiB/h") << s.text;
}

TEST(WatchRates, Dashes_KeepTheColumnsOfTheRates) {
  const Screen before(2, absl::Minutes(2)), after(3, absl::Minutes(2));
  const std::string row_before = before.Row("server-x"), row_after = after.Row("server-x");
  EXPECT_EQ(row_before.find("web "), row_after.find("web ")) << row_before << "\n" << row_after;
  EXPECT_EQ(DisplayWidth(row_before), DisplayWidth(row_after));
  EXPECT_EQ(before.Row(" web ").size(), after.Row(" web ").size());
}

TEST(WatchRates, Json_RatesNullUntilSupported) {
  const Screen s(2, absl::Seconds(1));
  const nlohmann::ordered_json without = ChangesJson(s.diff, false);
  const nlohmann::ordered_json with = ChangesJson(s.diff, true);
  ASSERT_FALSE(without["groups"].empty());
  ASSERT_FALSE(without["containers"].empty());
  for (const auto& g : without["groups"]) {
    EXPECT_TRUE(g["spawn_rate_per_hour"].is_null()) << g;
    EXPECT_TRUE(g["rss_slope_bytes_per_hour"].is_null()) << g;
  }
  for (const auto& c : without["containers"]) {
    EXPECT_TRUE(c["memory_slope_bytes_per_hour"].is_null()) << c;
  }
  EXPECT_TRUE(with["groups"][0]["spawn_rate_per_hour"].is_number());
  EXPECT_TRUE(with["containers"][0]["memory_slope_bytes_per_hour"].is_number());
  // Everything that is not a rate is the same either way.
  nlohmann::ordered_json rest = with;
  for (auto& g : rest["groups"]) g["spawn_rate_per_hour"] = g["rss_slope_bytes_per_hour"] = nullptr;
  for (auto& c : rest["containers"]) c["memory_slope_bytes_per_hour"] = nullptr;
  EXPECT_EQ(rest, without);
}

TEST(WatchScreen, Fit_CutsLinesToColumnsAndSaysWhatIsLeftOut) {
  const std::string screen = "header one\nheader two\n\nrow 1\nrow 2\nrow 3\nrow 4\n\n";
  EXPECT_EQ(FitScreen(screen, 20, 80), "header one\nheader two\n\nrow 1\nrow 2\nrow 3\nrow 4");
  EXPECT_EQ(FitScreen(screen, 5, 80), "header one\nheader two\n\nrow 1\n... 3 more lines");
  EXPECT_EQ(FitScreen(screen, 3, 6), "header\nheader\n... 5 ");
  EXPECT_EQ(FitScreen(screen, 0, 80), "");
}

TEST(WatchScreen, Fit_ColoursTakeNoColumnAndWideCharactersStayWhole) {
  const std::string bold = "\x1b[1mprocleak\x1b[0m watch";
  // 8 columns of text: the escapes are kept, the reset after the cut too.
  EXPECT_EQ(FitScreen(bold, 1, 10), "\x1b[1mprocleak\x1b[0m w");
  // 进 is two columns: a cut between its columns leaves it out.
  EXPECT_EQ(FitScreen("ab进程", 1, 3), "ab");
  EXPECT_EQ(FitScreen("ab进程", 1, 4), "ab进");
}

TEST(WatchScreen, Width_SizesTheChainColumnToTheTerminal) {
  const Snapshot first = Sample(3, 100, kStart), now = Sample(5, 300, kStart + absl::Minutes(2));
  const Analysis a = Analyze(first, nullptr), b = Analyze(now, nullptr);
  const SnapshotDiff diff = Diff(first, a, now, b);
  std::string signature;
  for (const Group& g : b.groups) {
    if (g.count == 5) signature = g.signature;
  }
  ASSERT_FALSE(signature.empty());
  for (size_t cols : {size_t{90}, size_t{100}, 72 + signature.size(), size_t{140}}) {
    WatchTextOptions options;
    options.sample = 3;
    options.width = cols;
    const std::string fitted = FitScreen(RenderWatchText(now, b, diff, diff, options), 50, cols);
    for (const std::string& line : Lines(fitted)) EXPECT_LE(DisplayWidth(line), cols) << line;
    // 72 columns come before the chain; it is shown whole once the rest fits it.
    EXPECT_EQ(fitted.find(signature) != std::string::npos, cols >= 72 + signature.size())
        << cols << "\n"
        << fitted;
    EXPECT_NE(fitted.find("  npm exec"), std::string::npos) << "a cut keeps the chain's start:\n"
                                                            << fitted;
  }
}

}  // namespace
}  // namespace procleak
