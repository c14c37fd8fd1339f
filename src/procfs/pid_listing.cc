// SPDX-License-Identifier: Apache-2.0
#include "procfs/pid_listing.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <optional>

#include "base/keyed_values.h"

namespace procleak {
namespace {

// A whole listing's read: a few dozen KiB of /proc per getdents64, as readdir() would take.
constexpr size_t kWholeListingBytes = 32 * 1024;

// The numeric directory entries of one getdents64 buffer.
void AppendPids(const char* buffer, size_t bytes, std::vector<int>* out) {
  for (size_t at = 0; at < bytes;) {
    const auto* entry = reinterpret_cast<const dirent64*>(buffer + at);
    at += entry->d_reclen;
    if (entry->d_type != DT_DIR && entry->d_type != DT_UNKNOWN) continue;
    std::optional<uint64_t> pid = ParseU64(entry->d_name);
    if (pid && *pid > 0 && *pid <= INT_MAX) out->push_back(static_cast<int>(*pid));
  }
}

}  // namespace

absl::StatusOr<SharedListing> SharedListing::Open(int proc_fd, std::string_view proc_path) {
  // A fresh open of "." has its own offset (a dup() would share proc_fd's), so listings by
  // several callers do not disturb each other.
  int fd = openat(proc_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, std::string(proc_path));
  return SharedListing(fd, proc_path);
}

SharedListing::SharedListing(SharedListing&& other) noexcept
    : fd_(other.fd_), done_(other.done_), path_(std::move(other.path_)) {
  other.fd_ = -1;
}

SharedListing::~SharedListing() {
  if (fd_ >= 0) close(fd_);
}

absl::Status SharedListing::Next(std::vector<int>* out, size_t bytes) {
  out->clear();
  std::lock_guard<std::mutex> lock(mu_);
  if (buffer_.size() < bytes) buffer_.resize(bytes);  // operator new: aligned for dirent64
  // Entries that are not pids (self, meminfo...) come first: read on until a batch holds one.
  while (out->empty() && !done_) {
    const ssize_t n = getdents64(fd_, buffer_.data(), bytes);
    if (n < 0) {
      const int err = errno;
      if (err == EINTR) continue;
      done_ = true;
      return absl::ErrnoToStatus(err, path_);
    }
    if (n == 0) {
      done_ = true;
      break;
    }
    AppendPids(buffer_.data(), static_cast<size_t>(n), out);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int>> ListPids(int proc_fd, std::string_view proc_path) {
  absl::StatusOr<SharedListing> listing = SharedListing::Open(proc_fd, proc_path);
  if (!listing.ok()) return listing.status();
  std::vector<int> pids, batch;
  do {
    absl::Status read = listing->Next(&batch, kWholeListingBytes);
    if (!read.ok()) return read;
    pids.insert(pids.end(), batch.begin(), batch.end());
  } while (!batch.empty());
  return pids;
}

absl::StatusOr<std::vector<int>> FirstPids(int proc_fd, std::string_view proc_path, size_t n) {
  // procfs lists in pid order; another file system (a fixture tree) in an order of its own, so
  // there the lowest pids take a listing of the whole directory.
  struct statfs fs;
  std::vector<int> pids;
  if (fstatfs(proc_fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC) {
    absl::StatusOr<SharedListing> listing = SharedListing::Open(proc_fd, proc_path);
    if (!listing.ok()) return listing.status();
    absl::Status read = listing->Next(&pids);
    if (!read.ok()) return read;
  } else {
    absl::StatusOr<std::vector<int>> all = ListPids(proc_fd, proc_path);
    if (!all.ok()) return all.status();
    pids = *std::move(all);
    const size_t keep = std::min(n, pids.size());
    std::partial_sort(pids.begin(), pids.begin() + static_cast<std::ptrdiff_t>(keep), pids.end());
  }
  if (pids.size() > n) pids.resize(n);
  return pids;
}

}  // namespace procleak
