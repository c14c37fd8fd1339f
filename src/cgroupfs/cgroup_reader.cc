// SPDX-License-Identifier: Apache-2.0
// ReadCgroup / ReadCgroupLayout: the I/O edge of the cgroupfs layer.

#include "cgroupfs/cgroup_reader.h"

#include <fcntl.h>

#include "absl/status/status.h"
#include "cgroupfs/memory_files.h"
#include "fmt/format.h"

namespace procleak {
namespace {

// Reads files of one cgroup directory; a missing file is absent, a denied one is counted.
class CgroupDir {
 public:
  CgroupDir(std::string path, SkipCounter* skips) : path_(std::move(path)), skips_(skips) {}

  // Reads `name` and parses it with `parse`; *out stays unset when the file is missing or denied.
  template <typename T, typename Parse>
  absl::Status Read(const char* name, Parse parse, std::optional<T>* out) {
    std::string file = fmt::format("{}/{}", path_, name);
    absl::StatusOr<ReadOutcome> read =
        ReadFileAt(AT_FDCWD, "", file.c_str(), FileKind::kCgroupFile, &buffer_);
    if (!read.ok()) return read.status();
    if (!skips_->Readable(*read)) return absl::OkStatus();
    absl::StatusOr<T> parsed = parse(std::string_view(buffer_));
    if (!parsed.ok()) {
      std::string_view message(parsed.status().message().data(),
                               parsed.status().message().size());
      return absl::InvalidArgumentError(fmt::format("{}: {}", file, message));
    }
    *out = *std::move(parsed);
    return absl::OkStatus();
  }

 private:
  std::string path_;
  SkipCounter* skips_;
  std::string buffer_;
};

// Runs each step in order and stops at the first error.
#define PL_RETURN_IF_ERROR(expr)           \
  do {                                     \
    absl::Status status_ = (expr);         \
    if (!status_.ok()) return status_;     \
  } while (false)

absl::Status ReadMemoryV2(CgroupDir& dir, uint64_t page_size, Cgroup* out) {
  PL_RETURN_IF_ERROR(dir.Read("memory.current", ParseSingleValue, &out->memory_bytes));
  auto limit = [page_size](std::string_view text) { return ParseLimit(text, page_size); };
  PL_RETURN_IF_ERROR(dir.Read("memory.max", limit, &out->memory_limit));
  PL_RETURN_IF_ERROR(dir.Read("memory.peak", ParseSingleValue, &out->memory_peak_bytes));
  PL_RETURN_IF_ERROR(dir.Read("memory.swap.current", ParseSingleValue, &out->swap_bytes));
  std::optional<MemoryStat> stat;
  PL_RETURN_IF_ERROR(dir.Read("memory.stat", ParseMemoryStatV2, &stat));
  if (stat) out->memory_stat = *stat;
  std::optional<MemoryEvents> events;
  PL_RETURN_IF_ERROR(dir.Read("memory.events", ParseMemoryEvents, &events));
  if (events) {
    out->oom_kills = events->oom_kill;
    out->limit_hits = events->max;
  }
  return dir.Read("memory.pressure", ParsePressure, &out->memory_pressure);
}

absl::Status ReadMemoryV1(CgroupDir& dir, uint64_t page_size, Cgroup* out) {
  PL_RETURN_IF_ERROR(dir.Read("memory.usage_in_bytes", ParseSingleValue, &out->memory_bytes));
  auto limit = [page_size](std::string_view text) { return ParseLimit(text, page_size); };
  PL_RETURN_IF_ERROR(dir.Read("memory.limit_in_bytes", limit, &out->memory_limit));
  PL_RETURN_IF_ERROR(
      dir.Read("memory.max_usage_in_bytes", ParseSingleValue, &out->memory_peak_bytes));
  std::optional<MemoryStat> stat;
  PL_RETURN_IF_ERROR(dir.Read("memory.stat", ParseMemoryStatV1, &stat));
  if (stat) out->memory_stat = *stat;
  std::optional<OomControl> oom;
  PL_RETURN_IF_ERROR(dir.Read("memory.oom_control", ParseOomControl, &oom));
  if (oom) out->oom_kills = oom->oom_kill;
  PL_RETURN_IF_ERROR(dir.Read("memory.failcnt", ParseSingleValue, &out->limit_hits));
  // Only with swap accounting (swapaccount=1); without it swap stays unknown, not 0.
  std::optional<uint64_t> memsw;
  PL_RETURN_IF_ERROR(dir.Read("memory.memsw.usage_in_bytes", ParseSingleValue, &memsw));
  if (memsw && out->memory_bytes) out->swap_bytes = SwapFromMemsw(*memsw, *out->memory_bytes);
  return absl::OkStatus();
}

absl::Status FileError(const std::string& path, const absl::Status& status) {
  std::string_view message(status.message().data(), status.message().size());
  return absl::InvalidArgumentError(fmt::format("{}: {}", path, message));
}

}  // namespace

absl::StatusOr<Cgroup> ReadCgroup(std::string_view root, const CgroupLayout& layout,
                                  const std::string& path,
                                  const std::vector<CgroupMembership>& membership,
                                  uint64_t page_size, SkipCounter* skips) {
  Cgroup cgroup;
  cgroup.path = path;
  if (const CgroupHierarchy* memory = layout.MemoryHierarchy()) {
    if (std::optional<std::string> dir = CgroupDirectory(*memory, path)) {
      CgroupDir files(JoinPath(root, *dir), skips);
      // A hybrid host's v1 memory cgroup has no pressure file: the unified hierarchy's PSI
      // describes a different cgroup, so it is not borrowed.
      absl::Status status = memory->v2 ? ReadMemoryV2(files, page_size, &cgroup)
                                       : ReadMemoryV1(files, page_size, &cgroup);
      if (!status.ok()) return status;
    }
  }
  if (const CgroupHierarchy* pids = layout.ForController("pids")) {
    const CgroupMembership* line = FindMembership(membership, *pids);
    std::optional<std::string> dir;
    if (line != nullptr) dir = CgroupDirectory(*pids, line->path);
    if (dir) {
      CgroupDir files(JoinPath(root, *dir), skips);
      PL_RETURN_IF_ERROR(files.Read("pids.current", ParseSingleValue, &cgroup.pids_current));
      auto limit = [](std::string_view text) { return ParseLimit(text, 1); };
      PL_RETURN_IF_ERROR(files.Read("pids.max", limit, &cgroup.pids_max));
    }
  }
  return cgroup;
}

absl::StatusOr<CgroupLayout> ReadCgroupLayout(std::string_view root) {
  std::string path = JoinPath(root, "/proc/self/mountinfo");
  std::string buffer;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", path.c_str(), FileKind::kMountinfo, &buffer);
  if (!read.ok()) return read.status();
  if (*read != ReadOutcome::kRead) return CgroupLayout();
  absl::StatusOr<std::vector<MountInfo>> mounts = ParseMountInfo(buffer);
  if (!mounts.ok()) return FileError(path, mounts.status());
  std::string v2_controllers;
  for (const MountInfo& mount : *mounts) {
    if (mount.fstype != "cgroup2") continue;
    std::string controllers_path = JoinPath(root, mount.mount_point + "/cgroup.controllers");
    read = ReadFileAt(AT_FDCWD, "", controllers_path.c_str(), FileKind::kCgroupFile, &buffer);
    if (!read.ok()) return read.status();
    if (*read == ReadOutcome::kRead) v2_controllers = buffer;
    break;
  }
  return DiscoverCgroupLayout(*mounts, v2_controllers);
}

}  // namespace procleak
