// SPDX-License-Identifier: Apache-2.0
#pragma once
// The pids of a /proc directory: all at once (ListPids), the lowest few (FirstPids), or in small
// getdents64 batches that several reader threads take in turn (SharedListing), so that reading
// starts with the first batch and no CPU idles while one thread lists the whole directory.

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace procleak {

class SharedListing {
 public:
  // About 40 entries of /proc, some 0.6 ms of reading: small enough that the threads finish
  // within a fraction of a millisecond of each other, even for a thousand processes.
  static constexpr size_t kBatchBytes = 1024;

  // Lists the /proc directory `proc_fd` (named `proc_path` in errors) through a descriptor of its
  // own.
  static absl::StatusOr<SharedListing> Open(int proc_fd, std::string_view proc_path);
  SharedListing(SharedListing&& other) noexcept;
  SharedListing& operator=(SharedListing&&) = delete;
  ~SharedListing();

  // The next pids in directory order (ascending, for procfs) into *out, from one getdents64 of
  // up to `bytes`; empty at the end. Safe to call from several threads: each batch goes to
  // exactly one caller.
  absl::Status Next(std::vector<int>* out, size_t bytes = kBatchBytes);

 private:
  SharedListing(int fd, std::string_view path) : fd_(fd), path_(path) {}
  std::mutex mu_;
  int fd_;
  bool done_ = false;
  std::vector<char> buffer_;  // under mu_
  std::string path_;
};

// Numeric entries of the /proc directory `proc_fd` (whose path is `proc_path`), in directory order.
absl::StatusOr<std::vector<int>> ListPids(int proc_fd, std::string_view proc_path);

// Up to `n` of the lowest pids of the /proc directory `proc_fd`: one small read of procfs, which
// lists in pid order; the whole directory of any other file system (a fixture tree).
absl::StatusOr<std::vector<int>> FirstPids(int proc_fd, std::string_view proc_path, size_t n);

}  // namespace procleak
