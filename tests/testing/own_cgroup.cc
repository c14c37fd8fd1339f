// SPDX-License-Identifier: Apache-2.0
#include "testing/own_cgroup.h"

#include <sstream>

#include "testing/run_procleak.h"

namespace procleak::testing {

std::string OwnAccountingCgroup() {
  std::istringstream lines(ReadAll("/proc/self/cgroup"));
  std::string line, v2;
  while (std::getline(lines, line)) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (("," + controllers + ",").find(",memory,") != std::string::npos) return path;
    if (line.rfind("0::", 0) == 0) v2 = path;
  }
  return v2;
}

}  // namespace procleak::testing
