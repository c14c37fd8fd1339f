// SPDX-License-Identifier: Apache-2.0
// MatchContainerCgroup: a table of cgroup segment shapes, one row per runtime layout, tried on the
// path's segments from the innermost outwards.

#include "container/container_paths.h"

#include <array>
#include <span>
#include <vector>

#include "model/runtimes.h"

namespace procleak {
namespace {

using Segments = std::span<const std::string_view>;

bool IsHex64(std::string_view id) {
  if (id.size() != 64) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// systemd's unit_name_escape() writes '-' (and other bytes) as "\xNN"; undo it.
std::string UnescapeUnitName(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x' &&
        HexDigit(text[i + 2]) >= 0 && HexDigit(text[i + 3]) >= 0) {
      out.push_back(static_cast<char>(HexDigit(text[i + 2]) * 16 + HexDigit(text[i + 3])));
      i += 3;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// How the id between a row's prefix and suffix is checked and turned into Container::id.
enum class IdShape {
  kHex64,     // docker, containerd, CRI-O, podman: 64 lowercase hex
  kName,      // LXC: the container name as it is
  kUnitName,  // machined: systemd-escaped name, decoded
};

// Extra conditions on the segments around the match: `outer` is every segment before it, `next`
// the one after it ("" at the end of the path), `id` the decoded id.
using ContextCheck = bool (*)(Segments outer, std::string_view next, std::string_view id);

struct Layout {
  Runtime runtime;
  std::string_view prefix;  // the segment is prefix + id + suffix
  std::string_view suffix;
  IdShape shape;
  ContextCheck context;  // nullptr: anywhere
};

bool ParentIsDocker(Segments outer, std::string_view, std::string_view) {
  return !outer.empty() && outer.back() == "docker";
}

// Amazon ECS on cgroup v1: /ecs/<task id>/<container id>.
bool UnderEcsTask(Segments outer, std::string_view, std::string_view) {
  return outer.size() >= 2 && outer[outer.size() - 2] == "ecs";
}

// Kubelet's cgroupfs driver: /kubepods[/<qos>]/pod<uid>/<id>.
bool UnderKubepodsPod(Segments outer, std::string_view, std::string_view) {
  if (outer.size() < 2 || !outer.back().starts_with("pod") || outer.back().size() == 3) {
    return false;
  }
  for (std::string_view s : outer.first(outer.size() - 1)) {
    if (s == "kubepods") return true;
  }
  return false;
}

// /lxc/<name> (no systemd) and LXC 3.1's /lxc.payload/<name>; /lxc.monitor/<name> is the monitor.
bool ParentIsLxc(Segments outer, std::string_view, std::string_view id) {
  return !outer.empty() && (outer.back() == "lxc" || outer.back() == "lxc.payload") &&
         !id.starts_with('.');
}

// machined scopes: newer nspawn puts itself in a "supervisor" sub-cgroup next to "payload", and
// libvirt registers its qemu VMs as "machine-qemu\x2d<n>\x2d<name>.scope": neither is a container.
bool MachineIsContainer(Segments, std::string_view next, std::string_view id) {
  return next != "supervisor" && !id.starts_with("qemu-");
}

// One row per layout; see /work/shared/reference/proc-cgroup-formats.md section 2. The "<slice>:
// <prefix>:<id>" form (runc's systemd-style cgroupsPath used without the systemd driver) is
// matched by kRuncSlicePrefixes below.
constexpr std::array<Layout, 12> kLayouts = {{
    // Docker, systemd driver (also rootless under user.slice, custom --cgroup-parent slices and
    // ECS's ecstasks-<task>.slice).
    {Runtime::kDocker, "docker-", ".scope", IdShape::kHex64, nullptr},
    // Docker, cgroupfs driver, and Docker-in-Docker below another container.
    {Runtime::kDocker, "", "", IdShape::kHex64, ParentIsDocker},
    {Runtime::kDocker, "", "", IdShape::kHex64, UnderEcsTask},
    // containerd CRI, systemd driver.
    {Runtime::kContainerd, "cri-containerd-", ".scope", IdShape::kHex64, nullptr},
    // CRI-O, systemd and cgroupfs drivers. Its conmon ("crio-conmon-<id>") fails the id check.
    {Runtime::kCriO, "crio-", ".scope", IdShape::kHex64, nullptr},
    {Runtime::kCriO, "crio-", "", IdShape::kHex64, nullptr},
    // Kubelet's cgroupfs driver with a runtime that names the cgroup by the bare id.
    {Runtime::kContainerd, "", "", IdShape::kHex64, UnderKubepodsPod},
    // Podman: systemd driver (crun may add a "container" sub-cgroup), cgroupfs driver, split
    // mode. Its conmon ("libpod-conmon-<id>.scope") fails the id check.
    {Runtime::kPodman, "libpod-", ".scope", IdShape::kHex64, nullptr},
    {Runtime::kPodman, "libpod-", "", IdShape::kHex64, nullptr},
    // LXC 4+: lxc.payload.<name>; lxc.monitor.<name> holds the host-side monitor.
    {Runtime::kLxc, "lxc.payload.", "", IdShape::kName, nullptr},
    {Runtime::kLxc, "", "", IdShape::kName, ParentIsLxc},
    // systemd-nspawn and other machined registrations.
    {Runtime::kNspawn, "machine-", ".scope", IdShape::kUnitName, MachineIsContainer},
}};

struct RuncSlicePrefix {
  std::string_view prefix;
  Runtime runtime;
};
constexpr std::array<RuncSlicePrefix, 4> kRuncSlicePrefixes = {{
    {"docker", Runtime::kDocker},
    {"cri-containerd", Runtime::kContainerd},
    {"crio", Runtime::kCriO},
    {"libpod", Runtime::kPodman},
}};

std::optional<std::string> MatchId(const Layout& row, std::string_view segment) {
  if (segment.size() <= row.prefix.size() + row.suffix.size() || !segment.starts_with(row.prefix) ||
      !segment.ends_with(row.suffix)) {
    return std::nullopt;
  }
  std::string_view id =
      segment.substr(row.prefix.size(), segment.size() - row.prefix.size() - row.suffix.size());
  switch (row.shape) {
    case IdShape::kHex64:
      if (!IsHex64(id)) return std::nullopt;
      return std::string(id);
    case IdShape::kName:
      if (id == "." || id == "..") return std::nullopt;
      return std::string(id);
    case IdShape::kUnitName:
      return UnescapeUnitName(id);
  }
  return std::nullopt;
}

// "kubepods-burstable-pod<uid with '_'>.slice" (systemd driver) or "pod<uid>" below "kubepods"
// (cgroupfs driver) -> the pod UID with '-'.
std::string PodUidFromSlice(std::string_view slice) {
  if (!slice.ends_with(".slice") || slice.find("kubepods") == std::string_view::npos) return "";
  slice.remove_suffix(6);
  size_t dash = slice.rfind('-');
  if (dash == std::string_view::npos) return "";
  std::string_view part = slice.substr(dash + 1);
  if (!part.starts_with("pod") || part.size() == 3) return "";
  std::string uid(part.substr(3));
  for (char& c : uid) {
    if (c == '_') c = '-';
  }
  return uid;
}

std::string PodUid(Segments outer) {
  if (outer.empty()) return "";
  std::string_view parent = outer.back();
  if (parent.ends_with(".slice")) return PodUidFromSlice(parent);
  if (UnderKubepodsPod(outer, "", "")) return std::string(parent.substr(3));
  return "";
}

std::optional<ContainerRef> MatchRuncSliceForm(std::string_view segment) {
  size_t first = segment.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = segment.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  std::string_view slice = segment.substr(0, first);
  std::string_view prefix = segment.substr(first + 1, second - first - 1);
  std::string_view id = segment.substr(second + 1);
  if (!slice.ends_with(".slice") || !IsHex64(id)) return std::nullopt;
  for (const RuncSlicePrefix& row : kRuncSlicePrefixes) {
    if (row.prefix != prefix) continue;
    return ContainerRef{.runtime = std::string(RuntimeName(row.runtime)),
                        .id = std::string(id),
                        .cgroup = "",
                        .pod_uid = PodUidFromSlice(slice)};
  }
  return std::nullopt;
}

}  // namespace

std::optional<ContainerRef> MatchContainerCgroup(std::string_view cgroup_path) {
  // Split into segments, remembering where each ends so the container's cgroup can be cut there.
  std::vector<std::string_view> segments;
  std::vector<size_t> ends;
  size_t pos = 0;
  while (pos < cgroup_path.size()) {
    size_t slash = cgroup_path.find('/', pos);
    if (slash == std::string_view::npos) slash = cgroup_path.size();
    if (slash > pos) {
      segments.push_back(cgroup_path.substr(pos, slash - pos));
      ends.push_back(slash);
    }
    pos = slash + 1;
  }
  // Innermost first: a container nested in another (Docker-in-Docker, kind, minikube) is the one
  // the process runs in.
  for (size_t i = segments.size(); i-- > 0;) {
    std::string_view segment = segments[i];
    Segments outer = Segments(segments).first(i);
    std::string_view next = i + 1 < segments.size() ? segments[i + 1] : std::string_view();
    std::optional<ContainerRef> ref = MatchRuncSliceForm(segment);
    if (!ref) {
      for (const Layout& row : kLayouts) {
        std::optional<std::string> id = MatchId(row, segment);
        if (!id || (row.context != nullptr && !row.context(outer, next, *id))) continue;
        ref = ContainerRef{.runtime = std::string(RuntimeName(row.runtime)),
                           .id = *std::move(id),
                           .cgroup = "",
                           .pod_uid = PodUid(outer)};
        break;
      }
    }
    if (ref) {
      ref->cgroup = std::string(cgroup_path.substr(0, ends[i]));
      return ref;
    }
  }
  return std::nullopt;
}

}  // namespace procleak
