// SPDX-License-Identifier: Apache-2.0
#include "scan/cgroup_placement.h"

#include <fcntl.h>

#include <algorithm>
#include <string>

#include "fmt/format.h"
#include "procfs/cgroup_file_parser.h"
#include "procfs/pid_path.h"
#include "scan/process_scan.h"

namespace procleak {
namespace {

// The hierarchy `line` of /proc/PID/cgroup belongs to, or nullptr when it is not mounted.
const CgroupHierarchy* HierarchyOf(const CgroupLayout& layout, const CgroupMembership& line) {
  const std::vector<CgroupMembership> one = {line};
  for (const CgroupHierarchy& h : layout.hierarchies) {
    if (FindMembership(one, h) != nullptr) return &h;
  }
  return nullptr;
}

bool IsUsed(const CgroupLayout& layout, const CgroupHierarchy* h) {
  return h != nullptr && (h == layout.MemoryHierarchy() || h == layout.ForController("pids") ||
                          h->v2 || h->Has("name=systemd"));
}

// The used lines of the first of `pids` whose /proc/PID/cgroup reads; empty when none does.
absl::StatusOr<std::vector<CgroupMembership>> TemplateShape(const CgroupLayout& layout,
                                                            const ProcessReadContext& settings,
                                                            const std::vector<int>& pids) {
  std::string text;
  for (size_t i = 0; i < pids.size() && i < 8; ++i) {
    PidPath path(pids[i]);
    const char* name = path.File("cgroup");
    absl::StatusOr<ReadOutcome> read =
        ReadFileAt(settings.proc_fd, settings.proc_path, name, FileKind::kPidCgroup, &text,
                   ReadUntil::kEof, settings.type_check);
    if (!read.ok()) return read.status();
    if (*read != ReadOutcome::kRead) continue;
    absl::StatusOr<std::vector<CgroupMembership>> lines = ParseProcCgroup(text);
    if (!lines.ok()) {
      std::string_view message(lines.status().message().data(), lines.status().message().size());
      return absl::InvalidArgumentError(
          fmt::format("{}: {}", JoinPath(settings.proc_path, name), message));
    }
    if (lines->empty()) continue;
    UsedLines(layout).Filter(&*lines);
    return lines;
  }
  return std::vector<CgroupMembership>();
}

}  // namespace

void UsedLines::Filter(std::vector<CgroupMembership>* lines) {
  if (layout_.mode == CgroupMode::kNone) return;
  std::erase_if(*lines, [&](const CgroupMembership& line) { return !Used(line); });
}

bool UsedLines::Used(const CgroupMembership& line) {
  for (const Decision& d : decisions_) {
    if (d.hierarchy_id == line.hierarchy_id && d.controllers == line.controllers) return d.used;
  }
  decisions_.push_back(
      {line.hierarchy_id, line.controllers, IsUsed(layout_, HierarchyOf(layout_, line))});
  return decisions_.back().used;
}

absl::StatusOr<Memberships> WalkMemberships(std::string_view root, const CgroupLayout& layout,
                                            const ProcessReadContext& settings,
                                            const std::vector<int>& pids, size_t max_dirs) {
  Memberships out;
  absl::StatusOr<std::vector<CgroupMembership>> shape = TemplateShape(layout, settings, pids);
  if (!shape.ok()) return shape.status();
  out.shape = *std::move(shape);
  if (out.shape.empty() || layout.mode == CgroupMode::kNone) return out;
  for (const CgroupMembership& line : out.shape) {
    const CgroupHierarchy* h = HierarchyOf(layout, line);
    if (h == nullptr) return out;
    absl::StatusOr<std::optional<ProcsMembership>> read = ReadProcsMembership(root, *h, max_dirs);
    if (!read.ok()) return read.status();
    if (!*read) return out;
    max_dirs -= std::min(max_dirs, (*read)->paths.size());
    out.members.push_back(**std::move(read));
  }
  out.usable = true;
  return out;
}

absl::Status PlaceInCgroups(const ProcessReadContext& settings, const Memberships& memberships,
                            std::vector<Process>& processes, SkipCounter* skips) {
  const std::vector<CgroupMembership>& shape = memberships.shape;
  // Both passes run on the reading threads: placing is a few lookups and copies per process,
  // reading a /proc/PID/cgroup much more, and there may be thousands of either.
  std::vector<char> unplaced(processes.size(), 0);
  absl::Status placed_all = ForEachProcess(
      processes.size(), settings, 0, skips,
      [&](size_t i, size_t, ProcessReadContext*) -> absl::Status {
        Process& p = processes[i];
        bool placed = memberships.usable;
        if (placed) p.cgroup_lines.reserve(shape.size());
        for (size_t h = 0; placed && h < shape.size(); ++h) {
          const ProcsMembership& member = memberships.members[h];
          uint32_t at = 0;
          if (!member.all_in_root) {
            auto it = member.index.find(p.pid);
            placed = it != member.index.end() && it->second != ProcsMembership::kConflict;
            if (placed) at = it->second;
          }
          if (placed) {
            p.cgroup_lines.emplace_back(shape[h].hierarchy_id, shape[h].controllers,
                                        member.paths[at]);
          }
        }
        if (!placed) {
          p.cgroup_lines.clear();
          unplaced[i] = 1;
        }
        return absl::OkStatus();
      });
  if (!placed_all.ok()) return placed_all;
  std::vector<size_t> to_read;
  for (size_t i = 0; i < processes.size(); ++i) {
    if (unplaced[i]) to_read.push_back(i);
  }
  if (to_read.empty()) return absl::OkStatus();
  std::vector<char> drop(processes.size(), 0);
  absl::Status read_all = ForEachProcess(
      to_read.size(), settings, 0, skips,
      [&](size_t k, size_t, ProcessReadContext* ctx) -> absl::Status {
        Process& p = processes[to_read[k]];
        absl::StatusOr<ProcessRead> read = ReadProcessCgroup(p, ctx, &p.cgroup_lines);
        if (!read.ok()) return read.status();
        drop[to_read[k]] = *read == ProcessRead::kVanished;
        return absl::OkStatus();
      });
  if (!read_all.ok()) return read_all;

  size_t kept = 0;
  for (size_t i = 0; i < processes.size(); ++i) {
    if (drop[i]) continue;
    if (kept != i) processes[kept] = std::move(processes[i]);
    ++kept;
  }
  processes.resize(kept);
  return absl::OkStatus();
}

}  // namespace procleak
