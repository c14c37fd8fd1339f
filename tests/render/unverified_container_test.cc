// SPDX-License-Identifier: Apache-2.0
// Issue 17: a container no runtime's state names is marked in the text report (by "?" and a
// note, its findings "(unverified)", never by a name), written and read back as "verified": false
// in procleak.scan/1, and exported as procleak_container_verified 0.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "analysis/analysis_fixture.h"
#include "render/format.h"
#include "render/json_report.h"
#include "render/prometheus.h"
#include "render/scan_json_reader.h"
#include "render/text_report.h"
#include "testing/run_procleak.h"

namespace procleak {
namespace {

using testing::Lines;

const std::string kFake = "c213bc9b4459" + std::string(52, 'e');
const std::string kWeb = "8df1dd5b0c1d" + std::string(52, 'd');

// A verified container "web" and an unverified one that a crafted document even gave a name.
Snapshot TwoContainers() {
  testing::SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(10, 1, {"nginx"}, 1, 5, kWeb);
  b.Add(20, 1, {"python3", "miner.py"}, 2, 50, kFake);
  Container& web = b.AddContainer(kWeb, "web");
  web.memory_bytes = 5 << 20;
  Container& fake = b.AddContainer(kFake, "web");
  fake.verified = false;
  fake.memory_bytes = 50 << 20;
  return b.Build();
}

TEST(UnverifiedContainer, TextReport_MarksItWithoutItsName) {
  Snapshot s = TwoContainers();
  Analysis a = Analyze(s, nullptr);
  TextOptions options;
  options.analysis = &a;
  const std::string text = RenderScanText(s, options);
  int web_rows = 0;
  bool fake_row = false, note = false;
  for (const std::string& line : Lines(text)) {
    web_rows += line.starts_with("web ");
    fake_row |= line.starts_with("?" + kFake.substr(0, 20));
    note |=
        line == "  ?: unverified: only a cgroup path names it; no state of its runtime was found";
  }
  EXPECT_EQ(web_rows, 1) << text;  // the real one only
  EXPECT_TRUE(fake_row) << text;
  EXPECT_TRUE(note) << text;
  // Its no_memory_limit finding, summary and details.
  EXPECT_NE(text.find("info     no_memory_limit ?c213bc9b44~"), std::string::npos) << text;
  EXPECT_NE(text.find("docker c213bc9b4459 (unverified) has no memory limit"), std::string::npos)
      << text;
  EXPECT_EQ(ShortContainer(s, kFake), "?c213bc9b4459");
  EXPECT_EQ(ShortContainer(s, kWeb), "web");
}

TEST(UnverifiedContainer, TextReport_NoNoteWhenEveryContainerIsVerified) {
  testing::SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(10, 1, {"nginx"}, 1, 5, kWeb);
  b.AddContainer(kWeb, "web");
  Snapshot s = b.Build();
  Analysis a = Analyze(s, nullptr);
  TextOptions options;
  options.analysis = &a;
  EXPECT_EQ(RenderScanText(s, options).find("unverified"), std::string::npos);
}

TEST(UnverifiedContainer, Json_WritesAndReadsVerified) {
  Snapshot s = TwoContainers();
  const std::string text = ScanJsonString(s, nullptr, JsonOptions(), -1);
  nlohmann::json doc = nlohmann::json::parse(text);
  int checked = 0;
  for (const nlohmann::json& c : doc["containers"]) {
    EXPECT_EQ(c["verified"], c["id"] == kWeb) << c.dump();
    ++checked;
  }
  EXPECT_EQ(checked, 2);

  absl::StatusOr<Snapshot> back = SnapshotFromScanJson(text, "a.json");
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_NE(back->FindContainer(kFake), nullptr);
  EXPECT_FALSE(back->FindContainer(kFake)->verified);
  EXPECT_TRUE(back->FindContainer(kWeb)->verified);
}

TEST(UnverifiedContainer, JsonOfAnEarlierProcleakWithoutTheField_ReadsVerified) {
  Snapshot s = TwoContainers();
  nlohmann::json doc = nlohmann::json::parse(ScanJsonString(s, nullptr, JsonOptions(), -1));
  for (nlohmann::json& c : doc["containers"]) c.erase("verified");
  absl::StatusOr<Snapshot> back = SnapshotFromScanJson(doc.dump(), "old.json");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->FindContainer(kFake)->verified);
}

TEST(UnverifiedContainer, Prometheus_VerifiedIsOneOrZero) {
  Snapshot s = TwoContainers();
  const std::string text = RenderPrometheus(s, Analysis(), {});
  int found = 0;
  for (const std::string& line : Lines(text)) {
    if (line ==
            "procleak_container_verified{runtime=\"docker\",id=\"" + kWeb + "\",name=\"web\"} 1" ||
        line ==
            "procleak_container_verified{runtime=\"docker\",id=\"" + kFake + "\",name=\"web\"} 0") {
      ++found;
    }
  }
  EXPECT_EQ(found, 2) << text;
  EXPECT_NE(text.find("# TYPE procleak_container_verified gauge"), std::string::npos);
}

}  // namespace
}  // namespace procleak
