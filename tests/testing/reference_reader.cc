// SPDX-License-Identifier: Apache-2.0
// ReadReferenceProcess: the obvious way to read a /proc/PID directory, with no shortcut of the
// library's readers (one read(2) per file, the uid from the directory's owner, files skipped
// when another one already told).

#include "testing/reference_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "procfs/cgroup_file_parser.h"
#include "procfs/cmdline_parser.h"
#include "procfs/smaps_rollup_parser.h"
#include "procfs/stat_parser.h"
#include "procfs/statm_parser.h"
#include "procfs/status_parser.h"

namespace procleak::testing {
namespace {

// Task flags of stat's field 9 (include/linux/sched.h).
constexpr uint64_t kKernelThreadFlag = 0x00200000;  // PF_KTHREAD
constexpr uint64_t kExitingFlag = 0x00000004;       // PF_EXITING

// Closes a descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// What an errno means for a /proc file: the process (or the file) is gone, the file is denied,
// or something is wrong (an error naming `path`).
absl::StatusOr<ReadOutcome> Outcome(int err, const std::string& path) {
  if (err == ENOENT || err == ESRCH || err == ENODEV || err == EOPNOTSUPP) {
    return ReadOutcome::kGone;
  }
  if (err == EACCES || err == EPERM) return ReadOutcome::kDenied;
  return absl::ErrnoToStatus(err, path);
}

// One open PROC/PID directory being read.
struct PidDir {
  int fd;
  std::string path;  // "PROC/PID", for messages
  ReferenceReader* reader;
};

// Reads `name` of `dir` into *text, read(2) after read(2) until one returns 0.
absl::StatusOr<ReadOutcome> ReadToEof(const PidDir& dir, const char* name, std::string* text) {
  const std::string path = dir.path + "/" + name;
  text->clear();
  const Fd file(openat(dir.fd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (file.get() < 0) return Outcome(errno, path);
  char chunk[65536];
  while (true) {
    const ssize_t n = read(file.get(), chunk, sizeof(chunk));
    if (n == 0) return ReadOutcome::kRead;
    if (n > 0) {
      text->append(chunk, static_cast<size_t>(n));
    } else if (errno != EINTR) {
      text->clear();
      return Outcome(errno, path);
    }
  }
}

absl::Status Malformed(const PidDir& dir, const char* name, const absl::Status& status) {
  return absl::InvalidArgumentError(dir.path + "/" + name + ": " + std::string(status.message()));
}

// What became of a file other than the first stat.
enum class File { kRead, kAbsent, kDenied, kVanished };

// Reads `name` into *text. A file that is gone while stat is still there is merely absent (an
// older kernel, a fixture without it); gone with stat gone too, the process has vanished
// (counted). A denied file is counted.
absl::StatusOr<File> ReadOptional(const PidDir& dir, const char* name, std::string* text) {
  absl::StatusOr<ReadOutcome> read = ReadToEof(dir, name, text);
  if (!read.ok()) return read.status();
  if (*read == ReadOutcome::kRead) return File::kRead;
  if (*read == ReadOutcome::kDenied) {
    ++dir.reader->skips.denied;
    return File::kDenied;
  }
  std::string stat;
  absl::StatusOr<ReadOutcome> probe = ReadToEof(dir, "stat", &stat);
  if (!probe.ok()) return probe.status();
  if (*probe != ReadOutcome::kGone) return File::kAbsent;
  ++dir.reader->skips.vanished;
  return File::kVanished;
}

// Reads `name` into *text and, when it was read, parses it with `parse` into *parsed (left
// empty when the file is absent or denied); a file `parse` refuses is an error naming it.
template <typename T>
absl::StatusOr<File> ReadParsed(const PidDir& dir, const char* name,
                                absl::StatusOr<T> (*parse)(std::string_view), std::string* text,
                                std::optional<T>* parsed) {
  absl::StatusOr<File> file = ReadOptional(dir, name, text);
  if (!file.ok() || *file != File::kRead) return file;
  absl::StatusOr<T> value = parse(*text);
  if (!value.ok()) return Malformed(dir, name, value.status());
  *parsed = *std::move(value);
  return file;
}

// Fills *p from the files of `dir`; kVanished has been counted.
absl::StatusOr<ProcessRead> ReadFiles(const PidDir& dir, Process* p) {
  ReferenceReader* reader = dir.reader;
  std::string text;
  absl::StatusOr<ReadOutcome> stat_read = ReadToEof(dir, "stat", &text);
  if (!stat_read.ok()) return stat_read.status();
  if (*stat_read == ReadOutcome::kDenied) {
    ++reader->skips.denied;  // not even its parent is known: left out
    return ProcessRead::kVanished;
  }
  if (*stat_read == ReadOutcome::kGone) {
    ++reader->skips.vanished;
    return ProcessRead::kVanished;
  }
  absl::StatusOr<Stat> stat = ParseStat(text);
  if (!stat.ok()) return Malformed(dir, "stat", stat.status());
  p->comm = stat->comm;
  p->state = stat->state;
  p->ppid = stat->ppid;
  p->pgid = stat->pgrp;
  p->sid = stat->session;
  p->tty_nr = stat->tty_nr;
  p->threads = stat->num_threads;
  p->starttime_ticks = stat->starttime;
  p->kernel_thread = (stat->flags & kKernelThreadFlag) != 0;

  std::optional<ProcStatus> status;
  absl::StatusOr<File> file = ReadParsed(dir, "status", ParseStatus, &text, &status);
  if (!file.ok()) return file.status();
  if (*file == File::kVanished) return ProcessRead::kVanished;
  if (status) {
    if (status->uid) {
      if (*status->uid > UINT32_MAX) {
        return Malformed(dir, "status", absl::InvalidArgumentError("Uid out of range"));
      }
      p->uid = static_cast<uint32_t>(*status->uid);
    }
    p->ns_pid = status->ns_pid;
    if (status->kthread.value_or(0) != 0) p->kernel_thread = true;
  }

  std::optional<Statm> statm;
  file = ReadParsed(dir, "statm", ParseStatm, &text, &statm);
  if (!file.ok()) return file.status();
  if (*file == File::kVanished) return ProcessRead::kVanished;
  if (statm) {
    p->rss_bytes = statm->resident * reader->page_size;
  } else if (*file == File::kAbsent) {
    p->rss_bytes = stat->rss_pages * reader->page_size;
  }
  const bool has_mm = !p->kernel_thread && p->state != 'Z';
  if (!has_mm) p->rss_bytes.reset();  // its statm reads all zeros

  file = ReadOptional(dir, "cmdline", &text);
  if (!file.ok()) return file.status();
  if (*file == File::kVanished) return ProcessRead::kVanished;
  if (*file == File::kRead) p->argv = ParseCmdline(text);

  if (reader->pss && has_mm) {
    std::optional<SmapsRollup> rollup;
    file = ReadParsed(dir, "smaps_rollup", ParseSmapsRollup, &text, &rollup);
    if (!file.ok()) return file.status();
    if (*file == File::kVanished) return ProcessRead::kVanished;
    if (rollup) p->pss_bytes = rollup->pss;
  }

  if (!p->kernel_thread) {
    // A kernel thread's link dangles, as does a zombie's (left empty).
    char target[4096];
    const ssize_t n = readlinkat(dir.fd, "exe", target, sizeof(target));
    if (n > 0) {
      p->exe.assign(target, static_cast<size_t>(n));
    } else if (n < 0 && (errno == EACCES || errno == EPERM)) {
      ++reader->skips.denied;
    }
  }

  std::optional<std::vector<CgroupMembership>> lines;
  file = ReadParsed(dir, "cgroup", ParseProcCgroup, &text, &lines);
  if (!file.ok()) return file.status();
  if (*file == File::kVanished) return ProcessRead::kVanished;
  // stat once more: the cgroup file was read after it, by when the process may have begun
  // exiting (a v1 kernel shows an exiting task in "/") or been reaped, its pid taken by another.
  stat_read = ReadToEof(dir, "stat", &text);
  if (!stat_read.ok()) return stat_read.status();
  if (*stat_read == ReadOutcome::kGone) {
    ++reader->skips.vanished;
    return ProcessRead::kVanished;
  }
  if (*stat_read == ReadOutcome::kRead) {
    absl::StatusOr<Stat> again = ParseStat(text);
    if (!again.ok()) return Malformed(dir, "stat", again.status());
    const bool exiting =
        again->state == 'Z' || again->state == 'X' || (again->flags & kExitingFlag) != 0;
    if (again->starttime != p->starttime_ticks || (exiting && p->state != 'Z')) {
      ++reader->skips.vanished;
      return ProcessRead::kVanished;
    }
  }
  if (lines) p->cgroup_lines = *std::move(lines);
  return ProcessRead::kRead;
}

}  // namespace

absl::StatusOr<ProcessRead> ReadReferenceProcess(int pid, ReferenceReader* reader, Process* out) {
  std::string root = reader->proc_path;
  if (!root.empty() && root.back() == '/') root.pop_back();
  PidDir dir{.fd = -1, .path = root + "/" + std::to_string(pid), .reader = reader};
  const Fd opened(open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (opened.get() < 0) {
    absl::StatusOr<ReadOutcome> outcome = Outcome(errno, dir.path);
    if (!outcome.ok()) return outcome.status();
    reader->skips.Missing(*outcome);
    return ProcessRead::kVanished;
  }
  dir.fd = opened.get();
  Process p;
  p.pid = pid;
  absl::StatusOr<ProcessRead> read = ReadFiles(dir, &p);
  if (read.ok() && *read == ProcessRead::kRead) *out = std::move(p);
  return read;
}

}  // namespace procleak::testing
