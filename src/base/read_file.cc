// SPDX-License-Identifier: Apache-2.0
#include "base/read_file.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "fmt/format.h"

namespace procleak {
namespace {

constexpr size_t kInitialRead = 4096;

// dir_path/name, or name alone when there is no dir_path (a path as the user gave it).
std::string PathOf(std::string_view dir_path, const char* name) {
  return dir_path.empty() ? std::string(name) : JoinPath(dir_path, name);
}

const char* FileTypeName(unsigned mode) {
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  return "not a file";
}

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
      return absl::ErrnoToStatus(err, PathOf(dir_path, name));
  }
}

}  // namespace

absl::Status TooLargeError(std::string_view path, FileKind kind) {
  const FileLimit& limit = LimitOf(kind);
  return absl::ResourceExhaustedError(fmt::format("{}: larger than {} (limit for {})", path,
                                                  SizeText(limit.max_bytes), limit.what));
}

absl::Status NotRegularError(std::string_view path, unsigned mode) {
  return absl::FailedPreconditionError(
      fmt::format("{}: not a regular file ({})", path, FileTypeName(mode)));
}

std::string JoinPath(std::string_view root, std::string_view path) {
  while (!root.empty() && root.back() == '/') root.remove_suffix(1);
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (path.empty()) return root.empty() ? "/" : std::string(root);
  return fmt::format("{}/{}", root, path);
}

absl::StatusOr<ReadOutcome> ReadFromStart(int fd, std::string_view dir_path, const char* name,
                                          FileKind kind, std::string* out, ReadUntil until) {
  // Never more than one byte past the limit: enough to tell that the file is larger.
  const size_t most = LimitOf(kind).max_bytes + 1;
  // Most files fit one read into a local buffer: copying what came beats the zero-filling of a
  // resize() of *out, on every file of every process.
  char first[kInitialRead];
  const size_t first_asked = std::min(sizeof(first), most);
  ssize_t got;
  do {
    got = pread(fd, first, first_asked, 0);
  } while (got < 0 && errno == EINTR);
  if (got < 0) {
    const int err = errno;
    out->clear();
    return Classify(err, dir_path, name);
  }
  out->assign(first, static_cast<size_t>(got));
  if (got == 0 || (until == ReadUntil::kShortRead && static_cast<size_t>(got) < first_asked)) {
    return ReadOutcome::kRead;
  }
  size_t used = out->size();
  while (true) {
    if (used == most) {
      out->clear();
      return TooLargeError(PathOf(dir_path, name), kind);
    }
    if (used == out->size()) out->resize(std::min(std::max(used * 2, 2 * kInitialRead), most));
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

TypeCheck TypeCheckFor(int dirfd) {
  struct statfs fs;
  return fstatfs(dirfd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC ? TypeCheck::kNone
                                                                   : TypeCheck::kRegular;
}

absl::StatusOr<ReadOutcome> OpenFileAt(int dirfd, std::string_view dir_path, const char* name,
                                       int* fd, struct stat* st, TypeCheck check) {
  // O_NONBLOCK: opening a FIFO would wait for a writer. Reads of regular files ignore it.
  const int opened = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (opened < 0) return Classify(errno, dir_path, name);
  if (check == TypeCheck::kNone && st == nullptr) {
    *fd = opened;
    return ReadOutcome::kRead;
  }
  struct stat own;
  if (st == nullptr) st = &own;
  if (fstat(opened, st) != 0) {
    const int err = errno;
    close(opened);
    return Classify(err, dir_path, name);
  }
  if (!S_ISREG(st->st_mode)) {
    close(opened);
    return NotRegularError(PathOf(dir_path, name), st->st_mode);
  }
  *fd = opened;
  return ReadOutcome::kRead;
}

absl::StatusOr<ReadOutcome> ReadFileAt(int dirfd, std::string_view dir_path, const char* name,
                                       FileKind kind, std::string* out, ReadUntil until,
                                       TypeCheck check) {
  int fd = -1;
  struct stat st;
  const bool checked = check == TypeCheck::kRegular;
  absl::StatusOr<ReadOutcome> opened =
      OpenFileAt(dirfd, dir_path, name, &fd, checked ? &st : nullptr, check);
  if (!opened.ok() || *opened != ReadOutcome::kRead) return opened;
  // A regular file's size refuses it without reading (a procfs file's is 0: read to find out).
  if (checked && static_cast<uint64_t>(st.st_size) > LimitOf(kind).max_bytes) {
    close(fd);
    out->clear();
    return TooLargeError(PathOf(dir_path, name), kind);
  }
  absl::StatusOr<ReadOutcome> read = ReadFromStart(fd, dir_path, name, kind, out, until);
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
