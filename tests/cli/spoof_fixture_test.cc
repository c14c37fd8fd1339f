// SPDX-License-Identifier: Apache-2.0
// Issue 17: a cgroup that only claims to be a container (tests/data/spoof, made by
// tests/data/spoof_fixture.py) is shown unverified and unnamed in text, JSON, Prometheus and
// records, while containers a runtime's state names (there and in every other tree) stay verified.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "testing/json_expect.h"
#include "testing/run_procleak.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using namespace procleak::testing;  // NOLINT: RunProcleak, Field, FindBy, ...

// hex_id("spoof/fake") and hex_id("spoof/web") of make_fixtures.py.
constexpr char kFake[] = "c213bc9b4459fe7fa6e3cc7aa6d927ec554edda5d481b3b00ab3b28c428ee107";
constexpr char kWeb[] = "8df1dd5b0c1d1cc3c3cd7ee46d31f3e1fcf112860af3b813e3ee015b20c1d88d";

Json ScanJson(const std::string& tree) {
  RunResult run = RunProcleak({"scan", "--root", DataDir(tree), "--json"});
  EXPECT_EQ(run.err, "") << tree;
  return ParseJson(run.out);
}

TEST(Spoof, Json_CgroupNamedLikeDockerWithoutDockersState_IsUnverifiedAndUnnamed) {
  Json doc = ScanJson("spoof");
  const Json* fake = FindBy(Field(doc, "containers"), "id", kFake);
  ASSERT_NE(fake, nullptr) << doc.dump(1);
  EXPECT_EQ(Field(*fake, "runtime"), "docker");
  EXPECT_EQ(Field(*fake, "verified"), false);
  // Not the host's hostname, which the user's process sees as its own /etc/hostname.
  EXPECT_EQ(Field(*fake, "name"), "");
  EXPECT_EQ(Field(*fake, "processes"), 2);
  EXPECT_EQ(Field(*fake, "init_pid"), 3100);
  const Json* web = FindBy(Field(doc, "containers"), "id", kWeb);
  ASSERT_NE(web, nullptr) << doc.dump(1);
  EXPECT_EQ(Field(*web, "verified"), true);
  EXPECT_EQ(Field(*web, "name"), "web");
}

TEST(Spoof, Text_MarksTheUnverifiedContainerAndNamesItByShortIdOnly) {
  RunResult run = RunProcleak({"scan", "--root", DataDir("spoof")});
  EXPECT_EQ(run.err, "");
  const std::string fake_row = std::string("?") + kFake;
  bool marked = false, legend = false, web = false;
  for (const std::string& line : Lines(run.out)) {
    marked |=
        line.starts_with(fake_row.substr(0, 20)) && line.find(" docker ") != std::string::npos;
    legend |=
        line == "  ?: unverified: only a cgroup path names it; no state of its runtime was found";
    web |= line.starts_with("web ") && line.find(" docker ") != std::string::npos;
    EXPECT_FALSE(line.starts_with("build-07")) << "the host's name as a container's: " << line;
  }
  EXPECT_TRUE(marked) << run.out;
  EXPECT_TRUE(legend) << run.out;
  EXPECT_TRUE(web) << run.out;
  // The finding about it says so too.
  EXPECT_NE(run.out.find("docker c213bc9b4459 (unverified) has no memory limit"), std::string::npos)
      << run.out;
}

TEST(Spoof, Prometheus_ExportsVerifiedAsOneOrZero) {
  TempTree tmp;
  const std::string prom = tmp.Path("procleak.prom");
  RunResult run = RunProcleak({"export", "--prometheus", "-o", prom, "--root", DataDir("spoof")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::string text = ReadAll(prom);
  EXPECT_NE(text.find(std::string("procleak_container_verified{runtime=\"docker\",id=\"") + kFake +
                      "\",name=\"\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(std::string("procleak_container_verified{runtime=\"docker\",id=\"") + kWeb +
                      "\",name=\"web\"} 1\n"),
            std::string::npos)
      << text;
}

TEST(Spoof, Record_KeepsVerifiedThroughReplay) {
  TempTree tmp;
  const std::string file = tmp.Path("spoof.plr");
  RunResult rec = RunProcleak(
      {"record", "-o", file, "--interval", "0", "--count", "2", "--root", DataDir("spoof")});
  ASSERT_EQ(rec.exit_code, 0) << rec.err;
  for (const char* index : {"0", "1"}) {  // a key frame, then a delta frame
    RunResult replay = RunProcleak({"replay", file, "--index", index, "--json"});
    ASSERT_EQ(replay.err, "");
    Json doc = ParseJson(replay.out);
    const Json* fake = FindBy(Field(doc, "containers"), "id", kFake);
    ASSERT_NE(fake, nullptr);
    EXPECT_EQ(Field(*fake, "verified"), false) << index;
    const Json* web = FindBy(Field(doc, "containers"), "id", kWeb);
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(Field(*web, "verified"), true) << index;
  }
}

TEST(Spoof, ContainersOfEveryOtherTree_AreVerifiedByTheirRuntimesState) {
  size_t containers = 0;
  for (const std::string& tree : FixtureTrees()) {
    if (tree == "spoof") continue;
    Json doc = ScanJson(tree);
    for (const Json& c : Field(doc, "containers")) {
      ++containers;
      EXPECT_EQ(Field(c, "verified"), true) << tree << ": " << c["runtime"] << " " << c["id"];
    }
  }
  EXPECT_GE(containers, 20u);
}

}  // namespace
}  // namespace procleak
