// SPDX-License-Identifier: Apache-2.0
#include "render/format.h"

#include <algorithm>
#include <limits>

#include "base/text_format.h"
#include "fmt/format.h"
#include "model/systemd_unit.h"

namespace procleak {

std::vector<const Cgroup*> CgroupsByMemory(const Snapshot& snapshot) {
  std::vector<const Cgroup*> cgroups;
  for (const auto& [path, cgroup] : snapshot.cgroups()) cgroups.push_back(&cgroup);
  // The map is ordered by path, so a stable sort keeps path order among equals.
  std::stable_sort(cgroups.begin(), cgroups.end(), [](const Cgroup* a, const Cgroup* b) {
    if (a->memory_bytes.has_value() != b->memory_bytes.has_value())
      return a->memory_bytes.has_value();
    return a->memory_bytes.value_or(0) > b->memory_bytes.value_or(0);
  });
  return cgroups;
}

std::string CgroupName(const Snapshot& snapshot, const Cgroup& cgroup) {
  for (const Container& c : snapshot.containers()) {
    if (c.cgroup != cgroup.path) continue;
    const std::string_view id = ShortId(c.id);
    if (!c.verified) return fmt::format("{} ?{}", c.runtime, id);
    return fmt::format("{} {}", c.runtime, c.name.empty() ? id : std::string_view(c.name));
  }
  const std::string_view unit = SystemdUnit(cgroup.path);
  return std::string(unit.empty() ? std::string_view(cgroup.path) : unit);
}

std::string ShortenChainSignature(std::string_view signature, size_t width) {
  if (DisplayWidth(signature) <= width) return std::string(signature);
  size_t cut = signature.find(" > ");
  if (cut == std::string_view::npos) return ShortenMiddle(signature, width);
  std::string_view tail = signature.substr(cut);
  const size_t tail_width = DisplayWidth(tail);
  constexpr size_t kMinRoot = 12;
  if (tail_width + kMinRoot > width) return ShortenEnd(signature, width);
  std::string out = ShortenMiddle(signature.substr(0, cut), width - tail_width);
  out.append(tail.data(), tail.size());
  return out;
}

MemoryUse UseOfLimit(const std::optional<uint64_t>& used, const std::optional<Limit>& limit) {
  MemoryUse use;
  if (!used || !limit || limit->unlimited()) return use;
  if (limit->value() == 0) {
    use.cell = "full";
    use.fraction = std::numeric_limits<double>::infinity();
    return use;
  }
  use.fraction = static_cast<double>(*used) / static_cast<double>(limit->value());
  // Rounded as {:.0f} would round it, so 999.6% is already ">999".
  use.cell = use.fraction * 100 >= 999.5 ? ">999" : fmt::format("{:.0f}", use.fraction * 100);
  return use;
}

std::string ShortContainer(const Snapshot& s, const std::string& id) {
  if (id.empty()) return "host";
  const Container* c = s.FindContainer(id);
  if (c != nullptr && !c->verified) return "?" + std::string(ShortId(id));
  if (c != nullptr && !c->name.empty()) return SanitizeForTerminal(c->name);
  return std::string(ShortId(id));
}

std::string ProcHiddenWarning(std::string_view proc_hidden) {
  if (proc_hidden.empty()) return "";
  constexpr std::string_view kOption = "hidepid=";
  if (!proc_hidden.starts_with(kOption)) {
    const std::string what =
        proc_hidden == "pid 1 not visible" ? "pid 1 is not visible" : std::string(proc_hidden);
    return fmt::format(
        "/proc hides processes from this scan ({}): the counts cover only what it shows; run as "
        "root for the whole picture",
        SanitizeForTerminal(ShortenEnd(what, 64)));
  }
  std::string_view value = proc_hidden.substr(kOption.size());
  std::string_view gid;
  if (size_t comma = value.find(",gid="); comma != std::string_view::npos) {
    gid = value.substr(comma + 5);
    value = value.substr(0, comma);
  }
  const std::string shown = SanitizeForTerminal(ShortenEnd(value, 24));
  const std::string_view what = value == "invisible"    ? "only your own processes are visible"
                                : value == "ptraceable" ? "only processes you may trace are visible"
                                : value == "noaccess"
                                    ? "other users' processes cannot be read (counted as denied)"
                                    : "it hides other users' processes";
  const std::string who = gid.empty() ? "root"
                                      : fmt::format("root or as a member of group {}",
                                                    SanitizeForTerminal(ShortenEnd(gid, 12)));
  return fmt::format("/proc is mounted hidepid={}: {}; run as {} for the whole picture", shown,
                     what, who);
}

}  // namespace procleak
