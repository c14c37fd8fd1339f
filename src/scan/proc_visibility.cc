// SPDX-License-Identifier: Apache-2.0
#include "scan/proc_visibility.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <charconv>

#include "absl/strings/str_split.h"
#include "base/read_file.h"
#include "fmt/format.h"

namespace procleak {
namespace {

// hidepid's value as kernels since 5.8 show it; older ones show the number.
std::string HidepidName(std::string_view value) {
  if (value == "0" || value == "off") return "";
  if (value == "1" || value == "noaccess") return "noaccess";
  if (value == "2" || value == "invisible") return "invisible";
  if (value == "4" || value == "ptraceable") return "ptraceable";
  // A later kernel's: kept when it can be shown as it is.
  const bool plain =
      !value.empty() && value.size() <= 16 && std::all_of(value.begin(), value.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      });
  return plain ? std::string(value) : "";
}

}  // namespace

std::optional<ProcMountOptions> ProcMountAt(std::span<const MountInfo> mounts,
                                            std::string_view mount_point) {
  const MountInfo* found = nullptr;
  for (const MountInfo& m : mounts) {
    if (m.fstype == "proc" && m.mount_point == mount_point) found = &m;
  }
  if (found == nullptr) return std::nullopt;
  ProcMountOptions out;
  for (absl::string_view part : absl::StrSplit(found->super_options, ',')) {
    const std::string_view option(part.data(), part.size());
    if (option.starts_with("hidepid=")) {
      out.hidepid = HidepidName(option.substr(8));
    } else if (option.starts_with("gid=")) {
      uint32_t gid = 0;
      const std::string_view v = option.substr(4);
      auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), gid);
      if (ec == std::errc() && end == v.data() + v.size() && !v.empty()) out.gid = gid;
    }
  }
  return out;
}

std::string ProcHidden(const std::optional<ProcMountOptions>& mount, bool procfs,
                       std::span<const Process> processes) {
  const bool pid1_read =
      std::any_of(processes.begin(), processes.end(), [](const Process& p) { return p.pid == 1; });
  if (pid1_read) return "";
  if (mount && !mount->hidepid.empty()) {
    std::string out = "hidepid=" + mount->hidepid;
    if (mount->gid) out += fmt::format(",gid={}", *mount->gid);
    return out;
  }
  // A live /proc always lists its PID 1; a fixture tree need not have one.
  if (!mount && procfs && !processes.empty()) return "pid 1 not visible";
  return "";
}

bool IsProcfs(int fd) {
  struct statfs fs {};
  return fstatfs(fd, &fs) == 0 && fs.f_type == PROC_SUPER_MAGIC;
}

absl::StatusOr<std::optional<ProcMountOptions>> ReadProcMount(std::string_view root) {
  const std::string path = JoinPath(root, "/proc/self/mountinfo");
  std::string buffer;
  absl::StatusOr<ReadOutcome> read =
      ReadFileAt(AT_FDCWD, "", path.c_str(), FileKind::kMountinfo, &buffer);
  if (!read.ok()) return read.status();  // too large, not a regular file, an I/O error: named
  if (*read != ReadOutcome::kRead) return std::nullopt;
  absl::StatusOr<std::vector<MountInfo>> mounts = ParseMountInfo(buffer);
  if (!mounts.ok()) {
    const absl::string_view message = mounts.status().message();
    return absl::InvalidArgumentError(
        fmt::format("{}: {}", path, std::string_view(message.data(), message.size())));
  }
  if (!root.empty() && root.front() == '/' && root != "/") {
    if (auto at_root = ProcMountAt(*mounts, JoinPath(root, "/proc"))) return at_root;
  }
  return ProcMountAt(*mounts, "/proc");
}

}  // namespace procleak
