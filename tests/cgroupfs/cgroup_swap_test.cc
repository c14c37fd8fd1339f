// SPDX-License-Identifier: Apache-2.0
// Swap per cgroup: v2 memory.swap.current, v1 memory.memsw.usage_in_bytes less
// memory.usage_in_bytes; a missing file is unknown, not 0; bad content names the file.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cgroupfs/cgroup_reader.h"
#include "cgroupfs/memory_files.h"
#include "testing/fixture_trees.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;
using testing::TempTree;

constexpr std::string_view kV2Dir = "sys/fs/cgroup/system.slice/nginx.service/";
constexpr std::string_view kV1Dir = "sys/fs/cgroup/memory/system.slice/nginx.service/";
constexpr char kPath[] = "/system.slice/nginx.service";

std::string At(std::string_view dir, std::string_view file) {
  return std::string(dir) + std::string(file);
}

void WriteV2Service(const TempTree& tree) {
  tree.Write("proc/self/mountinfo", "34 26 0:29 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");
  tree.Write("sys/fs/cgroup/cgroup.controllers", "memory pids\n");
  tree.Write(At(kV2Dir, "memory.current"), "104857600\n");
}

void WriteV1Service(const TempTree& tree) {
  tree.Write("proc/self/mountinfo",
             "29 24 0:27 / /sys/fs/cgroup/memory rw shared:11 - cgroup cgroup rw,memory\n");
  tree.Write(At(kV1Dir, "memory.usage_in_bytes"), "104857600\n");
}

absl::StatusOr<Cgroup> Read(const TempTree& tree) {
  absl::StatusOr<CgroupLayout> layout = ReadCgroupLayout(tree.root());
  if (!layout.ok()) return layout.status();
  SkipCounter skips;
  return ReadCgroup(tree.root(), *layout, kPath, {}, 4096, &skips);
}

uint64_t FileNumber(const std::string& path) {
  std::ifstream in(path);
  uint64_t value = 0;
  in >> value;
  EXPECT_TRUE(in) << path;
  return value;
}

TEST(SwapFromMemsw, Subtracts_MemoryFromMemoryAndSwap) {
  EXPECT_EQ(SwapFromMemsw(150, 100), 50u);
  EXPECT_EQ(SwapFromMemsw(100, 100), 0u);
}

TEST(SwapFromMemsw, Gives_Zero_WhenUsageGrewBetweenTheTwoReads) {
  EXPECT_EQ(SwapFromMemsw(100, 4096), 0u);  // never wraps around to 2^64 - 3996
}

// The swap ReadCgroup finds beside what `write` writes and, unless null, `content` in `file` of
// `dir`; memory_bytes is checked to be read too.
std::optional<uint64_t> SwapOf(void (*write)(const TempTree&), std::string_view dir,
                               std::string_view file, const char* content) {
  TempTree tree;
  write(tree);
  if (content != nullptr) tree.Write(At(dir, file), content);
  absl::StatusOr<Cgroup> cgroup = Read(tree);
  EXPECT_TRUE(cgroup.ok()) << cgroup.status();
  if (!cgroup.ok()) return std::nullopt;
  EXPECT_THAT(cgroup->memory_bytes, Optional(104857600u));
  return cgroup->swap_bytes;
}

TEST(CgroupSwap, V2_ReadsMemorySwapCurrent) {
  EXPECT_THAT(SwapOf(WriteV2Service, kV2Dir, "memory.swap.current", "67108864\n"),
              Optional(67108864u));
}

TEST(CgroupSwap, MissingFile_IsUnknownNotZero) {
  // v2: no swap controller or CONFIG_SWAP off; v1: booted without swapaccount=1.
  EXPECT_EQ(SwapOf(WriteV2Service, kV2Dir, "memory.swap.current", nullptr), std::nullopt);
  EXPECT_EQ(SwapOf(WriteV1Service, kV1Dir, "memory.memsw.usage_in_bytes", nullptr), std::nullopt);
}

