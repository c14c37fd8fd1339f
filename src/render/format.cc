// SPDX-License-Identifier: Apache-2.0
#include "render/format.h"

#include <algorithm>

#include "base/text_format.h"

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

std::string ShortContainer(const Snapshot& s, const std::string& id) {
  if (id.empty()) return "host";
  const Container* c = s.FindContainer(id);
  if (c != nullptr && !c->name.empty()) return SanitizeForTerminal(c->name);
  return std::string(ShortId(id));
}

}  // namespace procleak
