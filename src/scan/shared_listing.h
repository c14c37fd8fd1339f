// SPDX-License-Identifier: Apache-2.0
#pragma once
// /proc listed by every reader thread in turn, one small getdents64 batch at a time: reading
// starts with the first batch, and no CPU idles while one thread lists the whole directory.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace procleak {

class SharedListing {
 public:
  // Lists the /proc directory `proc_fd` (named `proc_path` in errors) through a descriptor of its
  // own. Batches of about 40 pids.
  static absl::StatusOr<SharedListing> Open(int proc_fd, std::string_view proc_path);
  SharedListing(SharedListing&& other) noexcept;
  SharedListing& operator=(SharedListing&&) = delete;
  ~SharedListing();

  // The next pids in directory order (ascending, for procfs) into *out; empty at the end.
  // Safe to call from several threads: each batch goes to exactly one caller.
  absl::Status Next(std::vector<int>* out);

 private:
  SharedListing(int fd, std::string_view path) : fd_(fd), path_(path) {}
  std::mutex mu_;
  int fd_;
  bool done_ = false;
  std::string path_;
};

// Up to `n` of the lowest pids of the /proc directory `proc_fd`: one small read of procfs, which
// lists in pid order; the whole directory of any other file system (a fixture tree).
absl::StatusOr<std::vector<int>> FirstPids(int proc_fd, std::string_view proc_path, size_t n);

}  // namespace procleak
