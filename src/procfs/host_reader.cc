// SPDX-License-Identifier: Apache-2.0
// ReadHost: hostname, kernel release, boot time and meminfo under a root.

#include "procfs/host_reader.h"

#include <fcntl.h>

#include <cerrno>
#include <string>

#include "absl/status/status.h"
#include "base/keyed_values.h"
#include "base/read_file.h"
#include "fmt/format.h"
#include "procfs/meminfo_parser.h"

namespace procleak {
namespace {

// Reads `path` under `root` into *out; *full_path is the path it read, for messages.
absl::StatusOr<ReadOutcome> ReadHostFile(std::string_view root, std::string_view path,
                                         FileKind kind, std::string* full_path, std::string* out) {
  *full_path = JoinPath(root, path);
  return ReadFileAt(AT_FDCWD, "", full_path->c_str(), kind, out);
}

// A one-line file such as hostname, without its newline; empty if missing or unreadable.
absl::StatusOr<std::string> ReadLine(std::string_view root, std::string_view path,
                                     std::string* buffer) {
  std::string full_path;
  absl::StatusOr<ReadOutcome> read =
      ReadHostFile(root, path, FileKind::kKernelName, &full_path, buffer);
  if (!read.ok()) return read.status();
  if (*read != ReadOutcome::kRead) return std::string();
  return std::string(StripWhitespace(*buffer));
}

absl::Status ParseError(const std::string& path, const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  return absl::InvalidArgumentError(fmt::format("{}: {}", path, message));
}

}  // namespace

absl::StatusOr<Host> ReadHost(std::string_view root) {
  Host host;
  std::string buffer;
  std::string path;

  // Required: every process's start time is btime + starttime.
  absl::StatusOr<ReadOutcome> read =
      ReadHostFile(root, "/proc/stat", FileKind::kProcStat, &path, &buffer);
  if (!read.ok()) return read.status();
  if (*read != ReadOutcome::kRead) {
    return absl::ErrnoToStatus(*read == ReadOutcome::kGone ? ENOENT : EACCES, path);
  }
  absl::StatusOr<int64_t> btime = ParseBootTime(buffer);
  if (!btime.ok()) return ParseError(path, btime.status());
  host.boot_time = absl::FromUnixSeconds(*btime);

  absl::StatusOr<std::string> line = ReadLine(root, "/proc/sys/kernel/hostname", &buffer);
  if (!line.ok()) return line.status();
  host.hostname = *std::move(line);
  line = ReadLine(root, "/proc/sys/kernel/osrelease", &buffer);
  if (!line.ok()) return line.status();
  host.kernel = *std::move(line);

  read = ReadHostFile(root, "/proc/meminfo", FileKind::kMeminfo, &path, &buffer);
  if (!read.ok()) return read.status();
  if (*read == ReadOutcome::kRead) {
    absl::StatusOr<MemInfo> meminfo = ParseMemInfo(buffer);
    if (!meminfo.ok()) return ParseError(path, meminfo.status());
    host.mem_total_bytes = meminfo->mem_total;
    host.mem_available_bytes = meminfo->mem_available;
  }
  return host;
}

}  // namespace procleak
