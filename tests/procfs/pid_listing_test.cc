// SPDX-License-Identifier: Apache-2.0
// SharedListing hands each batch of /proc to exactly one of its callers; ListPids takes them all;
// FirstPids takes the lowest pids, from procfs or from a fixture tree listed in no order.
#include "procfs/pid_listing.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "testing/paused_children.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

using ::testing::ElementsAre;
using testing::TempTree;

// An open /proc directory, closed at the end of the test.
class ProcFd {
 public:
  explicit ProcFd(std::string path) : path_(std::move(path)) {
    fd_ = open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  }
  ~ProcFd() {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  // Sorted, by std::filesystem: a listing independent of the code under test.
  std::vector<int> List() const {
    std::vector<int> pids;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(path_, error)) {
      const std::string name = entry.path().filename();
      if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) {
        pids.push_back(std::stoi(name));
      }
    }
    std::sort(pids.begin(), pids.end());
    return pids;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

// Every batch of one listing, taken by two threads in turn until it ends.
std::vector<std::vector<int>> TakeBatches(const ProcFd& proc) {
  absl::StatusOr<SharedListing> listing = SharedListing::Open(proc.fd(), proc.path());
  EXPECT_TRUE(listing.ok()) << listing.status();
  if (!listing.ok()) return {};
  std::vector<std::vector<int>> taken[2];
  auto take = [&](int t) {
    for (std::vector<int> batch;;) {
      EXPECT_TRUE(listing->Next(&batch).ok());
      if (batch.empty()) break;
      taken[t].push_back(batch);
    }
  };
  std::thread other(take, 1);
  take(0);
  other.join();
  std::vector<int> after;
  EXPECT_TRUE(listing->Next(&after).ok());
  EXPECT_TRUE(after.empty()) << "a finished listing stays finished";
  taken[0].insert(taken[0].end(), taken[1].begin(), taken[1].end());
  return taken[0];
}

std::multiset<int> Union(const std::vector<std::vector<int>>& batches) {
  std::multiset<int> all;
  for (const auto& batch : batches) all.insert(batch.begin(), batch.end());
  return all;
}

// Dirs proc/PID for every pid of `pids`, in a scrambled order, and some entries that are not pids.
void MakePids(const TempTree& tree, std::vector<int> pids) {
  std::shuffle(pids.begin(), pids.end(), std::mt19937(42));
  for (int pid : pids) tree.MakeDir("proc/" + std::to_string(pid));
  tree.MakeDir("proc/self");
  tree.MakeDir("proc/12a");
  tree.Write("proc/meminfo", "MemTotal: 1 kB\n");
}

TEST(SharedListing, TwoThreads_TakeEveryPidOfAFixtureTreeOnce) {
  TempTree tree;
  std::vector<int> pids;
  for (int i = 0; i < 600; ++i) pids.push_back(1 + i * 7);  // many 1 KiB batches
  MakePids(tree, pids);
  ProcFd proc(tree.Path("proc"));
  const std::vector<std::vector<int>> batches = TakeBatches(proc);
  EXPECT_GT(batches.size(), 1u);
  EXPECT_EQ(Union(batches), std::multiset<int>(pids.begin(), pids.end()));
}

TEST(ListPids, FixtureTree_EveryPidOnce_NothingElse) {
  TempTree tree;
  std::vector<int> pids;
  for (int i = 0; i < 3000; ++i) pids.push_back(2 + i * 3);  // more than one 32 KiB read
  MakePids(tree, pids);
  ProcFd proc(tree.Path("proc"));
  absl::StatusOr<std::vector<int>> listed = ListPids(proc.fd(), proc.path());
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(std::multiset<int>(listed->begin(), listed->end()),
            std::multiset<int>(pids.begin(), pids.end()));
}

TEST(SharedListingLive, TwoThreads_TakeEveryPidOnceInAscendingBatches) {
  testing::PausedChildren children(300);  // several batches of about 40
  ASSERT_EQ(children.pids().size(), 300u);
  ProcFd proc("/proc");
  ASSERT_GE(proc.fd(), 0);
  const std::vector<int> before = proc.List();
  std::vector<std::vector<int>> batches = TakeBatches(proc);
  const std::vector<int> after = proc.List();
  ASSERT_GT(batches.size(), 1u);

  // procfs lists in pid order: each batch ascends, and batches do not overlap.
  std::sort(batches.begin(), batches.end());
  std::vector<int> joined;
  for (const auto& batch : batches) {
    ASSERT_FALSE(batch.empty());
    joined.insert(joined.end(), batch.begin(), batch.end());
  }
  EXPECT_TRUE(std::adjacent_find(joined.begin(), joined.end(), std::greater_equal<int>()) ==
              joined.end());
  const std::multiset<int> all = Union(batches);
  for (pid_t pid : children.pids()) EXPECT_EQ(all.count(pid), 1u) << pid;
  EXPECT_EQ(all.count(getpid()), 1u);
  // Whatever existed before and after the listing was listed.
  std::set<int> stayed;
  std::set_intersection(before.begin(), before.end(), after.begin(), after.end(),
                        std::inserter(stayed, stayed.end()));
  for (int pid : stayed) EXPECT_EQ(all.count(pid), 1u) << pid;
}

TEST(FirstPids, FixtureTree_GivesTheLowestSorted) {
  TempTree tree;
  std::vector<int> pids = {900, 5, 300, 42, 7, 100000, 1, 77};
  for (int i = 0; i < 500; ++i) pids.push_back(1000 + i);  // more than one listing batch
  MakePids(tree, pids);
  ProcFd proc(tree.Path("proc"));
  EXPECT_THAT(FirstPids(proc.fd(), proc.path(), 4).value(), ElementsAre(1, 5, 7, 42));
  EXPECT_THAT(FirstPids(proc.fd(), proc.path(), 0).value(), ::testing::IsEmpty());
  std::sort(pids.begin(), pids.end());
  EXPECT_EQ(FirstPids(proc.fd(), proc.path(), 10000).value(), pids);
}

TEST(FirstPids, Live_GivesTheLowestSorted) {
  ProcFd proc("/proc");
  const std::vector<int> before = proc.List();
  absl::StatusOr<std::vector<int>> first = FirstPids(proc.fd(), proc.path(), 8);
  const std::vector<int> after = proc.List();
  ASSERT_TRUE(first.ok()) << first.status();
  ASSERT_EQ(first->size(), std::min<size_t>(8, before.size()));
  EXPECT_TRUE(std::is_sorted(first->begin(), first->end()));
  // Nothing that lived throughout is lower than the highest pid given yet left out.
  for (int pid : before) {
    if (pid > first->back()) break;
    if (std::binary_search(after.begin(), after.end(), pid)) {
      EXPECT_TRUE(std::binary_search(first->begin(), first->end(), pid)) << pid;
    }
  }
}

TEST(FirstPids, Fails_OnBadDescriptorNamingThePath) {
  absl::StatusOr<std::vector<int>> first = FirstPids(-1, "/nowhere/proc", 8);
  ASSERT_FALSE(first.ok());
  EXPECT_THAT(std::string(first.status().message()), ::testing::HasSubstr("/nowhere/proc"));
}

}  // namespace
}  // namespace procleak
