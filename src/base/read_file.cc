// SPDX-License-Identifier: Apache-2.0
#include "base/read_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace procleak {
namespace {

constexpr size_t kInitialRead = 4096;

absl::StatusOr<ReadOutcome> Classify(int err, std::string_view dir_path, const char* name) {
  switch (err) {
    case ENOENT:
    case ESRCH:
    case ENODEV:      // a cgroup removed after its file was opened
    case EOPNOTSUPP:  // memory.pressure with PSI disabled (psi=0, RHEL 8 before 5.13)
      return ReadOutcome::kGone;
    case EACCES:
    case EPERM:
      return ReadOutcome::kDenied;
    default:
      return absl::ErrnoToStatus(err, JoinPath(dir_path, name));
  }
}

}  // namespace

std::string JoinPath(std::string_view root, std::string_view path) {
  while (!root.empty() && root.back() == '/') root.remove_suffix(1);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return root.empty() ? "/" : std::string(root);
  return fmt::format("{}/{}", root, path);
}

absl::StatusOr<ReadOutcome> ReadFromStart(int fd, std::string_view dir_path, const char* name,
                                          std::string* out, ReadUntil until) {
  // Most files fit one read into a local buffer: copying what came beats the zero-filling of a
  // resize() of *out, on every file of every process.
  char first[kInitialRead];
  ssize_t got;
  do {
    got = pread(fd, first, sizeof(first), 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    const int err = errno;
    out->clear();
    return Classify(err, dir_path, name);
  }
  out->assign(first, static_cast<size_t>(got));
  if (got == 0 || (until == ReadUntil::kShortRead && static_cast<size_t>(got) < sizeof(first))) {
    return ReadOutcome::kRead;
  }
  size_t used = out->size();
  out->resize(kInitialRead * 2);
  while (true) {
    if (used == out->size()) out->resize(out->size() * 2);
    const size_t asked = out->size() - used;
    // pread from 0 makes a /proc seq_file render afresh: a kept descriptor reads the present.
    ssize_t n = pread(fd, out->data() + used, asked, static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      out->clear();
      return Classify(err, dir_path, name);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
    if (until == ReadUntil::kShortRead && static_cast<size_t>(n) < asked) break;
  }
  out->resize(used);
  return ReadOutcome::kRead;
}

absl::StatusOr<ReadOutcome> OpenFileAt(int dirfd, std::string_view dir_path, const char* name,
                                       int* fd) {
  int opened = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (opened < 0) return Classify(errno, dir_path, name);
  *fd = opened;
  return ReadOutcome::kRead;
}

absl::StatusOr<ReadOutcome> ReadFileAt(int dirfd, std::string_view dir_path, const char* name,
                                       std::string* out, ReadUntil until) {
  int fd = -1;
  absl::StatusOr<ReadOutcome> opened = OpenFileAt(dirfd, dir_path, name, &fd);
  if (!opened.ok() || *opened != ReadOutcome::kRead) return opened;
  absl::StatusOr<ReadOutcome> read = ReadFromStart(fd, dir_path, name, out, until);
  close(fd);
  return read;
}

absl::StatusOr<ReadOutcome> OpenDirAt(int dirfd, std::string_view dir_path, const char* name,
                                      int* fd) {
  int opened = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (opened < 0) return Classify(errno, dir_path, name);
  *fd = opened;
  return ReadOutcome::kRead;
}

}  // namespace procleak
