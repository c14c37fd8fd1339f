// SPDX-License-Identifier: Apache-2.0
#include "model/systemd_unit.h"

#include <array>

namespace procleak {
namespace {

// The unit types that own a cgroup of their own (systemd.unit(5)); slices only group them.
constexpr std::array<std::string_view, 5> kUnitSuffixes = {".service", ".scope", ".socket",
                                                           ".mount", ".swap"};

bool IsUnitName(std::string_view component) {
  for (std::string_view suffix : kUnitSuffixes) {
    if (component.size() > suffix.size() && component.ends_with(suffix)) return true;
  }
  return false;
}

bool IsSlice(std::string_view component) {
  return component.size() > 6 && component.ends_with(".slice");
}

}  // namespace

std::string_view SystemdUnit(std::string_view path) {
  std::string_view rest = path;
  std::string_view last_slice;
  while (!rest.empty()) {
    if (rest.front() == '/') {
      rest.remove_prefix(1);
      continue;
    }
    const size_t end = rest.find('/');
    const std::string_view component = rest.substr(0, end);
    if (!IsSlice(component)) return IsUnitName(component) ? rest : std::string_view();
    last_slice = component;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  return last_slice;
}

}  // namespace procleak
