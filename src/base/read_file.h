// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one policy for reading /proc and cgroup files: gone and denied are outcomes, not errors.

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "base/file_limits.h"

namespace procleak {

enum class ReadOutcome {
  kRead,  // *out holds the whole file
  // ENOENT/ESRCH/ENODEV/EOPNOTSUPP: the process or cgroup went away, or the file does not exist
  // (or is not supported, like memory.pressure with PSI off)
  kGone,
  kDenied,  // EACCES/EPERM
};

// How ReadFileAt knows it has the whole file.
enum class ReadUntil {
  kEof,  // a read returns 0: right for every file
  // A read returns less than asked for: saves one read(2) per file, right for regular files and
  // for /proc files the kernel renders in one piece (stat, statm, status, cgroup, cmdline,
  // smaps_rollup) but not for multi-record seq_files such as cgroup.procs or mountinfo.
  kShortRead,
};

// Whether OpenFileAt makes sure that it opened a regular file, with an fstat(2) per file.
enum class TypeCheck : uint8_t {
  kRegular,
  // None: the directory is on procfs, which has nothing but regular files where procleak opens
  // one; the readers of every process's files save the system call there (TypeCheckFor).
  kNone,
};

// kNone for a directory on procfs, else kRegular.
TypeCheck TypeCheckFor(int dirfd);

// Reads the whole of `name` (relative to `dirfd`) into `*out`, reusing its capacity. A file that
// is not a regular file (a FIFO, a device: procfs, sysfs and cgroupfs files are regular) or is
// larger than `kind`'s limit (file_limits.h) is an error naming it, and never read further than
// one byte past the limit. Other errors (EIO, ENOTDIR...) become a Status naming `dir_path`/`name`
// (`name` alone when `dir_path` is empty).
absl::StatusOr<ReadOutcome> ReadFileAt(int dirfd, std::string_view dir_path, const char* name,
                                       FileKind kind, std::string* out,
                                       ReadUntil until = ReadUntil::kEof,
                                       TypeCheck check = TypeCheck::kRegular);

// ReadFileAt for a file already open as `fd` (named dir_path/name in messages), read with pread
// from offset 0: on a kept /proc/PID file that renders the file afresh, and a process reaped since
// it was opened reads as kGone. `fd` must come from OpenFileAt, which checked its type.
absl::StatusOr<ReadOutcome> ReadFromStart(int fd, std::string_view dir_path, const char* name,
                                          FileKind kind, std::string* out,
                                          ReadUntil until = ReadUntil::kEof);

// Opens file `name` relative to `dirfd` read-only and without blocking (a FIFO would block open
// until a writer came); same outcomes as ReadFileAt, *fd set on kRead. What is not a regular file
// is an error: "PATH: not a regular file (a FIFO)" (unless `check` is kNone). With `st`, also its
// fstat there (the owner of a /proc/PID file, without another system call).
absl::StatusOr<ReadOutcome> OpenFileAt(int dirfd, std::string_view dir_path, const char* name,
                                       int* fd, struct stat* st = nullptr,
                                       TypeCheck check = TypeCheck::kRegular);

// Opens directory `name` relative to `dirfd` (AT_FDCWD for an absolute path) as a read-only
// directory fd. Same outcomes as ReadFileAt; *fd is set only on kRead.
absl::StatusOr<ReadOutcome> OpenDirAt(int dirfd, std::string_view dir_path, const char* name,
                                      int* fd);

// The error for a file larger than `kind`'s limit, and for one that is not a regular file (of
// type `mode`, as fstat gives it), for readers that open files themselves.
absl::Status TooLargeError(std::string_view path, FileKind kind);
absl::Status NotRegularError(std::string_view path, unsigned mode);

// Counts what a scan had to leave out, so every reader applies the same policy.
struct SkipCounter {
  int vanished = 0;
  int denied = 0;
  // Returns true for kRead; counts a denied read. kGone is counted by the caller, which knows
  // whether it means a vanished process or a merely absent optional file.
  bool Readable(ReadOutcome outcome) {
    if (outcome == ReadOutcome::kDenied) ++denied;
    return outcome == ReadOutcome::kRead;
  }
  // Counts a process none of whose files could be read: gone as vanished, denied as denied.
  void Missing(ReadOutcome outcome) {
    if (outcome == ReadOutcome::kGone) ++vanished;
    if (outcome == ReadOutcome::kDenied) ++denied;
  }
  void Add(const SkipCounter& other) {
    vanished += other.vanished;
    denied += other.denied;
  }
};

// Joins a root and an absolute path without doubling '/': JoinPath("/", "/proc") == "/proc",
// JoinPath("/tmp/fx", "/proc") == "/tmp/fx/proc".
std::string JoinPath(std::string_view root, std::string_view path);

}  // namespace procleak
