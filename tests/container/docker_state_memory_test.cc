// SPDX-License-Identifier: Apache-2.0
// ParseDockerConfig / ParseDockerHostConfig keep only what they read: the memory a parse takes
// follows the few members procleak uses, not the file (issue 17: a 100 MB config.v2.json cost
// 2.4 GB). Measured by counting this program's operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <string>

#include "container/docker_state.h"

namespace {

std::atomic<size_t> g_live{0};  // bytes allocated with operator new and not yet freed
std::atomic<size_t> g_peak{0};

}  // namespace

void* operator new(size_t size) {
  // A header in front of each block holds its size, for operator delete.
  void* block = std::malloc(size + alignof(std::max_align_t));
  if (block == nullptr) throw std::bad_alloc();
  *static_cast<size_t*>(block) = size;
  const size_t live = g_live.fetch_add(size) + size;
  size_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  return static_cast<char*>(block) + alignof(std::max_align_t);
}

void operator delete(void* p) noexcept {
  if (p == nullptr) return;
  void* block = static_cast<char*>(p) - alignof(std::max_align_t);
  g_live.fetch_sub(*static_cast<size_t*>(block));
  std::free(block);
}

void operator delete(void* p, size_t) noexcept { operator delete(p); }

namespace procleak {
namespace {

// The most the parse may hold at once, beyond the text: its lexer's token and what it keeps.
constexpr size_t kMostHeld = 256 * 1024;

// Peak bytes allocated while `parse` runs.
template <typename F>
size_t PeakDuring(F parse) {
  g_peak = g_live.load();
  const size_t before = g_live.load();
  parse();
  return g_peak.load() - before;
}

// A config.v2.json whose environment and labels hold about 5 MiB in 200,000 members,
// with the members procleak reads before and after them.
std::string LargeConfig() {
  std::string text = R"({"ID":"abc","State":{"Running":true,"Pid":4242,"Health":{"Log":[)";
  for (int i = 0; i < 1000; ++i) text += R"({"Output":"ok"},)";
  text += R"({}]}},"Config":{"Env":[)";
  for (int i = 0; i < 100000; ++i) text += "\"VARIABLE_" + std::to_string(i) + "=some value\",";
  text += R"("LAST=1"],"Labels":{)";
  for (int i = 0; i < 100000; ++i) text += "\"label." + std::to_string(i) + "\":\"value\",";
  // A member named like a wanted one, deeper down: not taken for it.
  text += R"("Name":"/not-this"}},"Name":"/web","RestartCount":3})";
  return text;
}

TEST(DockerStateMemory, ParseDockerConfig_HoldsWhatItReadsNotTheFile) {
  const std::string text = LargeConfig();
  ASSERT_GT(text.size(), 4u << 20);
  absl::StatusOr<DockerConfig> config;
  const size_t peak = PeakDuring([&] { config = ParseDockerConfig(text); });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->name, "web");
  EXPECT_EQ(config->id, "abc");
  EXPECT_EQ(config->pid, 4242);
  EXPECT_EQ(config->state, "running");
  EXPECT_EQ(config->restart_count, 3u);
  EXPECT_LT(peak, kMostHeld) << "bytes held while parsing " << text.size() << " bytes";
}

TEST(DockerStateMemory, ParseDockerHostConfig_HoldsWhatItReadsNotTheFile) {
  std::string text = R"({"Binds":[)";
  for (int i = 0; i < 100000; ++i) text += "\"/srv/data" + std::to_string(i) + ":/data:ro\",";
  text += R"("/x:/y"],"Memory":536870912,"RestartPolicy":{"Name":"always","MaximumRetryCount":0}})";
  absl::StatusOr<DockerHostConfig> host;
  const size_t peak = PeakDuring([&] { host = ParseDockerHostConfig(text); });
  ASSERT_TRUE(host.ok()) << host.status();
  EXPECT_EQ(host->memory_bytes, 536870912u);
  EXPECT_EQ(host->restart_policy, "always");
  EXPECT_LT(peak, kMostHeld) << "bytes held while parsing " << text.size() << " bytes";
}

TEST(DockerStateMemory, ParseDockerConfig_StillRejectsMalformedJsonInSkippedMembers) {
  // Skipping a member still parses it: a broken one deep in Config is an error, as before.
  absl::StatusOr<DockerConfig> config =
      ParseDockerConfig(R"({"Name":"/web","Config":{"Env":["A=1",]},"State":{}})");
  EXPECT_FALSE(config.ok());
}

}  // namespace
}  // namespace procleak
