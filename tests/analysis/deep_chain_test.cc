// SPDX-License-Identifier: Apache-2.0
// Deep and long chains (issue 17): a 20,000-deep wrapper chain gets a signature of a few hundred
// bytes that still tells it apart from any other chain, its findings' message, evidence and action
// are bounded, and the reap plan stops it whole, deepest first. (How fast: bench/reap_bench.cc.)
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "analysis/actions.h"
#include "analysis/analysis_fixture.h"
#include "analysis/reap_plan.h"
#include "base/text_format.h"
#include "signature/chains.h"

namespace procleak {
namespace {

using testing::SnapshotBuilder;

constexpr int kDepth = 20000;

// A spawner (pid 100) and, an hour apart, copies of `npm exec @scope/deep -> sh -c deep -> ...
// -> node deep.js`, each `depth` processes deep, from pid 1000 on; `odd_level` (> 0) runs bash
// instead of sh at that level of the second copy.
Snapshot DeepCopies(int copies, int depth, int odd_level = 0) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  b.Add(100, 1, {"node", "/app/hub.js"}, 1, 90);
  int pid = 1000;
  for (int copy = 0; copy < copies; ++copy) {
    int parent = 100;
    for (int level = 0; level < depth; ++level) {
      std::vector<std::string> argv = {"sh", "-c", "deep"};
      if (level == 0) argv = {"npm exec @scope/deep"};
      if (level == depth - 1) argv = {"node", "/srv/deep.js"};
      if (odd_level > 0 && copy == 1 && level == odd_level) argv = {"bash", "-c", "deep"};
      b.Add(pid, parent, argv, 10 + 60.0 * copy, 1);
      parent = pid++;
    }
  }
  return b.Build();
}

const SpawnChain& ChainRootedAt(const std::vector<SpawnChain>& chains, int root) {
  for (const SpawnChain& c : chains) {
    if (c.root_pid == root) return c;
  }
  ADD_FAILURE() << "no chain rooted at " << root;
  return chains.front();
}

TEST(DeepChain, Signature_IsBoundedAndNamesBothEndsAndTheDepth) {
  const std::vector<SpawnChain> chains = BuildChains(DeepCopies(1, kDepth), Rules());
  const SpawnChain& deep = ChainRootedAt(chains, 1000);
  ASSERT_EQ(deep.pids.size(), static_cast<size_t>(kDepth));
  EXPECT_LE(deep.signature.size(), kMaxSignatureBytes);
  // The root, the first 8 levels, one link for the 19,988 between, the last 3 levels.
  std::string head = "npm exec @scope/deep";
  for (size_t i = 0; i < kSignatureHeadLevels; ++i) head += " > sh";
  std::string elided;  // what the middle link stands for, hashed
  for (int i = 0; i < kDepth - 1 - 11; ++i) elided += " > sh";
  EXPECT_EQ(deep.signature,
            head + " > ... (19988 more links, #" + ShortHash(elided) + ") > sh > sh > node");
  EXPECT_EQ(deep.root_signature, "npm exec @scope/deep");
}

TEST(DeepChain, Signature_StillTellsChainsApart) {
  // Two identical copies share a signature, so they are one group of two.
  const Snapshot twins = DeepCopies(2, kDepth);
  const std::vector<SpawnChain> same = BuildChains(twins, Rules());
  EXPECT_EQ(ChainRootedAt(same, 1000).signature, ChainRootedAt(same, 1000 + kDepth).signature);
  // One level in the elided middle differs: so do the signatures, though only in the hash.
  const std::vector<SpawnChain> odd = BuildChains(DeepCopies(2, kDepth, kDepth / 2), Rules());
  const std::string& a = ChainRootedAt(odd, 1000).signature;
  const std::string& b = ChainRootedAt(odd, 1000 + kDepth).signature;
  EXPECT_NE(a, b);
  EXPECT_EQ(a.size(), b.size());
  // One level deeper: the count differs.
  const std::vector<SpawnChain> deeper = BuildChains(DeepCopies(1, kDepth + 1), Rules());
  EXPECT_NE(ChainRootedAt(deeper, 1000).signature.find("(19989 more links, #"), std::string::npos);
  // Up to 12 levels below the root, every level is shown; from 13 on, two or more are elided.
  const std::vector<SpawnChain> twelve = BuildChains(DeepCopies(1, 13), Rules());
  EXPECT_EQ(ChainRootedAt(twelve, 1000).pids.size(), 13u);
  EXPECT_EQ(ChainRootedAt(twelve, 1000).signature.find("..."), std::string::npos);
  const std::vector<SpawnChain> thirteen = BuildChains(DeepCopies(1, 14), Rules());
  EXPECT_NE(ChainRootedAt(thirteen, 1000).signature.find(" > ... (2 more links, #"),
            std::string::npos)
      << ChainRootedAt(thirteen, 1000).signature;
}

TEST(DeepChain, LongCommandLine_IsCutWithAHashOfTheWhole) {
  SnapshotBuilder b;
  b.Add(1, 0, {"/sbin/init"}, 0, 10);
  const std::string long_arg(100000, 'a');
  b.Add(500, 1, {"python3", "-m", "tool", long_arg + "x"}, 1, 1);
  b.Add(600, 1, {"python3", "-m", "tool", long_arg + "y"}, 1, 1);
  const std::vector<SpawnChain> chains = BuildChains(b.Build(), Rules());
  const SpawnChain& x = ChainRootedAt(chains, 500);
  const SpawnChain& y = ChainRootedAt(chains, 600);
  EXPECT_LE(x.root_signature.size(), kMaxRootSignatureBytes);
  EXPECT_LE(x.signature.size(), kMaxSignatureBytes);
  EXPECT_TRUE(x.signature.starts_with("python3 -m tool aaaa")) << x.signature;
  EXPECT_NE(x.signature.find(" ... #"), std::string::npos) << x.signature;
  EXPECT_NE(x.signature, y.signature);  // they differ in their last byte only
}

TEST(DeepChain, BoundText_CutsAtACharacterBoundary) {
  EXPECT_EQ(BoundText("short", 64), "short");
  // 40 two-byte characters: a cut at byte 50 - 14 = 36 falls on a boundary, at 37 it would not.
  std::string umlauts;
  for (int i = 0; i < 40; ++i) umlauts += "\xc3\xa4";
  for (size_t max : {50u, 51u}) {
    const std::string cut = BoundText(umlauts, max);
    EXPECT_LE(cut.size(), max);
    EXPECT_EQ(cut, umlauts.substr(0, 36) + " ... #" + ShortHash(umlauts)) << max;
  }
  EXPECT_EQ(ShortHash("").size(), 8u);
  EXPECT_NE(ShortHash("a"), ShortHash("b"));
}

TEST(DeepChain, Findings_HaveBoundedMessageEvidenceAndAction) {
  const Snapshot s = DeepCopies(2, kDepth);
  const Analysis a = Analyze(s, nullptr);
  const std::vector<const Finding*> dups = testing::FindingsOf(a, FindingKind::kDuplicateChain);
  ASSERT_EQ(dups.size(), 1u);
  const Finding& f = *dups[0];
  EXPECT_EQ(f.count, 2);
  EXPECT_EQ(f.pids.size(), static_cast<size_t>(kDepth));  // JSON keeps every pid to stop
  EXPECT_NE(f.message.find(f.signature), std::string::npos) << f.message;
  EXPECT_LE(f.message.size(), kMaxFindingTextBytes);
  for (const std::string& e : f.evidence) EXPECT_LE(e.size(), kMaxFindingTextBytes) << e;
  EXPECT_LE(f.action.size(), kMaxActionBytes);
  // The first 128 pids, leaves first, then how many more.
  const std::string kill = "kill -TERM " + std::to_string(1000 + kDepth - 1) + " " +
                           std::to_string(1000 + kDepth - 2) + " ";
  EXPECT_NE(f.action.find(kill), std::string::npos) << f.action;
  EXPECT_NE(f.action.find(std::to_string(1000 + kDepth - 128)), std::string::npos);
  EXPECT_EQ(f.action.find(" " + std::to_string(1000 + kDepth - 129) + " "), std::string::npos);
  EXPECT_NE(f.action.find("; 19872 more processes: every pid is in the finding's pids"),
            std::string::npos)
      << f.action;
}

TEST(DeepChain, KillCommand_ListsAllPidsUpToTheBound) {
  std::vector<int> chain;
  for (int i = 0; i < 128; ++i) chain.push_back(i + 2);
  const std::string all = KillCommand({chain});
  EXPECT_TRUE(all.starts_with("kill -TERM 129 128 "));
  EXPECT_TRUE(all.ends_with(" 3 2")) << all;
  chain.push_back(130);
  const std::string cut = KillCommand({chain});
  EXPECT_TRUE(cut.starts_with("kill -TERM 130 129 ")) << cut;
  EXPECT_NE(cut.find(" 3; 1 more processes"), std::string::npos) << cut;
}

TEST(DeepChain, ReapPlan_StopsTheOlderCopyWholeDeepestFirst) {
  const Snapshot s = DeepCopies(2, kDepth);
  ReapSelection sel;
  sel.signature = "@scope/deep";
  const ReapPlan plan = PlanReap(s, Analyze(s, nullptr), sel, 0, {});
  ASSERT_EQ(plan.groups.size(), 1u);
  ASSERT_EQ(plan.groups[0].stop.size(), 1u);
  EXPECT_EQ(plan.groups[0].stop[0].root_pid, 1000);
  ASSERT_EQ(plan.order.size(), static_cast<size_t>(kDepth));
  for (size_t i = 0; i < plan.order.size(); ++i) {
    ASSERT_EQ(plan.order[i].pid, 1000 + kDepth - 1 - static_cast<int>(i)) << i;
  }
  EXPECT_EQ(plan.groups[0].signature.size(),
            ChainRootedAt(BuildChains(s, Rules()), 1000).signature.size());
}

// A parent cycle above the chains (hostile input) ends the walk that finds each process's depth.
TEST(DeepChain, ReapPlan_ParentCycleAboveTheChainsIsCut) {
  SnapshotBuilder b;
  b.Add(2000, 2001, {"node", "/app/hub.js"}, 1, 90);  // 2000 and 2001 are each other's parent
  b.Add(2001, 2000, {"sleep", "1"}, 1, 1);
  for (int copy = 0; copy < 2; ++copy) {
    const int root = 1000 + 10 * copy;
    b.Add(root, 2000, {"npm exec @scope/cyc"}, 10 + 60.0 * copy, 1);
    b.Add(root + 1, root, {"sh", "-c", "cyc"}, 10 + 60.0 * copy, 1);
    b.Add(root + 2, root + 1, {"node", "cyc.js"}, 10 + 60.0 * copy, 1);
  }
  const Snapshot s = b.Build();
  ReapSelection sel;
  sel.signature = "@scope/cyc";
  const ReapPlan plan = PlanReap(s, Analyze(s, nullptr), sel, 0, {});
  ASSERT_EQ(plan.order.size(), 3u);
  EXPECT_EQ(plan.order[0].pid, 1002);
  EXPECT_EQ(plan.order[1].pid, 1001);
  EXPECT_EQ(plan.order[2].pid, 1000);
}

}  // namespace
}  // namespace procleak
