// SPDX-License-Identifier: Apache-2.0
// The writer's lock on a record (issue 17): a second RecordWriter on a held record fails at once
// naming the holder and leaves the file alone, waiting takes the lock when the holder lets go,
// and the holder is found in /proc/locks.
#include "store/record_lock.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "procleak/record.h"
#include "record_fixtures.h"
#include "testing/temp_tree.h"

namespace procleak {
namespace {

std::string Message(const absl::Status& status) { return std::string(status.message()); }

int OpenRecord(const std::string& path) {
  return open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

TEST(FlockHolder, Finds_TheWriteLockOfTheFile_NotWaitersReadLocksOrOtherFiles) {
  const std::string locks =
      "1: POSIX  ADVISORY  WRITE 700 08:02:131 0 EOF\n"      // not flock(2)
      "2: FLOCK  ADVISORY  READ 701 08:02:131 0 EOF\n"       // shared
      "3: FLOCK  ADVISORY  WRITE 702 08:03:131 0 EOF\n"      // another device
      "4: FLOCK  ADVISORY  WRITE 703 08:02:1310 0 EOF\n"     // another inode
      "5: FLOCK  ADVISORY  WRITE 812 fd:1a:131 0 EOF\n"      // the holder (hex device)
      "5: -> FLOCK  ADVISORY  WRITE 900 fd:1a:131 0 EOF\n";  // waiting for it
  EXPECT_EQ(store::FlockHolder(locks, 0xfd, 0x1a, 131), 812);
  EXPECT_EQ(store::FlockHolder(locks, 8, 2, 131), std::nullopt);
  EXPECT_EQ(store::FlockHolder(locks, 8, 3, 131), 702);
  // A holder in a pid namespace this one cannot see shows as pid 0.
  EXPECT_EQ(store::FlockHolder("1: FLOCK  ADVISORY  WRITE 0 00:2c:5 0 EOF\n", 0, 0x2c, 5),
            std::nullopt);
  EXPECT_EQ(store::FlockHolder("garbage\n1: FLOCK\n\n", 0, 0x2c, 5), std::nullopt);
}

TEST(RecordLock, SecondWriter_FailsAtOnceNamingTheHolder_AndLeavesTheFileAlone) {
  testing::TempTree tree(testing::FastTempParent());
  const std::string path = tree.Path("rec.plr");
  const std::vector<Snapshot> snapshots = testing::ChangingSnapshots(4);
  const int first = OpenRecord(path);
  ASSERT_GE(first, 0);
  std::string notice;
  absl::StatusOr<RecordWriter> writer = RecordWriter::Open(first, path, &notice);
  ASSERT_TRUE(writer.ok()) << writer.status();
  ASSERT_TRUE(writer->Append(snapshots[0]).ok());
  ASSERT_TRUE(writer->Append(snapshots[1]).ok());
  const std::string before = testing::ReadBytes(path);

  // This process holds the lock through another open file: /proc/locks names it.
  const int second = OpenRecord(path);
  ASSERT_GE(second, 0);
  absl::StatusOr<RecordWriter> other = RecordWriter::Open(second, path, &notice);
  EXPECT_TRUE(absl::IsFailedPrecondition(other.status())) << other.status();
  EXPECT_EQ(Message(other.status()),
            path + ": being recorded by another procleak (pid " + std::to_string(getpid()) + ")");
  EXPECT_EQ(testing::ReadBytes(path), before);

  // The first goes on appending; once it closes, the second takes over after its frames.
  ASSERT_TRUE(writer->Append(snapshots[2]).ok());
  close(first);
  other = RecordWriter::Open(second, path, &notice);
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(notice, "");
  ASSERT_TRUE(other->Append(snapshots[3]).ok());
  close(second);
  absl::StatusOr<RecordReader> reader = RecordReader::Open(path);
  ASSERT_TRUE(reader.ok()) << reader.status();
  ASSERT_EQ(reader->moments().size(), 4u);
  EXPECT_EQ(reader->damage(), "");
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<Snapshot> got = reader->Read(i);
    ASSERT_TRUE(got.ok()) << got.status();
    testing::ExpectSameSnapshot(snapshots[i], *got);
  }
}

TEST(RecordLock, Waiting_TakesTheLockWhenTheHolderLetsGo) {
  testing::TempTree tree(testing::FastTempParent());
  const std::string path = tree.Path("rec.plr");
  const int first = OpenRecord(path);
  const int second = OpenRecord(path);
  ASSERT_GE(first, 0);
  ASSERT_GE(second, 0);
  ASSERT_TRUE(store::LockRecord(first, path, /*wait=*/false).ok());
  EXPECT_TRUE(store::LockRecord(first, path, /*wait=*/false).ok());  // again, through its file
  std::atomic<bool> done = false;
  absl::Status waited;
  std::thread waiter([&] {
    waited = store::LockRecord(second, path, /*wait=*/true);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(done) << "took a lock another open file holds";
  close(first);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(done) << "still waiting after the holder closed the record";
  waiter.join();
  EXPECT_TRUE(waited.ok()) << waited;
  close(second);
}

}  // namespace
}  // namespace procleak