// Each of `contents` in `file` of `dir`, beside what `write` writes, is an error naming the file.
void ExpectErrorNamingFile(void (*write)(const TempTree&), std::string_view dir,
                           std::string_view file, std::initializer_list<const char*> contents) {
  for (const char* content : contents) {
    TempTree tree;
    write(tree);
    tree.Write(At(dir, file), content);
    absl::StatusOr<Cgroup> cgroup = Read(tree);
    ASSERT_FALSE(cgroup.ok()) << content;
    EXPECT_THAT(std::string(cgroup.status().message()), HasSubstr(tree.Path(At(dir, file)) + ": "))
        << content;
  }
}

TEST(CgroupSwap, V2_MaxOrGarbage_IsAnErrorNamingTheFile) {
  // memory.swap.current is a counter: "max" is memory.swap.max's word, not a value it has.
  ExpectErrorNamingFile(WriteV2Service, kV2Dir, "memory.swap.current",
                        {"max\n", "12k\n", " 4096\n", "4096\n4096\n", "-1\n", ""});
}

TEST(CgroupSwap, V1_IsMemswLessUsage) {
  EXPECT_THAT(SwapOf(WriteV1Service, kV1Dir, "memory.memsw.usage_in_bytes", "138412032\n"),
              Optional(138412032u - 104857600u));
}

TEST(CgroupSwap, V1_WithoutUsage_IsUnknown) {
  TempTree tree;
  WriteV1Service(tree);
  tree.Remove(At(kV1Dir, "memory.usage_in_bytes"));
  tree.Write(At(kV1Dir, "memory.memsw.usage_in_bytes"), "138412032\n");
  absl::StatusOr<Cgroup> cgroup = Read(tree);
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_EQ(cgroup->swap_bytes, std::nullopt);  // memsw alone is memory and swap, not swap
}

TEST(CgroupSwap, V1_GarbageMemsw_IsAnErrorNamingTheFile) {
  ExpectErrorNamingFile(WriteV1Service, kV1Dir, "memory.memsw.usage_in_bytes",
                        {"max\n", "lots\n", "9223372036854775808000\n"});
}

// The fixtures' swap, as their files say: v1-docker's api container has swap accounting on and
// 32 MiB swapped; v2-systemd's containerd.service has memory.swap.current.
TEST(CgroupSwap, Fixtures_V1MemswAndV2SwapCurrent) {
  const std::string api =
      "/docker/4ec6993fbaf778d23b48bb41973eebbdf171fb024ae923c7f1625789a80b8645";
  const std::string v1 = testing::DataDir("v1-docker");
  absl::StatusOr<CgroupLayout> layout = ReadCgroupLayout(v1);
  ASSERT_TRUE(layout.ok()) << layout.status();
  SkipCounter skips;
  absl::StatusOr<Cgroup> cgroup = ReadCgroup(v1, *layout, api, {}, 4096, &skips);
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  const std::string dir = v1 + "/sys/fs/cgroup/memory" + api + "/";
  const uint64_t memsw = FileNumber(dir + "memory.memsw.usage_in_bytes");
  const uint64_t usage = FileNumber(dir + "memory.usage_in_bytes");
  ASSERT_GT(memsw, usage);
  EXPECT_THAT(cgroup->swap_bytes, Optional(memsw - usage));

  const std::string v2 = testing::DataDir("v2-systemd");
  layout = ReadCgroupLayout(v2);
  ASSERT_TRUE(layout.ok()) << layout.status();
  cgroup = ReadCgroup(v2, *layout, "/system.slice/containerd.service", {}, 4096, &skips);
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  const uint64_t swap =
      FileNumber(v2 + "/sys/fs/cgroup/system.slice/containerd.service/memory.swap.current");
  ASSERT_GT(swap, 0u);
  EXPECT_THAT(cgroup->swap_bytes, Optional(swap));

  // hybrid has no memsw files: its swap is unknown.
  const std::string hybrid = testing::DataDir("hybrid");
  layout = ReadCgroupLayout(hybrid);
  ASSERT_TRUE(layout.ok()) << layout.status();
  cgroup =
      ReadCgroup(hybrid, *layout, "/sandbox/0b6aa5f2967a07ea9b60e7c680931d4f", {}, 4096, &skips);
  ASSERT_TRUE(cgroup.ok()) << cgroup.status();
  EXPECT_EQ(cgroup->swap_bytes, std::nullopt);
}

}  // namespace
}  // namespace procleak
